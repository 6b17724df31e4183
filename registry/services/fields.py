"""The field registry: the fields a district holds about residents and who owns each."""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.clock import one_write
from core.identifiers import to_halfwidth
from core.models import Department, Place
from core.validation import require_perm as _require
from registry import defaults
from registry.models import Field


def ensure_fields(district: Place) -> dict[str, Field]:
    """The district's field registry, with the default fields added once (idempotent)."""
    existing = {f.key: f for f in Field.objects.filter(district=district).select_related("owner")}
    missing = [row for row in defaults.FIELDS if row[0] not in existing]
    if missing:
        departments = {d.short_code: d for d in Department.objects.filter(district=district)}
        with transaction.atomic():
            for order, (key, label, aliases, kind, owner, sensitive, is_tag) in enumerate(
                defaults.FIELDS
            ):
                if key in existing:
                    continue
                field, _created = Field.objects.get_or_create(
                    district=district, key=key,
                    defaults=dict(
                        label=label, aliases=aliases, kind=kind, owner=departments.get(owner),
                        sensitive=sensitive, is_tag=is_tag, order=order,
                    ),
                )  # fmt: skip
                existing[key] = field
    return existing


@one_write
def field_set_owner(*, actor, field: Field, owner: Department | None) -> Field:
    """Name the owning department of a field (None: the community collects it)."""
    field = Field.objects.select_for_update().get(pk=field.pk)
    _require(actor, "registry.manage_fields", field.district)
    if owner is not None and owner.district_id != field.district_id:
        raise ValidationError(_("权威来源部门须属于本区。"))
    changes = audit.diff(field, owner=owner)
    field.owner = owner
    field.save(update_fields=["owner"])
    audit.record(actor=actor, action="registry.field_owner", obj=field, changes=changes,
                 place=field.district)  # fmt: skip
    return field


def field_named(district: Place, label: str) -> Field | None:
    """The registry field a column title or report column names (label or alias), if any."""
    wanted = re.sub(r"\s+", "", to_halfwidth(label or ""))
    for field in ensure_fields(district).values():
        if wanted in {re.sub(r"\s+", "", to_halfwidth(n)) for n in field.names()}:
            return field
    return None
