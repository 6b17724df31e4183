"""The lists (duty, assistance, negative, power, certificate): versions, drafts, entries,
publishing."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import gettext as _

from admission import defaults
from admission.models import (
    CertificateCategory,
    ListEntry,
    ListKind,
    ListVersion,
    PowerCategory,
)
from admission.services._common import (
    _district,
    _u,
    local_today,
)
from core import audit, clock
from core.clock import one_write
from core.models import Department, Place
from core.validation import clean_text as _text
from core.validation import require_perm as _require

KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")


def version_in_force(district: Place, kind: str, on: datetime.date | None = None):
    """The published version of `kind` in force in `district` on `on` (default today)."""
    on = on or local_today()
    return (
        ListVersion.objects.filter(
            district=district,
            kind=kind,
            status=ListVersion.Status.PUBLISHED,
            effective_from__lte=on,
        )
        .order_by("-effective_from", "-number")
        .first()
    )


def entries_in_force(district: Place, kind: str, on: datetime.date | None = None):
    version = version_in_force(district, kind, on)
    if version is None:
        return ListEntry.objects.none()
    return version.entries.select_related("department")


def _department_by_code(district: Place, code: str) -> Department | None:
    if not code:
        return None
    return Department.objects.filter(district=district, short_code=code).first()


@one_write
def lists_seed(*, actor, district: Place, on: datetime.date | None = None) -> dict[str, int]:
    """Load the default lists as published version 1 for every list the district lacks.

    Idempotent: a list that already has any version is left alone. Returns {kind: entries}.
    """
    district = _district(Place.objects.select_for_update().get(pk=district.pk))
    _require(actor, "admission.edit_lists", district)
    on = on or local_today()
    loaded = {}
    for kind in ListKind.values:
        if ListVersion.objects.filter(district=district, kind=kind).exists():
            continue
        version = ListVersion.objects.create(
            district=district, kind=kind, number=1, status=ListVersion.Status.PUBLISHED,
            effective_from=on, source=str(defaults.SOURCES[kind]),
            note=_("默认清单（可编辑）"), created_by=_u(actor), published_by=_u(actor),
            published_at=clock.now(),
        )  # fmt: skip
        rows = defaults.entries_for(kind)
        ListEntry.objects.bulk_create(
            [
                ListEntry(
                    version=version,
                    district=district,
                    kind=kind,
                    key=row["key"],
                    title=row["title"],
                    category=row.get("category", ""),
                    legal_basis=row.get("legal_basis", ""),
                    department=_department_by_code(district, row.get("department", "")),
                    handled_by=row.get("handled_by", ""),
                    keywords=row.get("keywords", ""),
                    position=i,
                )
                for i, row in enumerate(rows, start=1)
            ]
        )
        loaded[kind] = len(rows)
    if loaded:
        audit.record(
            actor=actor, action="admission.lists_seed", obj=district, changes={"loaded": loaded}
        )
    return loaded


@one_write
def list_draft_start(*, actor, district: Place, kind: str) -> ListVersion:
    """The draft of the next version of a list: the open one, or a new copy of the latest."""
    district = _district(district)
    _require(actor, "admission.edit_lists", district)
    if kind not in ListKind.values:
        raise ValidationError(_("未知的清单类型。"))
    draft = (
        ListVersion.objects.select_for_update()
        .filter(district=district, kind=kind, status=ListVersion.Status.DRAFT)
        .first()
    )
    if draft is not None:
        return draft
    latest = ListVersion.objects.filter(district=district, kind=kind).order_by("-number").first()
    draft = ListVersion.objects.create(
        district=district, kind=kind, number=(latest.number + 1) if latest else 1,
        status=ListVersion.Status.DRAFT, source=latest.source if latest else "",
        based_on=latest, created_by=_u(actor),
    )  # fmt: skip
    if latest is not None:
        ListEntry.objects.bulk_create(
            [
                ListEntry(
                    version=draft,
                    district=district,
                    kind=kind,
                    key=e.key,
                    title=e.title,
                    category=e.category,
                    legal_basis=e.legal_basis,
                    department_id=e.department_id,
                    handled_by=e.handled_by,
                    keywords=e.keywords,
                    note=e.note,
                    position=e.position,
                )
                for e in latest.entries.all()
            ]
        )
    audit.record(
        actor=actor, action="admission.list_draft", obj=draft, place=district,
        changes={"kind": kind, "number": draft.number},
    )  # fmt: skip
    return draft


def _check_category(kind: str, category: str) -> str:
    category = (category or "").strip()
    if kind == ListKind.POWER and category not in PowerCategory.values:
        raise ValidationError(_("权力清单事项的类别应为基本履职、配合履职或上级收回。"))
    if kind == ListKind.CERTIFICATE and category not in CertificateCategory.values:
        raise ValidationError(_("证明事项的类别应为“社区不应出具”或“社区可以出具”。"))
    return category[:100]


@one_write
def list_entry_save(
    *,
    actor,
    version: ListVersion,
    key: str,
    title: str,
    category: str = "",
    legal_basis: str = "",
    department: Department | None = None,
    handled_by: str = "",
    keywords: str = "",
    note: str = "",
) -> ListEntry:
    """Add an entry to a draft, or change the draft's entry with the same key."""
    version = ListVersion.objects.select_for_update().get(pk=version.pk)
    _require(actor, "admission.edit_lists", version.district)
    if version.status != ListVersion.Status.DRAFT:
        raise ValidationError(_("已发布的版本不能修改，请先新建草稿。"))
    key = (key or "").strip()
    if not KEY_PATTERN.match(key):
        raise ValidationError(_("编号应为1–32位字母、数字、-或_。"), code="key")
    values = {
        "title": _text(title, _("事项名称")),
        "category": _check_category(version.kind, category),
        "legal_basis": _text(legal_basis, _("法律政策依据"), required=False, limit=2000),
        "department": department,
        "handled_by": _text(handled_by, _("办理机关"), required=False),
        "keywords": _text(keywords, _("匹配关键词"), required=False, limit=300),
        "note": _text(note, _("说明"), required=False, limit=2000),
    }
    if department is not None and department.district_id != version.district_id:
        raise ValidationError(_("责任部门不属于本区。"))
    if version.kind == ListKind.CERTIFICATE and (
        values["category"] == CertificateCategory.MUST_NOT_ISSUE and not values["handled_by"]
    ):
        raise ValidationError(_("社区不应出具的证明须注明由哪个机关办理。"))
    if version.kind == ListKind.NEGATIVE and not values["keywords"]:
        raise ValidationError(_("负面清单事项须填写匹配关键词，用于自动比对申请。"))
    entry = ListEntry.objects.filter(version=version, key=key).first()
    if entry is None:
        position = (version.entries.aggregate(m=Max("position"))["m"] or 0) + 1
        entry = ListEntry.objects.create(
            version=version, district_id=version.district_id, kind=version.kind, key=key,
            position=position, **values,
        )  # fmt: skip
        changes = {"key": key, "title": values["title"]}
        action = "admission.list_entry_add"
    else:
        changes = audit.diff(entry, **values)
        for name, value in values.items():
            setattr(entry, name, value)
        entry.save()
        action = "admission.list_entry_change"
    audit.record(
        actor=actor, action=action, obj=entry, place=version.district,
        changes={"version": str(version), **changes},
    )  # fmt: skip
    return entry


@one_write
def list_entry_remove(*, actor, entry: ListEntry) -> None:
    version = ListVersion.objects.select_for_update().get(pk=entry.version_id)
    _require(actor, "admission.edit_lists", version.district)
    if version.status != ListVersion.Status.DRAFT:
        raise ValidationError(_("已发布的版本不能修改，请先新建草稿。"))
    audit.record(
        actor=actor, action="admission.list_entry_remove", obj=entry, place=version.district,
        changes={"version": str(version), "key": entry.key, "title": entry.title},
    )  # fmt: skip
    entry.delete()  # a draft's entry: nothing refers to it yet


@one_write
def list_publish(
    *, actor, version: ListVersion, effective_from: datetime.date, source: str = "", note: str = ""
) -> ListVersion:
    """Publish a draft: from `effective_from` on it is the list in force."""
    version = ListVersion.objects.select_for_update().get(pk=version.pk)
    _require(actor, "admission.edit_lists", version.district)
    if version.status != ListVersion.Status.DRAFT:
        raise ValidationError(_("该版本已发布。"))
    if not isinstance(effective_from, datetime.date):
        raise ValidationError(_("请填写生效日期。"))
    if effective_from < local_today():
        raise ValidationError(_("生效日期不能早于今天。"))
    latest = (
        ListVersion.objects.filter(
            district=version.district, kind=version.kind, status=ListVersion.Status.PUBLISHED
        )
        .order_by("-effective_from")
        .first()
    )
    if latest is not None and effective_from < latest.effective_from:
        raise ValidationError(
            _("生效日期不能早于上一版（第%(n)d版，%(d)s生效）。"),
            params={"n": latest.number, "d": latest.effective_from},
        )
    if not version.entries.exists():
        raise ValidationError(_("清单为空，不能发布。"))
    version.status = ListVersion.Status.PUBLISHED
    version.effective_from = effective_from
    version.source = _text(source, _("依据"), required=False, limit=300) or version.source
    version.note = _text(note, _("修订说明"), required=False, limit=2000) or version.note
    version.published_by = _u(actor)
    version.published_at = clock.now()
    version.save()
    audit.record(
        actor=actor, action="admission.list_publish", obj=version, place=version.district,
        changes={"effective_from": effective_from, "entries": version.entries.count()},
    )  # fmt: skip
    return version
