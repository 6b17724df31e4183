"""The public map and list of requests (issue #14 item 4, FixMyStreet's main view): what anyone,
signed in or not, may read about the district's requests — the same as Open311's GET
(services.open311.request_out): the item unless it is about a person's circumstances, the state,
the community, the date and the place rounded to about 100 m. Nothing a resident typed: the
words shown are those a dispatcher reviewed and published (services.services.public_text).

Filterable by catalogue item and by state (open, closed or one state); the last 90 days, newest
first, a page at a time (one query for the rows, one for their published text)."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import boundaries
from core.models import Place, PlaceLevel
from services import open311
from services.models import ServiceItem, State

PAGE = 50
SPAN = datetime.timedelta(days=90)
GROUPS = {"open": _("处理中"), "closed": _("已结束")}
# States a visitor may filter by (a merged duplicate is shown under the request it joined).
STATES = [s for s in State if s != State.MERGED]


def district_of(code: str | None) -> Place | None:
    """The district asked for by its code, or the installation's only one."""
    districts = Place.objects.filter(level=PlaceLevel.DISTRICT, is_active=True)
    if code:
        return districts.filter(code=code).first()
    only = list(districts[:2])
    return only[0] if len(only) == 1 else None


def items_of(district: Place) -> list[ServiceItem]:
    """The items a visitor may filter by: active and not about a person's circumstances."""
    return list(
        ServiceItem.objects.filter(district=district, is_active=True, sensitive=False)
        .only("code", "name")
        .order_by("code")
    )


def clean_filters(items, item: str, state: str) -> tuple[str, str]:
    """An unknown item or state is ignored (the whole list is shown), never an error page."""
    item = item if item in {i.code for i in items} else ""
    state = state if state in GROUPS or state in State.values and state != State.MERGED else ""
    return item, state


def public_rows(district: Place, *, item: str = "", state: str = "", page: int = 1):
    """(rows as open311.request_out gives them plus ``number`` and ``state_label``, has_next)."""
    found = open311._requests(district).filter(created_at__gte=timezone.now() - SPAN)
    found = found.exclude(state=State.MERGED)
    if item:
        found = found.filter(item__code=item, item__sensitive=False)
    if state in GROUPS:
        found = open311._by_status(found, [state])
    elif state:
        found = found.filter(state=state)
    start = (max(page, 1) - 1) * PAGE
    chunk = list(found.order_by("-created_at", "-id")[start : start + PAGE + 1])
    rows = []
    for req in chunk[:PAGE]:
        row = open311.request_out(req)
        row["number"] = req.number
        row["state_label"] = req.get_state_display()
        rows.append(row)
    return rows, len(chunk) > PAGE


def map_data(district: Place, rows: list[dict], options: dict) -> dict:
    """What the map script draws: the tile options, the district's outlines and the rows' points
    (rounded already)."""
    points = [
        {
            "lat": r["lat"],
            "lng": r["long"],
            "number": r["number"],
            "label": r["service_name"] or str(_("其他诉求")),
            "state": r["state_label"],
            "open": r["status"] == "open",
        }  # fmt: skip
        for r in rows
        if r["lat"] is not None and r["long"] is not None
    ]
    return {**options, "boundaries": boundaries.boundaries_of(district), "points": points}
