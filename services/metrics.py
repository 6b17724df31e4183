"""三率 and friends, by department, street, community or category, with a weekly trend.

- 响应率 (response): accepted (or refused with a reason) by the acceptance deadline, of the
  requests whose acceptance deadline has passed or that were handled.
- 解决率 (resolution): finished (办结) requests, of all requests except merged duplicates.
- 满意率 (satisfaction): 满意 + 基本满意, of rated requests.
- 按时办结率 (on time): answered by the handling deadline, of answered requests.
- 平均办理时长: from dispatch to answer, in hours.

Every figure is one grouped aggregate query over the scoped requests.
"""

import datetime

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.models import Role
from core.rules import assignments_of
from services.models import Category, ServiceRequest, State
from services.rules import DISPATCH_ROLES

METRIC_ROLES = DISPATCH_ROLES | {Role.AUDITOR, Role.STREET_OFFICER}
GROUPS = {
    "department": ("lead_department__name", _("主办部门")),
    "street": ("street__name", _("街道")),
    "community": ("community__name", _("社区")),
    "category": ("category", _("类别")),
}
PERIODS = {30: _("近30天"), 90: _("近90天"), 365: _("近一年")}
FINISHED = [State.CLOSED, State.VISITED, State.RATED, State.DISPUTED]


def may_see_metrics(user) -> bool:
    return user.is_superuser or any(a.role in METRIC_ROLES for a in assignments_of(user))


def scoped(user):
    if user.is_superuser:
        return ServiceRequest.objects.all()
    query = Q(pk__in=[])
    for assignment in assignments_of(user):
        if assignment.role in METRIC_ROLES:
            query |= Q(place_path__startswith=assignment.place.path)
    return ServiceRequest.objects.filter(query)


def _aggregates(now):
    handling = ExpressionWrapper(
        F("answered_at") - F("dispatched_at"), output_field=DurationField()
    )
    return {
        "total": Count("pk", filter=~Q(state=State.MERGED)),
        "due_accept": Count("pk", filter=Q(accept_due__lt=now) | Q(accepted_at__isnull=False)),
        "responded": Count(
            "pk", filter=Q(accepted_at__isnull=False, accepted_at__lte=F("accept_due"))
        ),
        "finished": Count("pk", filter=Q(state__in=FINISHED)),
        "rated": Count("pk", filter=~Q(rating="")),
        "satisfied": Count("pk", filter=Q(rating__in=["satisfied", "basic"])),
        "answered": Count("pk", filter=Q(answered_at__isnull=False)),
        "on_time": Count("pk", filter=Q(answered_at__isnull=False, answered_at__lte=F("due_at"))),
        "avg_handling": Avg(
            handling, filter=Q(answered_at__isnull=False, dispatched_at__isnull=False)
        ),
    }


def _rate(part, whole):
    return round(100 * part / whole, 1) if whole else None


def _row(label, values) -> dict:
    avg = values["avg_handling"]
    return {
        "label": label,
        "total": values["total"],
        "response_rate": _rate(values["responded"], values["due_accept"]),
        "resolution_rate": _rate(values["finished"], values["total"]),
        "satisfaction_rate": _rate(values["satisfied"], values["rated"]),
        "on_time_rate": _rate(values["on_time"], values["answered"]),
        "avg_hours": round(avg.total_seconds() / 3600, 1) if avg is not None else None,
    }


def metrics(user, *, group: str = "department", days: int = 30) -> dict:
    now = timezone.now()
    since = now - datetime.timedelta(days=days)
    requests = scoped(user).filter(created_at__gte=since)
    field, _label = GROUPS[group]
    labels = dict(Category.choices)
    rows = []
    for values in requests.values(field).annotate(**_aggregates(now)).order_by(field):
        key = values[field]
        label = labels.get(key, key) if group == "category" else key
        rows.append(_row(str(label) if label else str(_("未分派")), values))
    total = _row(str(_("合计")), requests.aggregate(**_aggregates(now)))
    trend = [
        _row(values["week"].date().isoformat() if values["week"] else "", values)
        for values in requests.annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(**_aggregates(now))
        .order_by("week")
    ]
    return {"rows": rows, "total": total, "trend": trend, "since": since}


COLUMNS = [
    ("label", _("分组")),
    ("total", _("诉求数")),
    ("response_rate", _("响应率%")),
    ("resolution_rate", _("解决率%")),
    ("satisfaction_rate", _("满意率%")),
    ("on_time_rate", _("按时办结率%")),
    ("avg_hours", _("平均办理时长（小时）")),
]
