"""Scoped reads of work in communities: tasks, traces, ledgers and the burden index."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet

from admission.selectors import admitted_periods
from admission.selectors_formalism import gate_load_by_month
from core.models import Place
from core.rules import role_places
from core.selectors import subtrees
from workload import hooks, policies
from workload.models import BurdenMonth, RefusedWork, Task, TimeLog, Trace
from workload.policies import WORKERS


def communities_watched_by(user) -> QuerySet[Place]:
    """Communities whose work the user does or oversees (workload.policies.watched_communities)."""
    return policies.watched_communities(user)


def tasks_visible_to(user) -> QuerySet[Task]:
    return policies.visible_tasks(user)


def my_open_tasks(user) -> QuerySet[Task]:
    """Open tasks of the communities where the user is a community worker, soonest first."""
    query = subtrees(role_places(user, WORKERS), "community__path")
    return (
        Task.objects.filter(query, status=Task.Status.OPEN)
        .select_related("community", "item", "department")
        .order_by("due_at", "pk")
    )


def refusals_visible_to(user) -> QuerySet[RefusedWork]:
    refusals = RefusedWork.objects.select_related("community", "department", "refused_by")
    return policies.worked_or_sent(refusals, user)


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = month.replace(day=1)
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    return start, end


def ledger_traces(community: Place, month: datetime.date) -> QuerySet[Trace]:
    """The community's traces of one month: the ledger (台账), generated, never typed."""
    start, end = month_bounds(month)
    return (
        Trace.objects.filter(community=community, at__date__gte=start, at__date__lt=end)
        .select_related("item", "department", "task")
        .order_by("at", "pk")
    )


# ---------------------------------------------------------------- burden index


@dataclass
class BurdenRow:
    community_id: int
    month: datetime.date
    admitted_items: int = 0
    tasks: int = 0
    forms: int = 0
    inspections: int = 0
    meetings: int = 0
    estimated_minutes: int = 0
    logged_minutes: int = 0
    done: int = 0
    refused_unadmitted: int = 0
    burden_minutes: int = 0
    service_minutes: int = 0
    self_government_minutes: int = 0
    # Administration time other apps record (meetings attended, inspections hosted).
    activity_admin_minutes: int = 0
    documents: int = 0
    # Admitted items whose work an organisation took over this month (已转移): not counted in
    # ``admitted_items`` (workload.hooks transfers; civic's purchase-of-service contracts).
    transferred: list = field(default_factory=list)

    @property
    def index_hours(self) -> float:
        """The burden index: hours of pushed work — logged where done, estimated otherwise."""
        return round(self.burden_minutes / 60, 1)

    @property
    def recorded_minutes(self) -> int:
        """Community time the system knows of: administration (logged task time), services
        and self-government."""
        return self.administration_minutes + self.service_minutes + self.self_government_minutes

    @property
    def administration_minutes(self) -> int:
        return self.logged_minutes + self.activity_admin_minutes

    def _share(self, minutes: int) -> int | None:
        total = self.recorded_minutes
        return round(100 * minutes / total) if total else None

    @property
    def administration_share(self) -> int | None:
        """Per cent of recorded time on administration (None when nothing is recorded)."""
        return self._share(self.administration_minutes)

    @property
    def service_share(self) -> int | None:
        return self._share(self.service_minutes)

    @property
    def self_government_share(self) -> int | None:
        return self._share(self.self_government_minutes)


def _month_key(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        value = value.date()
    return value.replace(day=1)


def burden(
    community_ids: list[int], first_month: datetime.date, last_month: datetime.date
) -> dict[tuple[int, datetime.date], BurdenRow]:
    """Burden per community per month: the monthly summary (kept by the workload services),
    the admitted items reaching each community, and time other apps report (workload.hooks)."""
    start, _ = month_bounds(first_month)
    _, end = month_bounds(last_month)
    rows: dict[tuple[int, datetime.date], BurdenRow] = {}

    def row(community_id, month):
        key = (community_id, _month_key(month))
        if key not in rows:
            rows[key] = BurdenRow(community_id, key[1])
        return rows[key]

    for s in BurdenMonth.objects.filter(
        community_id__in=community_ids, month__gte=start, month__lt=end
    ).values_list(
        "community_id", "month", "tasks", "done", "forms", "inspections", "meetings",
        "estimated_minutes", "logged_minutes", "open_estimate_minutes", "refused_unadmitted",
        "service_minutes", "self_government_minutes",
    ):  # fmt: skip
        r = row(s[0], s[1])
        (r.tasks, r.done, r.forms, r.inspections, r.meetings, r.estimated_minutes,
         r.logged_minutes) = s[2:9]  # fmt: skip
        r.burden_minutes = r.logged_minutes + s[9]
        r.refused_unadmitted, r.service_minutes, r.self_government_minutes = s[10:13]
    for (community_id, month), minutes in hooks.external_minutes(
        community_ids, start, last_month
    ).items():
        if start <= month < end:
            r = row(community_id, month)
            r.service_minutes += minutes.get("service", 0)
            r.self_government_minutes += minutes.get("self_government", 0)
            r.activity_admin_minutes += minutes.get("administration", 0)
    # Inspections held and meetings and documents received, as admission registers them.
    for (community_id, month), load in gate_load_by_month(community_ids, start, end).items():
        r = row(community_id, month)
        r.inspections += load["inspections"]
        r.meetings += load["meetings"]
        r.documents += load["documents"]
    # Admitted items reaching each community, grouped by admission period in the database so
    # the months are walked once per distinct period, not once per item.
    periods = admitted_periods(community_ids, start, end)
    months = [(month, *month_bounds(month)) for month in _months(first_month, last_month)]
    for p in periods:
        period_start, period_end = p["item__period_start"], p["item__period_end"]
        for month, month_start, month_end in months:
            if period_start < month_end and period_end >= month_start:
                row(p["community_id"], month).admitted_items += p["n"]
    _moved_away(rows, row, community_ids, months, start, end)
    return rows


def _moved_away(rows, row, community_ids, months, start, end) -> None:
    """Items whose work moved to an organisation leave the month's admitted items (已转移)."""
    for moved in hooks.transfers(community_ids, start, end - datetime.timedelta(days=1)):
        for month, month_start, month_end in months:
            if moved["starts_on"] < month_end and moved["ends_on"] >= month_start:
                r = row(moved["community_id"], month)
                r.transferred.append(moved)
                r.admitted_items = max(0, r.admitted_items - 1)


def _months(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = month_bounds(month)[1]
    return months


def months_back(last: datetime.date, count: int) -> list[datetime.date]:
    months = [last.replace(day=1)]
    while len(months) < count:
        months.insert(0, (months[0] - datetime.timedelta(days=1)).replace(day=1))
    return months


def refusals_by_department(district_id: int, start: datetime.date, end: datetime.date):
    """The refusal ranking: refused un-admitted work per body that pushed it, departments and
    street offices alike (``department__street`` set for a street office)."""
    return (
        RefusedWork.objects.filter(
            district_id=district_id, refused_at__date__gte=start, refused_at__date__lt=end
        )
        .values("department__name", "department__street")
        .annotate(n=Count("id"))
        .order_by("-n", "department__name")
    )


def time_logs_visible_to(user) -> QuerySet[TimeLog]:
    """Time logged by communities the user works in or oversees."""
    return policies.in_watched_communities(
        TimeLog.objects.select_related("community", "logged_by"), user
    )


def burden_by_month(community_ids, first_month: datetime.date, last_month: datetime.date) -> dict:
    """These communities' monthly summary added up per month, in one grouped query (the
    district's one page), with the inspections held and meetings called that admission
    registers: {month: {"burden_minutes", "refused_unadmitted", "inspections",
    "meetings", "tasks"}}; months without work are absent."""
    from django.db.models import F, Sum

    start, _ = month_bounds(first_month)
    _, end = month_bounds(last_month)
    rows = (
        BurdenMonth.objects.filter(community_id__in=community_ids, month__gte=start, month__lt=end)
        .values("month")
        .annotate(
            burden_minutes=Sum(F("logged_minutes") + F("open_estimate_minutes")),
            refused_unadmitted=Sum("refused_unadmitted"),
            inspections=Sum("inspections"),
            meetings=Sum("meetings"),
            tasks=Sum("tasks"),
        )
        .order_by()
    )
    months = {_month_key(row.pop("month")): row for row in rows}
    empty = {"burden_minutes": 0, "refused_unadmitted": 0, "inspections": 0, "meetings": 0,
             "tasks": 0}  # fmt: skip
    for (_community, month), load in gate_load_by_month(community_ids, start, end).items():
        totals = months.setdefault(_month_key(month), dict(empty))
        totals["inspections"] = (totals["inspections"] or 0) + load["inspections"]
        totals["meetings"] = (totals["meetings"] or 0) + load["meetings"]
    return months
