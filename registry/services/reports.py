"""One-table reports (一表通): registered once, filled from the registry, kept in a forms ledger."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from admission.services import form_item_check, form_link
from core import audit
from core.clock import one_write
from core.models import Department, Person, Place
from core.validation import clean_int
from core.validation import require_perm as _require
from registry import defaults, values
from registry.models import Fact, Field, LedgerEntry, ReportColumn, ReportForm, Residence
from registry.services.facts import community_of, record_fact
from registry.services.fields import ensure_fields, field_named


def clean_population(district: Place, population: dict) -> dict:
    fields = ensure_fields(district)
    tags = [t for t in population.get("tags", []) if t]
    for tag in tags:
        if tag not in defaults.DERIVED_TAGS and not (tag in fields and fields[tag].is_tag):
            raise ValidationError(_("未知的统计对象标签“%(t)s”。"), params={"t": tag})
    result: dict = {"tags": tags}
    for bound in ("min_age", "max_age"):
        value = population.get(bound)
        if value in (None, ""):
            continue
        result[bound] = clean_int(value, _("年龄"), 0, 150)
    if result.get("min_age") is not None and result.get("max_age") is not None:
        if result["min_age"] > result["max_age"]:
            raise ValidationError(_("最小年龄不能大于最大年龄。"))
    return result


@one_write
def report_register(
    *,
    actor,
    department: Department,
    item=None,
    name: str,
    field_keys: list[str],
    new_columns: list[str] | None = None,
    population: dict | None = None,
) -> ReportForm:
    """Register a one-table report: fields from the registry, plus columns nobody holds yet.

    It stands on an admitted item of kind form of the same department (``item``; every form
    through admission). A new column that names a field the registry already holds is
    refused, saying who holds it: departments must not make communities collect it again
    (一数一源).
    """
    _require(actor, "registry.register_report", department, _("您无权为该部门登记报表。"))
    item = form_item_check(item, department)
    district = department.district
    fields = ensure_fields(district)
    name = values.text(name)
    if not name:
        raise ValidationError(_("报表名称不能为空。"))
    keys = _known_keys(fields, field_keys)
    added = _new_columns(district, new_columns or [])
    if not keys and not added:
        raise ValidationError(_("请至少选择一个字段。"))
    population = clean_population(district, population or {})
    if (
        ReportForm.objects.filter(department=department, name=name)
        .exclude(status=ReportForm.Status.STOPPED)
        .exists()
    ):
        raise ValidationError(_("本部门已有同名报表。"))
    report = ReportForm.objects.create(
        district=district, department=department, name=name, population=population,
        created_by=actor,
    )  # fmt: skip
    columns = _add_columns(report, [fields[k] for k in keys], added)
    form_link(report=report, item=item, actor=actor)
    LedgerEntry.objects.create(
        report=report, action="registered", actor=actor,
        note=_("%(n)d个字段，其中%(k)d个由字段库自动填写")
        % {"n": len(columns), "k": sum(1 for f in columns if f.owner_id or f.key in fields)},
    )  # fmt: skip
    audit.record(actor=actor, action="registry.report_register", obj=report, place=district,
                 changes={"fields": [f.label for f in columns], "population": population,
                          "item": item.number})  # fmt: skip
    return report


def _known_keys(fields: dict[str, Field], field_keys: list[str]) -> list[str]:
    """The chosen registry fields, once each, in order; an unknown key is refused."""
    keys = list(dict.fromkeys(k for k in field_keys if k))
    unknown = [k for k in keys if k not in fields]
    if unknown:
        raise ValidationError(_("字段库中没有：%(k)s。"), params={"k": "、".join(unknown)})
    return keys


def _new_columns(district: Place, new_columns: list[str]) -> list[str]:
    """The titles of columns nobody holds yet (at most 40 characters each). A title naming a
    field the registry holds is refused, saying who holds it (一数一源)."""
    refused, added = [], []
    for label in dict.fromkeys(values.text(c) for c in new_columns if values.text(c)):
        held = field_named(district, label)
        if held is not None:
            refused.append(
                _(
                    "“%(label)s”已由%(owner)s掌握（字段库“%(field)s”），请直接选用，不要让社区重复填报"
                )
                % {"label": label, "owner": held.owner_label, "field": held.label}
            )
        else:
            added.append(label[:40])
    if refused:
        raise ValidationError("；".join(refused) + "。", code="field_held")
    return added


def _add_columns(report: ReportForm, columns: list[Field], added: list[str]) -> list[Field]:
    """The report's columns: the chosen fields, then a new field for each new title."""
    for label in added:
        field = Field.objects.create(
            district=report.district, key=f"r{report.pk}_{len(columns)}", label=label,
            kind=values.kind_for_title(label), owner=None, order=500,
        )  # fmt: skip
        columns.append(field)
    ReportColumn.objects.bulk_create(
        ReportColumn(report=report, field=f, position=i, title=f.label)
        for i, f in enumerate(columns)
    )
    return columns


@one_write
def report_fill(*, actor, report: ReportForm, person: Person, key: str, raw) -> Fact | None:
    """A community fills one missing cell; the value becomes a shared fact (collected once)."""
    if report.status != ReportForm.Status.KEPT:
        raise ValidationError(_("此报表已停用或合并，不再填报。"))
    field = next(
        (c.field for c in report.columns.select_related("field") if c.field.key == key), None
    )
    if field is None:
        raise ValidationError(_("此报表没有该字段。"))
    residence = Residence.objects.filter(person=person).select_related("community", "grid").first()
    community = residence.community if residence else community_of(person)
    where = (residence.grid or community) if residence else community
    _require(actor, "registry.fill_report", where, _("您无权填报此人的信息。"))
    if values.text(raw) == "":
        raise ValidationError(_("请填写内容。"))
    clean = values.clean(field.kind, field.key, raw)
    outcome, fact, _conflict = record_fact(
        author=actor, person=person, field=field, clean=clean, source=None,
        label=_("社区填报（%(r)s）") % {"r": report.name}, community=community,
    )  # fmt: skip
    audit.record(actor=actor, action="registry.report_fill", obj=person, place=community,
                 changes={"report": report.name, "field": field.label, "outcome": outcome})  # fmt: skip
    return fact


@one_write
def report_set_status(
    *,
    actor,
    report: ReportForm,
    status: str,
    note: str = "",
    merged_into: ReportForm | None = None,
    item=None,
) -> ReportForm:
    """Forms ledger: keep, stop or merge a form (with a reason). A form registered before the
    gate is kept only on an admitted item of kind form of its department (``item``: the
    coordinator admits it), else stopped or merged."""
    report = ReportForm.objects.select_for_update().get(pk=report.pk)
    _require(actor, "registry.keep_ledger", report.district, _("只有区减负办可以调整报表台账。"))
    if status not in ReportForm.Status.values:
        raise ValidationError(_("未知的状态。"))
    admitted = status == ReportForm.Status.KEPT and not _has_admission(report)
    if admitted:
        item = form_item_check(item, report.department)
    note = values.text(note)
    if status != ReportForm.Status.KEPT and len(note) < 2:
        raise ValidationError(_("停用或合并报表须说明理由。"))
    if status == ReportForm.Status.MERGED:
        if merged_into is None or merged_into.pk == report.pk:
            raise ValidationError(_("请选择合并到的报表。"))
        if merged_into.district_id != report.district_id or merged_into.status != "kept":
            raise ValidationError(_("只能合并到本区仍在使用的报表。"))
    else:
        merged_into = None
    changes = audit.diff(report, status=status)
    report.status, report.merged_into = status, merged_into
    report.save(update_fields=["status", "merged_into"])
    if admitted:
        form_link(report=report, item=item, actor=actor, after_the_fact=True)
        changes["item"] = item.number
        note = note or _("经准入事项%(number)s保留") % {"number": item.number}
    LedgerEntry.objects.create(report=report, action=status, note=note[:200], actor=actor)
    audit.record(actor=actor, action="registry.report_status", obj=report, place=report.district,
                 changes={**changes, "note": note})  # fmt: skip
    return report


def _has_admission(report: ReportForm) -> bool:
    return hasattr(report, "admission") and report.admission is not None
