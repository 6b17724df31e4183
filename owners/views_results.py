"""A counted decision's result: the public page and its data (sums only: no house's area, nothing
that ties a choice to a house), and the per-ballot data for the compound's owners and those who
run the vote (logged in, audited). See owners.tally."""

from fractions import Fraction

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from owners import selectors, services, tally
from owners.models import Choice, Decision

S = Decision.State


def m2(fraction_text: str) -> str:
    """An exact area (a fraction of square metres) with two decimals, for reading."""
    return f"{float(Fraction(fraction_text)):.2f}"


def counts_shown(result, decision) -> dict | None:
    """The result laid out for the page: each count with its fraction, percentage and bar."""
    if not result:
        return None
    rule = decision.thresholds or {}
    rows = []
    for key, label in (("area", _("按专有部分面积")), ("owners", _("按业主人数"))):
        rows.append({
            "label": label,
            "turnout": result["turnout"][key], "turnout_pct": selectors.percent(result["turnout"][key]),
            "turnout_met": result["turnout_met"][key],
            "approval": result["approval"][key],
            "approval_pct": selectors.percent(result["approval"][key]),
            "approval_met": result["approval_met"][key],
        })  # fmt: skip
    bars = {
        f"{key}_bar": f"{rule[key][0] * 100 / rule[key][1]:.3f}%"
        for key in ("turnout", "approval")
        if rule.get(key)
    }
    return {"rows": rows, "rule": rule, **bars, "total_area": m2(result["total"]["area"]),
            "took_area": m2(result["took_part"]["area"]),
            "agree_area": m2(result["by_choice"]["agree"]["area"])}  # fmt: skip


def _rows(result: dict) -> list[dict]:
    """Each choice's owners and area (exact and in m²), for the public table."""
    return [
        {"choice": choice, "label": Choice(choice).label, "owners": sums["owners"],
         "area": sums["area"], "m2": m2(sums["area"])}
        for choice, sums in ((c, result["by_choice"][c]) for c in tally.CHOICES)
    ]  # fmt: skip


def _public_file(decision: Decision) -> dict:
    stored = decision.tally
    return tally.published(tally.public_data(stored["data"]), stored["result"])


def _json(content: dict, filename: str) -> JsonResponse:
    response = JsonResponse(content, json_dumps_params={"ensure_ascii": False, "indent": 1})
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def result(request, pk: int):
    """The published result, readable by anyone: both counts, each choice's sums, the rule."""
    decision = get_object_or_404(
        Decision.objects.select_related("compound__community"), pk=pk, state=S.PUBLISHED
    )
    public = _public_file(decision)
    result = public["result"]
    return render(request, "owners/result.html", {
        "decision": decision, "result": result, "shown": counts_shown(result, decision),
        "choices": _rows(result), "public": public,
        "total_m2": m2(result["total"]["area"]),
        "may_read_ballots": request.user.has_perm("owners.see_ballots", decision),
    })  # fmt: skip


def result_data(request, pk: int):
    """The public data and result as JSON, for anyone to recompute (owners.tally)."""
    decision = get_object_or_404(Decision, pk=pk, state=S.PUBLISHED)
    return _json(_public_file(decision), f"owners-tally-{decision.pk}.json")


@login_required
def result_ballots(request, pk: int):
    """The per-ballot data (each part's token, area and choice) of a counted decision: for the
    compound's owners and those who run the vote; each download audited."""
    decision = get_object_or_404(
        Decision.objects.select_related("compound__community"), pk=pk,
        state__in=[S.CLOSED, S.PUBLISHED],
    )  # fmt: skip
    content = services.ballots_read(actor=request.user, decision=decision)
    response = _json(content, f"owners-ballots-{decision.pk}.json")
    response["Cache-Control"] = "private, no-store"  # no shared cache keeps it
    return response
