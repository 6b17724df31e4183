"""Surge work (突击性任务, issue #16 item 6): an emergency outside the admission gate, recorded
by the community with its reason, the district's instruction (required) and each worker's
hours; approved or refused afterwards by the street or the district, its subsidy fixed at
approval as hours × the hourly rate in force (a rule row). Counted in the burden index."""

import datetime
import decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Place, PlaceLevel
from core.validation import clean_text
from core.validation import require_perm as _require
from workforce import defaults
from workforce.models import SurgeHours, SurgeRate, SurgeTask, Worker
from workforce.services.checks import a_choice, a_date, after
from workforce.services.pay import _district, _int
from workforce.workers import in_post

MAX_DAYS = 92
MAX_HOURS_A_DAY = 16


@one_write
def surge_rate_create(*, actor, district: Place, name: str, hourly_fen, source: str,
                      effective_from: datetime.date) -> SurgeRate:  # fmt: skip
    district = _district(district)
    _require(actor, "workforce.set_pay", district, _("只有区管理员或区减负办可以设定突击性任务补贴标准。"))  # fmt: skip
    rate = SurgeRate(
        district=district, name=clean_text(name, _("名称"), limit=100),
        hourly_fen=_int(hourly_fen, _("每小时补贴（分）"), 1, 100_000),
        source=clean_text(source, _("政策依据"), limit=300),
        effective_from=a_date(effective_from, _("生效日期")), created_by=actor,
    )  # fmt: skip
    if SurgeRate.objects.filter(district=district, effective_from=effective_from).exists():
        raise ValidationError(_("%(date)s已有一条补贴标准生效；请换一个生效日期。"),
                              params={"date": effective_from.isoformat()}, code="same_start")  # fmt: skip
    rate.save()
    audit.record(actor=actor, action="workforce.surge_rate_create", obj=rate, place=district,
                 changes={"hourly_fen": rate.hourly_fen, "source": rate.source,
                          "effective_from": effective_from.isoformat()})  # fmt: skip
    return rate


@one_write
def surge_rates_seed(*, actor, district: Place) -> int:
    district = _district(district)
    _require(actor, "workforce.set_pay", district)
    if SurgeRate.objects.filter(district=district).exists():
        return 0
    SurgeRate.objects.create(district=district, created_by=actor, **defaults.SURGE_RATE)
    audit.record(
        actor=actor, action="workforce.surge_rates_seed", obj=district, changes={"rates": 1}
    )
    return 1


def _minutes(value, name: str, days: int) -> int:
    try:
        hours = decimal.Decimal(str(value).strip())
    except (decimal.InvalidOperation, TypeError):
        hours = None
    high = days * MAX_HOURS_A_DAY
    if hours is None or not hours.is_finite() or not 0 < hours <= high:
        raise ValidationError(
            _("%(name)s的工作时长应大于0、不超过%(high)d小时（每天最多%(day)d小时）。"),
            params={"name": name, "high": high, "day": MAX_HOURS_A_DAY}, code="hours",
        )  # fmt: skip
    return int((hours * 60).to_integral_value(decimal.ROUND_HALF_UP))


def _hours(hours, community, started_on, ended_on) -> dict[Worker, int]:
    if not hours:
        raise ValidationError(_("请填写参加突击性任务的社区工作者及其工作时长。"), code="no_hours")
    ids = [
        key.pk if isinstance(key, Worker) else _int(key, _("社区工作者"), 1, 2**62) for key in hours
    ]
    found = {w.pk: w for w in Worker.objects.filter(pk__in=ids, community=community).filter(
        in_post(started_on) | in_post(ended_on)).select_related("person")}  # fmt: skip
    days = (ended_on - started_on).days + 1
    clean = {}
    for key, value in hours.items():
        worker = found.get(key.pk if isinstance(key, Worker) else int(key))
        if worker is None:
            raise ValidationError(_("只能登记本社区任务期间在岗的社区工作者。"), code="not_in_post")
        clean[worker] = _minutes(value, worker.person.name, days)
    return clean


@one_write
def surge_task_record(
    *, actor, community: Place, kind: str, reason: str, instruction: str,
    started_on: datetime.date, ended_on: datetime.date, hours: dict,
) -> SurgeTask:  # fmt: skip
    """An emergency task and each worker's hours (``hours``: {worker or id: hours}), waiting
    for the street's or the district's approval."""
    if community is None or community.level != PlaceLevel.COMMUNITY:
        raise ValidationError(_("突击性任务按社区登记，请选择社区。"), code="not_a_community")
    _require(actor, "workforce.record_surge", community, _("您无权为该社区登记突击性任务。"))
    kind = a_choice(kind, SurgeTask.Kind, _("类别"))
    reason = clean_text(reason, _("事由"), limit=300)
    instruction = clean_text(
        instruction, _("区级指令"), limit=300,
        missing=_("突击性任务须写明区级指令（发文或通知的名称、文号），没有区级指令的任务应通过准入申请。"),
    )  # fmt: skip
    started_on = a_date(started_on, _("开始日期"), not_future=True)
    ended_on = a_date(ended_on, _("结束日期"), not_future=True)
    after(started_on, ended_on, _("结束日期不能早于开始日期。"))
    if (ended_on - started_on).days >= MAX_DAYS:
        raise ValidationError(_("一次突击性任务不超过%(n)d天；更长的工作应通过准入申请。"),
                              params={"n": MAX_DAYS}, code="too_long")  # fmt: skip
    clean = _hours(hours, community, started_on, ended_on)
    task = SurgeTask.objects.create(
        district_id=community.district_id, community=community, kind=kind, reason=reason,
        instruction=instruction, started_on=started_on, ended_on=ended_on, recorded_by=actor,
        recorded_at=clock.now(),
    )  # fmt: skip
    SurgeHours.objects.bulk_create(
        SurgeHours(district_id=community.district_id, community=community, task=task, worker=w, minutes=m)
        for w, m in clean.items()
    )  # fmt: skip
    audit.record(actor=actor, action="workforce.surge_task_record", obj=task,
                 changes={"kind": kind, "instruction": instruction, "started_on": started_on.isoformat(),
                          "ended_on": ended_on.isoformat(),
                          "minutes": {str(w.pk): m for w, m in clean.items()}})  # fmt: skip
    return task


def _locked_recorded(actor, task) -> SurgeTask:
    task = SurgeTask.objects.select_for_update().select_related("community").get(pk=task.pk)
    _require(actor, "workforce.approve_surge", task.community, _("突击性任务由街道或区审核，您无权审核。"))  # fmt: skip
    if task.state != SurgeTask.State.RECORDED:
        raise ValidationError(_("该任务已审核。"), code="already_decided")
    return task


@one_write
def surge_task_approve(*, actor, task: SurgeTask, note: str = "") -> SurgeTask:
    """Approve afterwards: the subsidy is fixed by the hourly rate in force on the last day."""
    task = _locked_recorded(actor, task)
    rate = SurgeRate.objects.in_force(task.ended_on, district_id=task.district_id)
    if rate is None:
        raise ValidationError(_("本区尚未设定突击性任务补贴标准，请先由区设定。"), code="no_rate")
    minutes = sum(task.hours.values_list("minutes", flat=True))
    task.state, task.rate = SurgeTask.State.APPROVED, rate
    task.subsidy_fen = -(-minutes * rate.hourly_fen // 60)
    task.decision_note = clean_text(note, _("审核意见"), required=False, limit=300)
    task.decided_by, task.decided_at = actor, clock.now()
    task.save(
        update_fields=["state", "rate", "subsidy_fen", "decision_note", "decided_by", "decided_at"]
    )
    audit.record(actor=actor, action="workforce.surge_task_approve", obj=task,
                 changes={"minutes": minutes, "hourly_fen": rate.hourly_fen,
                          "subsidy_fen": task.subsidy_fen})  # fmt: skip
    return task


@one_write
def surge_task_refuse(*, actor, task: SurgeTask, note: str) -> SurgeTask:
    """Refuse afterwards, with the reason (no subsidy; the hours still count in the burden)."""
    task = _locked_recorded(actor, task)
    task.decision_note = clean_text(
        note, _("审核意见"), limit=300, missing=_("不予通过须写明理由。")
    )
    task.state, task.decided_by, task.decided_at = SurgeTask.State.REFUSED, actor, clock.now()
    task.save(update_fields=["state", "decision_note", "decided_by", "decided_at"])
    audit.record(actor=actor, action="workforce.surge_task_refuse", obj=task,
                 changes={"note": task.decision_note})  # fmt: skip
    return task
