"""The annual inspection plan (督查检查考核计划), inspections held in a community — several
admitted items merged into one visit (联合检查, 综合查一次) with the materials Linli already holds
attached by the system — and the community's rating of each (基层评机关)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from admission.models import (
    AdmittedItem,
    AdmittedScope,
    Inspection,
    InspectionPlan,
    InspectionRating,
    WorkKind,
)
from admission.offices import acts_for
from admission.services.caps import inspections_of_year
from core import audit, clock
from core.clock import one_write
from core.models import Department, Place, PlaceLevel
from core.validation import clean_int
from core.validation import clean_text as _text
from core.validation import require_perm as _require


@one_write
def plan_file(*, actor, department: Department, year) -> InspectionPlan:
    """A department (or street office) files its plan for the year: its inspection
    applications of that year, counted. Filing again before approval counts them again."""
    if not acts_for(actor, department):
        raise PermissionDenied(_("您只能报送本单位的督查检查考核计划。"))
    year = clean_int(year, _("年度"), 2000, 2100)
    district = Place.objects.select_for_update().get(pk=department.district_id)
    total = inspections_of_year(district, year).filter(department=department).count()
    if not total:
        raise ValidationError(
            _("%(year)d年度尚无督查检查考核申请，请先逐项提出准入申请（类型：督查检查考核）。"),
            params={"year": year},
            code="empty_plan",
        )
    plan = InspectionPlan.objects.filter(department=department, year=year).first()
    if plan is not None and plan.status == InspectionPlan.Status.APPROVED:
        raise ValidationError(_("该年度计划已批准，不能再修改。"), code="approved")
    if plan is None:
        plan = InspectionPlan(district=district, department=department, year=year)
    plan.status, plan.total, plan.filed_by = InspectionPlan.Status.FILED, total, actor
    plan.save()
    audit.record(
        actor=actor, action="admission.plan_file", obj=plan, changes={"year": year, "total": total}
    )
    return plan


@one_write
def plan_approve(*, actor, plan: InspectionPlan) -> InspectionPlan:
    """The district approves a filed plan: from then on the body's inspections of that year
    outside the plan are refused at submission."""
    plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    _require(actor, "admission.review", plan.district, _("只有区减负办可以批准年度计划。"))
    if plan.status != InspectionPlan.Status.FILED:
        raise ValidationError(_("该计划已经批准。"), code="approved")
    plan.total = (
        inspections_of_year(plan.district, plan.year).filter(department=plan.department).count()
    )
    plan.status, plan.approved_by, plan.approved_at = (
        InspectionPlan.Status.APPROVED,
        actor,
        clock.now(),
    )
    plan.save()
    audit.record(
        actor=actor, action="admission.plan_approve", obj=plan,
        changes={"year": plan.year, "total": plan.total},
    )  # fmt: skip
    return plan


def _items_for(community: Place, items, day: datetime.date) -> list[AdmittedItem]:
    items = list(items or [])
    if not items:
        raise ValidationError(_("请选择本次检查的督查检查事项。"), code="items")
    usable = set(
        AdmittedScope.objects.filter(
            community=community, item__in=[i.pk for i in items], item__status="active",
            item__kind=WorkKind.INSPECTION, item__period_start__lte=day,
            item__period_end__gte=day,
        ).values_list("item_id", flat=True)
    )  # fmt: skip
    for item in items:
        if item.pk not in usable:
            raise ValidationError(
                _(
                    "“%(number)s %(title)s”不是%(day)s对%(name)s有效的督查检查准入事项，"
                    "未经准入的检查不能进入社区。"
                ),
                params={"number": item.number, "title": item.title, "day": day.isoformat(),
                        "name": community.name},
                code="not_admitted",
            )  # fmt: skip
    return items


def _may_record(actor, items: list[AdmittedItem], community: Place) -> None:
    if actor.has_perm("admission.review", community.district):
        return
    if not any(acts_for(actor, item.department) for item in items):
        raise PermissionDenied(_("只有检查事项所属单位或区减负办可以登记检查。"))


def materials_for(community: Place, items: list[AdmittedItem], day: datetime.date) -> list[dict]:
    """What the inspectors read, from what Linli holds: the community's ledger of the month
    (tasks and traces), its burden page, and each item's materials told once, each pointing to
    the ledger rather than to papers prepared for the visit."""
    month = day.strftime("%Y-%m")
    ledger = reverse("workload:ledger") + f"?community={community.pk}&month={month}"
    found = [
        {"label": _("%(month)s月工作台账（系统生成）") % {"month": month}, "url": ledger},
        {
            "label": _("社区负担指数"),
            "url": reverse("workload:burden") + f"?community={community.pk}",
        },
    ]
    for item in items:
        for line in item.request.materials or []:
            found.append(
                {
                    "label": _("%(line)s（%(number)s，从系统台账调取）")
                    % {"line": line, "number": item.number},
                    "url": ledger,
                }
            )
    return found


@one_write
def inspection_record(
    *, actor, community: Place, items, held_on: datetime.date, submit_token: str
) -> Inspection:
    """An inspection took place in a community for one or more admitted inspection items
    (more than one: a joint inspection). Each item must be admitted for that community and in
    force on the day; the materials are attached from what Linli holds."""
    community = Place.objects.get(pk=community.pk)
    if community.level != PlaceLevel.COMMUNITY:
        raise ValidationError(_("请选择社区。"))
    if not isinstance(held_on, datetime.date):
        raise ValidationError(_("请填写检查日期。"), code="held_on")
    items = _items_for(community, items, held_on)
    _may_record(actor, items, community)
    token = (submit_token or "").strip()[:64]
    if not token:
        raise ValidationError(_("缺少提交标识，请刷新页面后重试。"))
    if Inspection.objects.filter(community=community, submit_token=token).exists():
        raise ValidationError(_("这次检查已经登记过，请勿重复提交。"), code="duplicate_submit")
    inspection = Inspection(
        district_id=community.district_id, community=community, held_on=held_on,
        merged=len({i.pk for i in items}) > 1, materials=materials_for(community, items, held_on),
        recorded_by=actor, submit_token=token,
    )  # fmt: skip
    try:
        with transaction.atomic():
            inspection.save()
    except IntegrityError:
        raise ValidationError(_("这次检查已经登记过，请勿重复提交。")) from None
    inspection.items.set(items)
    audit.record(
        actor=actor, action="admission.inspection_record", obj=inspection,
        changes={"items": [i.number for i in items], "held_on": held_on.isoformat(),
                 "merged": inspection.merged},
    )  # fmt: skip
    return inspection


@one_write
def inspection_rate(
    *, actor, inspection: Inspection, score, comment: str = "", burden_free: bool = True
) -> InspectionRating:
    """The community rates an inspection once (基层评机关); the rating is public to the
    district."""
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    _require(
        actor, "admission.rate_inspection", inspection.community,
        _("只有被检查社区的社区工作者可以评价这次检查。"),
    )  # fmt: skip
    if InspectionRating.objects.filter(inspection=inspection).exists():
        raise ValidationError(_("这次检查已经评价过。"), code="rated")
    score = clean_int(score, _("评分"), 1, 5)
    comment = _text(comment, _("评价说明"), required=False, limit=500)
    rating = InspectionRating.objects.create(
        district_id=inspection.district_id, community_id=inspection.community_id,
        inspection=inspection, score=score, comment=comment, burden_free=bool(burden_free),
        rated_by=actor,
    )  # fmt: skip
    audit.record(
        actor=actor, action="admission.inspection_rate", obj=rating,
        changes={"score": score, "burden_free": bool(burden_free)},
    )  # fmt: skip
    return rating
