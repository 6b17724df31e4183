"""Workload pages. Thin: parse the form, call a service, show the result or the error."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from admission.selectors import admitted_items_visible_to
from admission.services import item_is_usable
from core import calendar as workcal
from core import charts
from core.models import Department, Place
from core.pdf import pdf_response
from core.refusals import attempt, refusals_shown_on
from workload import exports, selectors, services
from workload.forms import (
    CompleteForm,
    DispatchForm,
    RefuseTaskForm,
    TimeLogForm,
    UnadmittedForm,
    parse_month,
)
from workload.models import Task

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _not_found():
    raise Http404(_("没有找到，或您无权查看。"))


@login_required
def task_list(request):
    user = request.user
    if not user.has_perm("workload.use_tasks"):
        raise PermissionDenied(_("此页面供社区工作者、职能部门和监督人员使用。"))
    tasks = selectors.tasks_visible_to(user)
    status = request.GET.get("status", "open")
    if status in Task.Status.values:
        tasks = tasks.filter(status=status)
    community = request.GET.get("community", "")
    if community.isdigit():
        tasks = tasks.filter(community_id=community)
    page = Paginator(tasks.order_by("due_at", "pk"), 50).get_page(request.GET.get("page"))
    mine = [
        item
        for item in admitted_items_visible_to(user).filter(status="active")
        if user.has_perm("workload.dispatch", item)
    ]
    today = workcal.local_today()
    dispatchable = [item for item in mine if item_is_usable(item, today)]
    # Admitted but not yet in force: listed with the day they may first be used.
    upcoming = sorted(
        (item for item in mine if item.period_start > today), key=lambda i: i.period_start
    )
    return render(
        request,
        "workload/task_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Task.Status.choices,
            "dispatchable": dispatchable,
            "upcoming": upcoming,
            "now": timezone.now(),
            "can_refuse": bool(_my_communities(user)),
        },
    )


def _my_communities(user):
    from core.rules import role_places
    from workload.rules import WORKERS

    return role_places(user, WORKERS)


def _page_communities(request, page: str):
    """The communities where the user works, for a page that lists to anyone with its permission
    and takes a form from workers only: else PermissionDenied with the page's message."""
    perm, refusal, post_refusal = {
        "refusals": (
            "workload.use_tasks",
            _("此页面供社区工作者、职能部门和监督人员使用。"),
            _("只有社区工作者可以登记拒绝的未准入事项。"),
        ),
        "time_log": (
            "workload.view_burden",
            _("此页面供社区、街道和区减负办使用。"),
            _("只有社区工作者可以登记用时。"),
        ),
    }[page]
    if not request.user.has_perm(perm):
        raise PermissionDenied(refusal)
    mine = Place.objects.filter(pk__in=[p.pk for p in _my_communities(request.user)])
    if request.method == "POST" and not mine.exists():
        raise PermissionDenied(post_refusal)
    return mine


@login_required
def task_detail(request, pk):
    user = request.user
    task = get_object_or_404(selectors.tasks_visible_to(user), pk=pk)
    can_work = task.status == "open" and user.has_perm("workload.work_task", task)
    can_refuse = can_work and not item_is_usable(task.item)
    complete_form, refuse_form = CompleteForm(), RefuseTaskForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "complete":
            complete_form = form = CompleteForm(request.POST)
            service, done, shown = services.task_complete, _("已完成，已自动记入台账。"), can_work
        elif action == "refuse":
            refuse_form = form = RefuseTaskForm(request.POST)
            service, done, shown = (
                services.task_refuse, _("已拒绝，并计入该部门的未准入派活记录。"), can_refuse
            )  # fmt: skip
        else:
            form = None
            messages.error(request, _("未知的操作。"))
        # A refusal lands on the form when the page shows that form, else as a page message.
        if (
            form is not None
            and form.is_valid()
            and attempt(
                request, service, on_form=form if shown else None, done_message=done,
                actor=user, task=task, **form.cleaned_data,
            )
        ):  # fmt: skip
            return redirect("workload:task_detail", pk=task.pk)
    return render(
        request,
        "workload/task_detail.html",
        {
            "task": task,
            "traces": task.traces.all(),
            "can_work": can_work,
            "can_refuse": can_refuse,
            "complete_form": complete_form,
            "refuse_form": refuse_form,
        },
    )


@login_required
def dispatch(request, item_pk):
    user = request.user
    item = get_object_or_404(admitted_items_visible_to(user), pk=item_pk)
    if not user.has_perm("workload.dispatch", item):
        raise PermissionDenied(_("只有该准入事项所属部门（或街道办事处）的工作人员可以派发任务。"))
    scope = Place.objects.filter(pk__in=item.scopes.values("community_id")).order_by("code")
    form = DispatchForm(request.POST or None, communities=scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with refusals_shown_on(form):
            tasks = services.tasks_dispatch(
                actor=user, item=item, communities=data["communities"], title=data["title"],
                description=data["description"], due_in_working_days=data["due_in_working_days"],
                dispatch_token=data["dispatch_token"], mismatch_reason=data["mismatch_reason"],
            )  # fmt: skip
            messages.success(request, _("已向%(n)d个社区派发任务。") % {"n": len(tasks)})
            return redirect("workload:task_list")
    return render(request, "workload/dispatch.html", {"form": form, "item": item})


@login_required
def refusals(request):
    user = request.user
    mine = _page_communities(request, "refusals")
    form = None
    if mine.exists():
        # The district's departments; a street office is chosen as "本街道办事处".
        departments = Department.objects.filter(
            district_id__in=mine.values("district_id"), is_active=True, street__isnull=True
        ).order_by("name")
        form = UnadmittedForm(request.POST or None, communities=mine, departments=departments)
        if request.method == "POST" and form.is_valid():
            with refusals_shown_on(form):
                services.unadmitted_refuse(actor=user, **form.cleaned_data)
                messages.success(request, _("已登记，并计入派活单位的未准入派活记录。"))
                return redirect("workload:refusals")
    rows = selectors.refusals_visible_to(user)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "workload/refusals.html", {"page": page, "form": form})


@login_required
def time_log(request):
    """A community worker logs time on services or self-government in a few taps; overseers
    read what was logged."""
    user = request.user
    mine = _page_communities(request, "time_log")
    form = None
    if mine.exists():
        form = TimeLogForm(
            request.POST or None, communities=mine, initial={"day": workcal.local_today()}
        )
        if request.method == "POST" and form.is_valid():
            with refusals_shown_on(form):
                entry = services.time_log(actor=user, **form.cleaned_data)
                messages.success(
                    request,
                    _("已登记%(category)s %(minutes)d 分钟。")
                    % {"category": entry.get_category_display(), "minutes": entry.minutes},
                )
                return redirect("workload:time_log")
    page = Paginator(selectors.time_logs_visible_to(user), 30).get_page(request.GET.get("page"))
    return render(request, "workload/time_log.html", {"page": page, "form": form})


def _ledger_community(request) -> Place:
    watched = selectors.communities_watched_by(request.user)
    wanted = request.GET.get("community", "")
    community = (
        watched.filter(pk=wanted).first() if wanted.isdigit() else watched.order_by("code").first()
    )
    if community is None:
        if wanted:
            _not_found()
        raise PermissionDenied(_("台账按社区生成，您没有可查看的社区。"))
    return community


@login_required
def ledger(request):
    community = _ledger_community(request)
    month = parse_month(request.GET.get("month", ""), workcal.local_today())
    traces = selectors.ledger_traces(community, month)
    return render(
        request,
        "workload/ledger.html",
        {
            "community": community,
            "month": month,
            "traces": traces,
            "communities": selectors.communities_watched_by(request.user).order_by("code")[:500],
            "total_minutes": sum(t.minutes for t in traces if t.action == "completed"),
        },
    )


@login_required
def ledger_xlsx(request):
    community = _ledger_community(request)
    month = parse_month(request.GET.get("month", ""), workcal.local_today())
    content = exports.ledger_workbook(
        community=community, month=month, traces=selectors.ledger_traces(community, month)
    )
    response = HttpResponse(content, content_type=XLSX)
    filename = f"ledger-{community.code}-{month:%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _burden_data(request):
    user = request.user
    if not user.has_perm("workload.view_burden"):
        raise PermissionDenied(_("负担指数供社区、街道和区减负办查看。"))
    today = workcal.local_today()
    month = parse_month(request.GET.get("month", ""), today)
    months = selectors.months_back(month, 12)
    communities = list(selectors.communities_watched_by(user).order_by("code")[:500])
    rows = selectors.burden([c.pk for c in communities], months[0], months[-1])
    return month, months, communities, rows


def _focus(communities, wanted: str):
    """The community the trend is about: ?community=, else the first."""
    chosen = next((c for c in communities if str(c.pk) == wanted), None)
    return chosen or (communities[0] if communities else None)


def _burden_charts(months, trend, ranking) -> dict:
    """The focus community's last 12 months, and the month's 30 heaviest communities."""
    top = ranking[:30][::-1]  # the heaviest at the top of a horizontal bar chart
    return {
        "trend": charts.categories_chart(
            [f"{m:%Y-%m}" for m in months],
            [
                charts.series(_("负担指数"), "line", [r.index_hours if r else 0 for r in trend]),
                charts.series(_("任务"), "bar", [r.tasks if r else 0 for r in trend], axis=1),
                charts.series(
                    _("拒绝未准入"),
                    "bar",
                    [r.refused_unadmitted if r else 0 for r in trend],
                    axis=1,
                ),
            ],
            value_axes=[charts.value_axis(_("小时")), charts.value_axis(_("件"))],
            legend="bottom",
            grid={"left": 40, "right": 40, "top": 36, "bottom": 56},
        ),
        "rank": charts.categories_chart(
            [c.name for c, _r in top],
            [charts.series(_("负担指数"), "bar", [r.index_hours for _c, r in top])],
            horizontal=True,
            legend=None,
            grid={"left": 110, "right": 20, "top": 10, "bottom": 20},
        ),
    }


@login_required
def burden(request):
    month, months, communities, rows = _burden_data(request)
    focus = _focus(communities, request.GET.get("community", ""))
    ranking = sorted(
        ((c, rows.get((c.pk, month)) or selectors.BurdenRow(c.pk, month)) for c in communities),
        key=lambda pair: (-pair[1].burden_minutes, pair[0].code),
    )
    trend = [rows.get((focus.pk, m)) for m in months] if focus else [None] * len(months)
    start, end = selectors.month_bounds(month)
    by_department = (
        selectors.refusals_by_department(communities[0].district_id, start, end)
        if communities
        else []
    )
    return render(
        request,
        "workload/burden.html",
        {
            "month": month,
            "focus": focus,
            "focus_row": rows.get((focus.pk, month)) if focus else None,
            "communities": communities,
            "ranking": ranking,
            "trend": list(zip(months, trend, strict=True)),
            "charts": _burden_charts(months, trend, ranking),
            "by_department": by_department,
        },
    )


@login_required
def burden_xlsx(request):
    month, months, communities, rows = _burden_data(request)
    content = exports.burden_workbook(months=months, communities=communities, rows=rows)
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="burden-{month:%Y-%m}.xlsx"'
    return response


PDF_ROWS = 1000


@login_required
def ledger_pdf(request):
    community = _ledger_community(request)
    month = parse_month(request.GET.get("month", ""), workcal.local_today())
    traces = list(selectors.ledger_traces(community, month)[: PDF_ROWS + 1])
    return pdf_response(
        request,
        "workload/ledger_pdf.html",
        {
            "community": community, "month": month, "traces": traces[:PDF_ROWS],
            "truncated": len(traces) > PDF_ROWS, "limit": PDF_ROWS,
            "generated": timezone.localtime(),
        },
        filename=f"ledger-{community.code}-{month:%Y-%m}.pdf",
    )  # fmt: skip
