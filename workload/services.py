"""Every write on work in communities. Each writes its trace (留痕) in the same transaction."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from admission import offices
from admission.selectors import Frequency, WorkKind, admitted_item_for_update
from admission.services import TASK_MATCH, TASK_REFUSE_BELOW, item_is_usable, task_match
from core import audit, clock
from core import calendar as workcal
from core.clock import one_write
from core.models import Department, Place, PlaceLevel, Role, User
from core.selectors import role_holders
from core.validation import clean_int as _int
from core.validation import clean_text as _text
from core.validation import require_perm as _require
from notify import services as notify
from workload import hooks, summary
from workload.models import RefusedWork, Task, TimeLog, Trace

MAX_DUE_WORKING_DAYS = 250
MAX_MINUTES = 100_000


def trace(*, task: Task | None, community: Place, department: Department, item, actor, action,
          minutes: int = 0, note: str = "") -> Trace:  # fmt: skip
    """Append one trace. Only called by the services below, inside their transaction."""
    return Trace.objects.create(
        district_id=community.district_id, community=community, task=task, item=item,
        department=department, action=action, actor=actor, actor_name=str(actor)[:150],
        minutes=minutes, note=note,
    )  # fmt: skip


def _workers(community_ids) -> list[User]:
    return list(role_holders({Role.COMMUNITY_WORKER}, places=community_ids))


def period_window(frequency: str, day: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """The calendar window in which an item of `frequency` may send one task to a community."""
    if frequency == Frequency.WEEKLY:
        start = day - datetime.timedelta(days=day.weekday())
        return start, start + datetime.timedelta(days=6)
    if frequency == Frequency.MONTHLY:
        start = day.replace(day=1)
        following = (start + datetime.timedelta(days=32)).replace(day=1)
        return start, following - datetime.timedelta(days=1)
    if frequency == Frequency.QUARTERLY:
        first_month = (day.month - 1) // 3 * 3 + 1
        start = day.replace(month=first_month, day=1)
        following = (start + datetime.timedelta(days=95)).replace(day=1)
        return start, following - datetime.timedelta(days=1)
    if frequency == Frequency.YEARLY:
        return day.replace(month=1, day=1), day.replace(month=12, day=31)
    return None  # once: one task per community over the whole period


def _item_text(item) -> str:
    """The words an item was admitted with: its application's content and cited list entry."""
    request = item.request
    cited = item.cited_entry.title if item.cited_entry_id else ""
    return f"{request.description}{cited}"


def content_match(*, item, title: str, description: str, mismatch_reason: str) -> tuple[int, str]:
    """(match percent, reason) of a task under `item`: other work (below TASK_REFUSE_BELOW) is
    refused; a partial match needs the sender's reason, which the coordinators see."""
    score = task_match(
        item_title=item.title, item_text=_item_text(item), title=title, description=description
    )
    percent = round(score * 100)
    params = {"title": title, "number": item.number, "item": item.title, "p": percent}
    if score < TASK_REFUSE_BELOW:
        raise ValidationError(
            _(
                "任务“%(title)s”与准入事项%(number)s“%(item)s”内容不符（相符度%(p)d%%，"
                "低于%(low)d%%）：任务须与所属准入事项一致，请在对应的准入事项下派发，"
                "或先申请准入。"
            ),
            params={**params, "low": round(TASK_REFUSE_BELOW * 100)},
            code="task_mismatch",
        )
    reason = _text(mismatch_reason, _("理由"), required=False, limit=1000)
    if score >= TASK_MATCH:
        return percent, ""
    if not reason:
        raise ValidationError(
            _(
                "任务“%(title)s”与准入事项%(number)s“%(item)s”内容不完全相符（相符度%(p)d%%）："
                "请说明为何属于该事项（区减负办可见），或修改任务内容。"
            ),
            params=params,
            code="task_needs_reason",
        )
    return percent, reason


def _refuse_transferred(item, communities, today: datetime.date) -> None:
    """Work an organisation took over by contract (承接政府转移职能) is not sent to the community
    while the contract is in force: it moved, with its money (workload.hooks transfers)."""
    for moved in hooks.transfers([c.pk for c in communities], today, today):
        if moved["item_id"] != item.pk:
            continue
        name = next(c.name for c in communities if c.pk == moved["community_id"])
        raise ValidationError(
            _("“%(name)s”的准入事项%(number)s已由%(org)s承接（购买服务合同，%(start)s至%(end)s），"
              "这项工作随合同转移给该组织，不再向社区派发任务。"),
            params={"name": name, "number": item.number, "org": moved["organisation"],
                    "start": moved["starts_on"], "end": moved["ends_on"]},
            code="transferred",
        )  # fmt: skip


@one_write
def tasks_dispatch(
    *,
    actor,
    item,
    communities,
    title: str,
    description: str = "",
    due_in_working_days: int,
    dispatch_token: str,
    mismatch_reason: str = "",
) -> list[Task]:
    """Send an admitted item's work to communities in its scope, within its admitted frequency.
    The task's content must match the item (``content_match``)."""
    if item is None:
        raise ValidationError(
            _("任务须属于一个准入事项：未经准入的工作不能派给社区，请先提出准入申请。"),
            code="no_item",
        )
    item = admitted_item_for_update(item)
    _require(actor, "workload.dispatch", item, _("只有该准入事项所属部门的工作人员可以派发任务。"))
    today = workcal.local_today()
    if not item_is_usable(item, today):
        raise ValidationError(
            _("准入事项%(number)s已退出或不在准入期限内（%(start)s至%(end)s），不能派发任务。"),
            params={"number": item.number, "start": item.period_start, "end": item.period_end},
            code="item_not_usable",
        )
    token = _text(dispatch_token, _("提交标识"), limit=64)
    if Task.objects.filter(item=item, dispatch_token=token).exists():
        raise ValidationError(_("这批任务已经派发过，请勿重复提交。"), code="duplicate_submit")
    title = _text(title, _("任务名称"))
    description = _text(description, _("要求"), required=False, limit=5000)
    percent, reason = content_match(
        item=item, title=title, description=description, mismatch_reason=mismatch_reason
    )
    days = _int(due_in_working_days, _("完成期限（工作日）"), 1, MAX_DUE_WORKING_DAYS)
    communities = list(communities or [])
    if not communities:
        raise ValidationError(_("请选择社区。"))
    scopes = {s.community_id: s for s in item.scopes.select_related("community")}
    for community in communities:
        if community.pk not in scopes:
            raise ValidationError(
                _("“%(name)s”不在准入事项%(number)s的准入范围内，不能向其派发任务。"),
                params={"name": community.name, "number": item.number},
                code="outside_scope",
            )
    _refuse_transferred(item, communities, today)
    window = period_window(item.frequency, today)
    earlier = Task.objects.filter(item=item, community__in=communities)
    if window is not None:
        earlier = earlier.filter(created_at__date__gte=window[0], created_at__date__lte=window[1])
    over = earlier.select_related("community").first()
    if over is not None:
        raise ValidationError(
            _("“%(name)s”本期已收到该事项的任务，超过准入频次（%(freq)s）。"),
            params={"name": over.community.name, "freq": item.get_frequency_display()},
            code="over_frequency",
        )
    now = clock.now()
    due_at = workcal.add_working_days(now, days)
    tasks = []
    for community in communities:
        task = Task(
            district_id=item.district_id, street_id=community.parent_id, community=community,
            item=item, scope=scopes[community.pk], department=item.department, title=title,
            description=description, due_at=due_at, created_by=actor, dispatch_token=token,
            match_percent=percent, mismatch_reason=reason or None,
        )  # fmt: skip
        try:
            with transaction.atomic():
                task.save()
        except IntegrityError:
            raise ValidationError(_("这批任务已经派发过，请勿重复提交。")) from None
        trace(
            task=task, community=community, department=item.department, item=item, actor=actor,
            action=Trace.Action.ASSIGNED, minutes=item.minutes_per_community, note=title,
        )  # fmt: skip
        summary.bump(
            community=community, month=summary.month_of(task.created_at), tasks=1,
            forms=int(item.kind == WorkKind.FORM),
            inspections=int(item.kind == WorkKind.INSPECTION),
            meetings=int(item.kind == WorkKind.MEETING),
            estimated_minutes=item.minutes_per_community,
            open_estimate_minutes=item.minutes_per_community,
        )  # fmt: skip
        tasks.append(task)
    audit.record(
        actor=actor, action="workload.tasks_dispatch", obj=item, place=item.district,
        changes={"title": title, "communities": [c.name for c in communities],
                 "due_at": due_at, "match_percent": percent, "mismatch_reason": reason},
    )  # fmt: skip
    if reason:
        _tell_coordinators_of_mismatch(item=item, tasks=tasks, percent=percent, reason=reason)
    notify.send(
        kind="workload.task_new",
        recipients=_workers([c.pk for c in communities]),
        params={"title": title, "dept": item.department.name, "number": item.number,
                "due": clock.shown(due_at, "%Y-%m-%d")},
        url=reverse("workload:task_list"),
        actor=actor,
    )  # fmt: skip
    return tasks


def _tell_coordinators_of_mismatch(*, item, tasks, percent: int, reason: str) -> None:
    notify.send(
        kind="workload.task_mismatch",
        recipients=role_holders({Role.COORDINATOR}, places=[item.district_id]),
        params={"title": tasks[0].title, "dept": item.department.name, "number": item.number,
                "item": item.title, "p": percent, "r": reason},
        url=reverse("workload:task_detail", args=[tasks[0].pk]),
    )  # fmt: skip


def _open_task(task: Task) -> Task:
    task = Task.objects.select_for_update().select_related("item", "community").get(pk=task.pk)
    if task.status != Task.Status.OPEN:
        raise ValidationError(
            _("该任务已%(status)s。"), params={"status": task.get_status_display()}
        )
    return task


@one_write
def task_complete(*, actor, task: Task, minutes_spent, result: str = "") -> Task:
    task = _open_task(task)
    _require(actor, "workload.work_task", task, _("只有该社区的社区工作者可以办理任务。"))
    minutes = _int(minutes_spent, _("实际用时（分钟）"), 0, MAX_MINUTES)
    task.status = Task.Status.DONE
    task.closed_at, task.closed_by = clock.now(), actor
    task.minutes_spent = minutes
    task.result = _text(result, _("办理情况"), required=False, limit=5000)
    task.save()
    summary.bump(
        community=task.community, month=summary.month_of(task.created_at), done=1,
        logged_minutes=minutes, open_estimate_minutes=-task.item.minutes_per_community,
    )  # fmt: skip
    trace(
        task=task, community=task.community, department=task.department, item=task.item,
        actor=actor, action=Trace.Action.COMPLETED, minutes=minutes, note=task.result,
    )  # fmt: skip
    audit.record(
        actor=actor, action="workload.task_complete", obj=task, changes={"minutes": minutes}
    )
    notify.send(
        kind="workload.task_done",
        recipients=[task.created_by],
        params={"community": task.community.name, "title": task.title, "result": task.result},
        url=reverse("workload:task_detail", args=[task.pk]),
    )
    return task


@one_write
def task_refuse(*, actor, task: Task, reason: str) -> Task:
    """Refuse a task whose item is no longer admitted (withdrawn or out of its period)."""
    task = _open_task(task)
    _require(actor, "workload.work_task", task, _("只有该社区的社区工作者可以办理任务。"))
    if item_is_usable(task.item):
        raise ValidationError(
            _("该任务来自现行有效的准入事项%(number)s，不能拒绝；如有异议请向区减负办反映。"),
            params={"number": task.item.number},
        )
    reason = _text(reason, _("拒绝理由"), limit=2000)
    task.status = Task.Status.REFUSED
    task.closed_at, task.closed_by, task.result = clock.now(), actor, reason
    task.save()
    refusal = RefusedWork.objects.create(
        district_id=task.district_id, street_id=task.street_id, community=task.community,
        department=task.department, task=task, channel=RefusedWork.Channel.TASK,
        description=f"{task.title}：{reason}", refused_by=actor,
    )  # fmt: skip
    summary.bump(
        community=task.community, month=summary.month_of(refusal.refused_at),
        refused_unadmitted=1,
    )  # fmt: skip
    trace(
        task=task, community=task.community, department=task.department, item=task.item,
        actor=actor, action=Trace.Action.REFUSED, note=reason,
    )  # fmt: skip
    audit.record(actor=actor, action="workload.task_refuse", obj=task, changes={"reason": reason})
    return task


def _pusher(community: Place, department: Department | None, street_office: bool) -> Department:
    """The body a refusal names: a department of the district, or the community's own street
    office (``street_office``; created the first time it is named)."""
    if street_office:
        if department is not None:
            raise ValidationError(_("请只选择一个派活单位（部门或街道办事处）。"))
        return offices.street_office(community.parent)
    if department is None:
        raise ValidationError(_("请选择派活单位（职能部门或本街道办事处）。"))
    if department.district_id != community.district_id:
        raise ValidationError(_("该部门不属于本区。"))
    if department.street_id is not None and department.street_id != community.parent_id:
        raise ValidationError(
            _("%(office)s不管辖本社区：只能登记本街道办事处派的活。"),
            params={"office": department.name},
        )
    return department


@one_write
def unadmitted_refuse(
    *,
    actor,
    community: Place,
    department: Department | None = None,
    street_office: bool = False,
    channel: str,
    description: str,
) -> RefusedWork:
    """Record that the community refused work pushed on it without admission (a right).
    It counts against the department or street office that pushed it, and the district
    coordinators hear of it."""
    community = Place.objects.select_related("parent").get(pk=community.pk)
    if community.level != PlaceLevel.COMMUNITY:
        raise ValidationError(_("请选择社区。"))
    _require(actor, "workload.refuse_unadmitted", community, _("只有本社区的社区工作者可以登记。"))
    department = _pusher(community, department, street_office)
    if channel not in RefusedWork.Channel.values:
        raise ValidationError(_("请选择派活方式。"))
    description = _text(description, _("被要求做的事"), limit=2000)
    refusal = RefusedWork.objects.create(
        district_id=community.district_id, street_id=community.parent_id, community=community,
        department=department, channel=channel, description=description, refused_by=actor,
    )  # fmt: skip
    summary.bump(
        community=community, month=summary.month_of(refusal.refused_at), refused_unadmitted=1
    )
    trace(
        task=None, community=community, department=department, item=None, actor=actor,
        action=Trace.Action.REFUSED_UNADMITTED, note=description,
    )  # fmt: skip
    audit.record(
        actor=actor, action="workload.unadmitted_refuse", obj=refusal,
        changes={"department": department.name, "channel": channel},
    )  # fmt: skip
    notify.send(
        kind="workload.refusal",
        recipients=role_holders({Role.COORDINATOR}, places=[community.district_id]),
        params={"community": community.name, "dept": department.name, "description": description},
        url=reverse("workload:refusals"),
    )
    return refusal


MAX_LOG_DAYS_BACK = 62


@one_write
def time_log(
    *,
    actor,
    community: Place,
    category: str,
    day: datetime.date,
    minutes,
    note: str,
    submit_token: str,
) -> TimeLog:
    """A community worker logs time spent on services or self-government (the administration
    share comes from tasks). Counted in the burden index's time shares."""
    community = Place.objects.get(pk=community.pk)
    if community.level != PlaceLevel.COMMUNITY:
        raise ValidationError(_("请选择社区。"))
    _require(actor, "workload.log_time", community, _("只有本社区的社区工作者可以登记用时。"))
    if category not in TimeLog.Category.values:
        raise ValidationError(_("请选择类别（为民服务或居民自治）。"))
    if not isinstance(day, datetime.date):
        raise ValidationError(_("请填写日期。"))
    today = workcal.local_today()
    if day > today:
        raise ValidationError(_("日期不能晚于今天。"))
    if day < today - datetime.timedelta(days=MAX_LOG_DAYS_BACK):
        raise ValidationError(_("只能登记%(n)d天以内的用时。"), params={"n": MAX_LOG_DAYS_BACK})
    minutes = _int(minutes, _("用时（分钟）"), 1, 24 * 60)
    note = _text(note, _("做了什么"))
    token = _text(submit_token, _("提交标识"), limit=64)
    if TimeLog.objects.filter(logged_by=actor, submit_token=token).exists():
        raise ValidationError(_("这条用时已经登记过，请勿重复提交。"), code="duplicate_submit")
    entry = TimeLog.objects.create(
        district_id=community.district_id, community=community, category=category, day=day,
        minutes=minutes, note=note, logged_by=actor, submit_token=token,
    )  # fmt: skip
    summary.bump(community=community, month=day, **{f"{category}_minutes": minutes})
    audit.record(
        actor=actor, action="workload.time_log", obj=entry,
        changes={"category": category, "day": day, "minutes": minutes, "note": note},
    )  # fmt: skip
    return entry


@one_write
def burden_rebuild(*, actor=None, community_ids=None) -> int:
    """Recount the monthly burden summary from tasks, refusals and time logs (a job; the
    services keep it current in their own transactions, so this only repairs)."""
    written = summary.rebuild(community_ids)
    audit.record(
        actor=actor, action="workload.burden_rebuild",
        changes={"rows": written, "communities": len(community_ids or []) or "all"},
    )  # fmt: skip
    return written
