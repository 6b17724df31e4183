"""Yearly caps on inspections, meetings and documents (督查检查考核、会议、文件), an editable rule
table (``GateCap``) with its policy source, and the checks that refuse an application or a
registration over a cap, with the numbers (nothing written)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from admission.models import (
    AdmissionRequest,
    CapKind,
    CapPer,
    GateCap,
    InspectionPlan,
    WorkKind,
)
from core import audit
from core.clock import one_write
from core.models import Department, Place
from core.validation import clean_int
from core.validation import clean_text as _text
from core.validation import require_perm as _require

FORMALISM_RULES = "《整治形式主义为基层减负若干规定》（2024年8月）"

# Used while a district has set no cap of its own for a kind and scope: (limit, source).
DEFAULT_CAPS = {
    (CapKind.INSPECTION, CapPer.DEPARTMENT): (
        1,
        FORMALISM_RULES + "：每个部门每年原则上只开展1项综合性督查检查考核",
    ),
}
# Document length (characters): ordinary / special-topic documents.
DOCUMENT_LENGTH = 5000
SPECIAL_DOCUMENT_LENGTH = 4000
LENGTH_SOURCE = FORMALISM_RULES + "：文件一般不超过5000字，专项工作文件不超过4000字"
DOWN_ONLY_SOURCE = FORMALISM_RULES + "：发文、开会数量只减不增"

# Not counted against a cap: refused or withdrawn applications.
_NOT_COUNTED = (
    AdmissionRequest.Status.REFUSED,
    AdmissionRequest.Status.REFUSED_NEGATIVE,
    AdmissionRequest.Status.WITHDRAWN,
)


def cap_in_force(district: Place, kind: str, per: str, day: datetime.date):
    """(limit, source) of the cap in force on `day`, or None when there is none."""
    row = GateCap.objects.in_force(day, district=district, kind=kind, per=per)
    if row is not None:
        return row.yearly_limit, row.source
    return DEFAULT_CAPS.get((kind, per))


def caps_in_force(district: Place, day: datetime.date) -> list[dict]:
    """Every kind and scope with the cap in force (for the plan page)."""
    rows = []
    for kind in CapKind:
        for per in CapPer:
            found = cap_in_force(district, kind, per, day)
            rows.append(
                {
                    "kind": kind.label,
                    "per": per.label,
                    "limit": None if found is None else found[0],
                    "source": "" if found is None else found[1],
                }
            )
    return rows


@one_write
def cap_set(
    *,
    actor,
    district: Place,
    kind: str,
    per: str,
    yearly_limit,
    source: str,
    effective_from: datetime.date,
) -> GateCap:
    """The district's coordinator sets a cap from a day on (a new row; earlier rows stay)."""
    _require(actor, "admission.review", district, _("只有区减负办可以设置年度上限。"))
    if kind not in CapKind.values or per not in CapPer.values:
        raise ValidationError(_("请选择上限的类别和计算范围。"), code="cap_kind")
    limit = clean_int(yearly_limit, _("年度上限"), 0, 10_000)
    source = _text(source, _("政策依据"), limit=300)
    if not isinstance(effective_from, datetime.date):
        raise ValidationError(_("请填写生效日期。"), code="effective_from")
    if GateCap.objects.filter(
        district=district, kind=kind, per=per, effective_from=effective_from
    ).exists():
        raise ValidationError(
            _("同一类别和范围在%(day)s已有上限，请换一个生效日期。"),
            params={"day": effective_from.isoformat()},
            code="same_start",
        )
    cap = GateCap.objects.create(
        district=district, kind=kind, per=per, yearly_limit=limit, source=source,
        effective_from=effective_from, created_by=actor,
    )  # fmt: skip
    audit.record(
        actor=actor, action="admission.cap_set", obj=cap,
        changes={"kind": kind, "per": per, "limit": limit, "source": source,
                 "effective_from": effective_from.isoformat()},
    )  # fmt: skip
    return cap


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def inspections_of_year(district: Place, year: int):
    """Inspection applications counted against the year's caps (by their start date)."""
    first, last = _year_bounds(year)
    return AdmissionRequest.objects.filter(
        district=district, kind=WorkKind.INSPECTION, period_start__gte=first,
        period_start__lte=last,
    ).exclude(status__in=_NOT_COUNTED)  # fmt: skip


def check_inspection(
    *, district: Place, department: Department, communities: list[Place], start: datetime.date
) -> None:
    """Refuse an inspection application outside its body's approved plan for the year, or over
    the year's cap per body or per community, naming the numbers and the rule."""
    year = start.year
    plan = InspectionPlan.objects.filter(
        department=department, year=year, status=InspectionPlan.Status.APPROVED
    ).first()
    if plan is not None:
        raise ValidationError(
            _(
                "%(dept)s%(year)d年度督查检查考核计划已经区减负办批准（%(total)d项），"
                "计划外的督查检查考核不予受理。"
            ),
            params={"dept": department.name, "year": year, "total": plan.total},
            code="outside_plan",
        )
    counted = inspections_of_year(district, year)
    cap = cap_in_force(district, CapKind.INSPECTION, CapPer.DEPARTMENT, start)
    if cap is not None:
        filed = counted.filter(department=department).count()
        if filed + 1 > cap[0]:
            raise ValidationError(
                _(
                    "超出年度督查检查考核上限：%(dept)s%(year)d年已申报%(filed)d项，"
                    "上限%(limit)d项（依据：%(source)s）。"
                ),
                params={"dept": department.name, "year": year, "filed": filed,
                        "limit": cap[0], "source": cap[1]},
                code="over_cap",
            )  # fmt: skip
    cap = cap_in_force(district, CapKind.INSPECTION, CapPer.COMMUNITY, start)
    if cap is None:
        return
    for place in communities:
        reaching = counted.filter(communities=place).count()
        if reaching + 1 > cap[0]:
            raise ValidationError(
                _(
                    "超出年度督查检查考核上限：%(name)s%(year)d年已有%(n)d项督查检查考核，"
                    "每个社区上限%(limit)d项（依据：%(source)s）。请与已有检查合并（联合检查）。"
                ),
                params={"name": place.name, "year": year, "n": reaching, "limit": cap[0],
                        "source": cap[1]},
                code="over_cap",
            )  # fmt: skip


# Criteria an inspection may not use (形式主义): photos and traces, meetings held, documents
# issued, study notes. A criterion containing one of these words is refused.
BANNED_CRITERIA = {
    "拍照": gettext_lazy("拍照留痕"),
    "照片": gettext_lazy("拍照留痕"),
    "留痕": gettext_lazy("拍照留痕"),
    "开会": gettext_lazy("开会数量"),
    "会议次数": gettext_lazy("开会数量"),
    "召开会议": gettext_lazy("开会数量"),
    "发文": gettext_lazy("发文数量"),
    "文件数量": gettext_lazy("发文数量"),
    "学习笔记": gettext_lazy("学习笔记"),
}


def clean_list(raw, label: str, *, limit: int = 30) -> list[str]:
    """Lines of text (a list, or one a line), trimmed, without repeats."""
    if raw is None:
        return []
    parts = raw.splitlines() if isinstance(raw, str) else [str(p) for p in raw]
    lines = []
    for part in parts:
        line = part.strip()
        if line and line not in lines:
            lines.append(_text(line, label, limit=200))
    if len(lines) > limit:
        raise ValidationError(_("%(label)s最多%(n)d条。"), params={"label": label, "n": limit})
    return lines


def clean_criteria(raw) -> list[str]:
    """An inspection's criteria: holding meetings, issuing documents, photos as evidence and
    study notes may not be criteria of work."""
    criteria = clean_list(raw, _("检查考核标准"))
    for line in criteria:
        for word, what in BANNED_CRITERIA.items():
            if word in line:
                raise ValidationError(
                    _(
                        "检查考核标准“%(line)s”以%(what)s作为评价依据，不予接受"
                        "（依据：%(source)s：开会发文、拍照留痕、学习笔记不作为工作评价标准）。"
                    ),
                    params={"line": line, "what": what, "source": FORMALISM_RULES},
                    code="banned_criterion",
                )
    return criteria
