"""The work queues (派单台, 部门工单, 网格工单, 属地处置) and supervision (超期清单, 三率统计)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core import charts
from services import property_hooks, selectors
from services.models import State
from services.rules import officer_departments


@login_required
def dispatch_queue(request):
    user = request.user
    if not selectors.is_dispatcher(user):
        raise PermissionDenied(_("只有派单员可以打开派单台。"))
    queues = selectors.dispatch_queues(user)
    overdue = (
        selectors.dispatchable(user)
        .filter(state__in=[State.DISPATCHED, State.HANDLING], due_at__lt=timezone.now())
        .order_by("due_at")
    )
    sections = [
        ("submitted", _("待受理"), queues["submitted"][:50]),
        ("accepted", _("待派单"), queues["accepted"][:50]),
        ("answered", _("已答复待办结"), queues["answered"][:50]),
        ("disputed", _("不满意待核实"), queues["disputed"][:50]),
        ("closed", _("已办结待回访"), queues["closed"][:50]),
        ("overdue", _("已超期"), overdue[:50]),
    ]
    return render(
        request,
        "services/dispatch.html",
        {
            "sections": sections,
            "applications": list(selectors.pending_applications(user)[:50]),
            "now": timezone.now(),
        },
    )


@login_required
def department_queue(request):
    user = request.user
    if not officer_departments(user):
        raise PermissionDenied(_("只有职能部门工作人员可以打开部门工单。"))
    return render(
        request,
        "services/department.html",
        {
            "lead": selectors.department_queue(user)[:100],
            "co": selectors.co_handling_queue(user)[:50],
            "whistled": selectors.whistled_queue(user)[:50],
            "now": timezone.now(),
        },
    )


@login_required
def local_queue(request):
    """属地处置: the open requests handled in the user's grid, community or street (and, for a
    street, what it is waiting for from the departments it called)."""
    user = request.user
    if not selectors.handles_locally(user):
        raise PermissionDenied(_("只有网格员、社区工作者和街道工作人员可以打开属地处置工单。"))
    return render(
        request,
        "services/local.html",
        {"requests": selectors.local_queue(user)[:100], "now": timezone.now()},
    )


@login_required
def grid_queue(request):
    user = request.user
    from core.models import Role
    from core.rules import role_places

    grids = role_places(user, {Role.GRID_WORKER})
    if not grids and not user.is_superuser:
        raise PermissionDenied(_("只有网格员可以打开网格工单。"))
    return render(
        request,
        "services/grid.html",
        {"requests": selectors.grid_queue(user)[:100], "grids": grids, "now": timezone.now()},
    )


@login_required
def overdue(request):
    """超期清单: each department's overdue list per working day, as the job kept it."""
    user = request.user
    lists = selectors.overdue_lists_visible_to(user)
    days = list(lists.values_list("day", flat=True).distinct().order_by("-day")[:30])
    day = request.GET.get("day") or (days[0].isoformat() if days else "")
    shown = [entry for entry in lists if entry.day.isoformat() == day] if day else []
    return render(request, "services/overdue.html", {"lists": shown, "days": days, "day": day})


@login_required
def metrics_page(request):
    """三率, on-time rate and handling time by group, with a weekly trend; Excel export."""
    from services import metrics

    user = request.user
    if not metrics.may_see_metrics(user):
        raise PermissionDenied(_("您无权查看诉求统计。"))
    group = request.GET.get("group", "department")
    group = group if group in metrics.GROUPS else "department"
    try:
        days = int(request.GET.get("days", 30))
    except ValueError:
        days = 30
    days = days if days in metrics.PERIODS else 30
    data = metrics.metrics(user, group=group, days=days)
    if request.GET.get("format") == "xlsx":
        return _metrics_xlsx(data, group, days)
    rows, trend = data["rows"], data["trend"]
    charts_of_page = {
        "rates": charts.categories_chart(
            [row["label"] for row in rows],
            [
                charts.series(name, "bar", [row[key] for row in rows])
                for key, name in [
                    ("response_rate", _("响应率")),
                    ("resolution_rate", _("解决率")),
                    ("satisfaction_rate", _("满意率")),
                ]
            ],
            value_axes=[charts.PERCENT_AXIS],
            grid={"left": 40, "right": 10, "bottom": 60, "top": 40},
            rotate_labels=30,
        ),
        "trend": charts.categories_chart(
            [row["label"] for row in trend],
            [
                charts.series(_("诉求数"), "bar", [row["total"] for row in trend]),
                charts.series(_("满意率"), "line", [r["satisfaction_rate"] for r in trend], axis=1),
                charts.series(_("按时办结率"), "line", [r["on_time_rate"] for r in trend], axis=1),
            ],
            value_axes=[charts.value_axis(_("件")), charts.PERCENT_AXIS],
        ),
    }
    return render(
        request,
        "services/metrics.html",
        {
            "data": data,
            "charts": charts_of_page,
            "group": group,
            "days": days,
            "groups": [(k, v[1]) for k, v in metrics.GROUPS.items()],
            "periods": list(metrics.PERIODS.items()),
            "columns": metrics.COLUMNS,
            "settled": metrics.settled_levels(user, days=days),
        },
    )


def _metrics_xlsx(data, group, days):
    from io import BytesIO

    from django.http import HttpResponse

    from core.exports import SafeWorkbook
    from services import metrics

    book = SafeWorkbook()
    sheet = book.active
    sheet.title = "三率统计"
    sheet.append([str(label) for _key, label in metrics.COLUMNS])
    for row in [*data["rows"], data["total"]]:
        sheet.append([row[key] for key, _label in metrics.COLUMNS])
    trend = book.create_sheet("按周趋势")
    trend.append([str(label) for _key, label in metrics.COLUMNS])
    for row in data["trend"]:
        trend.append([row[key] for key, _label in metrics.COLUMNS])
    buffer = BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="service-metrics-{group}-{days}d.xlsx"'
    return response


@login_required
def property_queue(request):
    """物业工单: the open requests routed to the user's property company, with their deadlines."""
    user = request.user
    if not (user.is_superuser or property_hooks.companies_of(user)):
        raise PermissionDenied(_("只有物业服务企业登记的工作人员可以打开物业工单。"))
    return render(
        request,
        "services/property_queue.html",
        {"requests": selectors.property_queue(user)[:100], "now": timezone.now()},
    )
