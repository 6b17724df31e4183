"""Data sharing: grants that let a department read some fields for a stated purpose."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Department, Person
from core.validation import require_perm as _require
from registry import values
from registry.models import SharingGrant
from registry.services.fields import ensure_fields


@one_write
def grant_create(
    *, actor, department: Department, field_keys: list[str], purpose: str
) -> SharingGrant:
    """Authorise a department to read some fields for a stated purpose."""
    _require(
        actor,
        "registry.grant_sharing",
        department.district,
        _("只有区级管理人员可以授权数据共享。"),
    )
    purpose = values.text(purpose)
    if len(purpose) < 2:
        raise ValidationError(_("请说明共享用途。"))
    fields = ensure_fields(department.district)
    keys = [k for k in dict.fromkeys(field_keys) if k]
    if not keys or any(k not in fields for k in keys):
        raise ValidationError(_("请从字段库中选择授权字段。"))
    grant = SharingGrant.objects.create(
        district=department.district, department=department, purpose=purpose[:100], granted_by=actor
    )
    grant.fields.set([fields[k] for k in keys])
    audit.record(actor=actor, action="registry.grant_create", obj=grant, place=department.district,
                 changes={"department": department.name, "fields": keys, "purpose": purpose})  # fmt: skip
    return grant


@one_write
def grant_end(*, actor, grant: SharingGrant) -> SharingGrant:
    grant = SharingGrant.objects.select_for_update().get(pk=grant.pk)
    _require(actor, "registry.grant_sharing", grant.district)
    if grant.ended_at is None:
        grant.ended_at = clock.now()
        grant.save(update_fields=["ended_at"])
        audit.record(actor=actor, action="registry.grant_end", obj=grant, place=grant.district)
    return grant


@one_write
def shared_read(*, actor, grant: SharingGrant, people: list[Person]) -> None:
    """Log that a department read these people's granted fields, with the grant's purpose."""
    _require(actor, "registry.use_grant", grant, _("本部门没有此项数据共享授权。"))
    labels = [f.label for f in grant.fields.all()]
    for person in people:
        audit.record(
            actor=actor, action="registry.shared_read", obj=person, place=person.place,
            purpose=grant.purpose, changes={"department": grant.department.name, "fields": labels},
        )  # fmt: skip
