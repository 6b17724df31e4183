from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from core import charts, clock
from core.workbench import cards_for
from dashboard import selectors

REFRESH_SECONDS = 300  # the big screen reloads itself every five minutes


@login_required
def workbench(request):
    """The home page: what waits for this user, from every app, in their scope."""
    return render(request, "dashboard/workbench.html", {"cards": cards_for(request.user)})


def _trend_chart(result, months, *, big: bool) -> dict:
    """A figure's last twelve months against the twelve before, month by month."""
    monthly = result.value.monthly
    # On the wall a month is its number, upright (the period is in the heading).
    labels = [str(m.month) if big else f"{m:%Y-%m}" for m in months[12:]]
    option = charts.categories_chart(
        labels,
        [
            charts.series(_("近12个月"), "bar", monthly[12:]),
            charts.series(_("上年同期"), "line", monthly[:12]),
        ],
        # Counts step by whole numbers (no axis of 0.2 meetings); hours and rates need not.
        value_axes=[
            charts.value_axis(
                str(result.figure.unit),
                **({"minInterval": 1} if all(float(v).is_integer() for v in monthly) else {}),
            )
        ],
        legend="top",
        grid={"left": 48, "right": 16, "top": 40, "bottom": 40},
    )
    option["color"] = ["#1a62d6", "#8a96a3"]  # this year blue, last year grey (red reads "bad")
    if big:  # light words on the dark wall
        light = {"color": "#dfe7f2", "fontSize": 16}
        option["legend"]["textStyle"] = light
        option["xAxis"]["axisLabel"].update(light, rotate=0, fontSize=14)
        option["grid"]["bottom"] = 28
        option["yAxis"]["axisLabel"] = dict(light)
        option["yAxis"].pop("name", None)  # the unit is in the chart's title
        option["yAxis"]["splitLine"] = {"lineStyle": {"color": "#2c3a4f"}}
        option["color"] = ["#4fc3f7", "#ffb74d"]
    return option


@login_required
def outcomes(request, big: bool = False):
    """The district's one page: the proposal's outcomes for a district or one of its streets,
    each from Linli's data and linked to the list behind it; ``big`` (or ?screen=1) the wall
    display: dark, large, reloading itself."""
    user = request.user
    if not user.has_perm("dashboard.view_outcomes"):
        raise PermissionDenied(_("成效一览供区和街道的工作人员查看。"))
    places = selectors.outcome_places(user)
    wanted = request.GET.get("place", "")
    place = next((p for p in places if str(p.pk) == wanted), None)
    if place is None and wanted:
        raise Http404(_("没有这个区或街道，或您无权查看。"))
    place = place or (places[0] if places else None)
    if place is None or not user.has_perm("dashboard.view_outcomes_of", place):
        raise PermissionDenied(_("成效一览供区和街道的工作人员查看。"))
    big = big or request.GET.get("screen") == "1"
    scope = selectors.scope_of(user, place, clock.today())
    results = selectors.compute_all(scope)
    months = scope.months
    trends = [
        (r, _trend_chart(r, months, big=big))
        for r in results
        if r.figure.chart and r.value is not None and r.value.monthly
    ]
    return render(
        request,
        "dashboard/outcomes_big.html" if big else "dashboard/outcomes.html",
        {
            "place": place,
            "places": places,
            "scope": scope,
            "results": results,
            "trends": trends,
            "period": (months[12], months[-1]),
            "previous": (months[0], months[11]),
            "refresh": REFRESH_SECONDS,
            "now": clock.local_now(),
        },
    )
