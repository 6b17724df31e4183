"""The street office hears of its communities' anomalies (a payment without a receipt, over
budget, split just under the two-person threshold) and overdue boards through notify, each
matter once (a ``StreetNotice`` row per matter), from a daily job (finance.tasks)."""

import datetime

from django.db import transaction
from django.urls import reverse

from core import audit, clock
from core.clock import one_write
from core.models import Place, PlaceLevel, Role, RoleAssignment
from finance import selectors
from finance.models import StreetNotice
from notify import services as notify


def _street_officers(street_id: int) -> list[int]:
    return list(
        RoleAssignment.objects.active()
        .filter(role=Role.STREET_OFFICER, place_id=street_id)
        .values_list("user_id", flat=True)
        .distinct()
    )


def _matters(communities: list[Place], today: datetime.date) -> list[tuple]:
    """(community, key, kind, params) for every anomaly and overdue board now."""
    found = []
    for a in selectors.anomalies_of([c.pk for c in communities], today.year):
        s = a.spending
        found.append((s.community, f"{a.kind}:{s.pk}", "finance.anomaly", {
            "community": s.community.name, "what": a.label, "payee": s.payee,
            "day": s.spent_on, "amount": f"{s.amount_fen / 100:.2f}",
        }))  # fmt: skip
    for o in selectors.overdue(communities, today):
        found.append((o.community, f"overdue:{o.board}:{o.period_start:%Y-%m-%d}",
                      "finance.board_overdue", {
                          "community": o.community.name, "board": o.board_label,
                          "start": o.period_start, "due": o.due}))  # fmt: skip
    return found


@one_write
def tell_street_offices(*, today: datetime.date | None = None) -> dict:
    """Tell each street's officers of each matter not told before; how many were told."""
    today = today or clock.today()
    communities = list(
        Place.objects.filter(level=PlaceLevel.COMMUNITY, is_active=True).order_by("code")
    )
    told = set(StreetNotice.objects.values_list("community_id", "key"))
    counts = {"anomalies": 0, "overdue": 0}
    officers: dict[int, list[int]] = {}
    for community, key, kind, params in _matters(communities, today):
        if (community.pk, key) in told:
            continue
        told.add((community.pk, key))
        with transaction.atomic():
            notice = StreetNotice.objects.create(
                district_id=community.district_id, community=community, key=key
            )
            audit.record(actor=None, action="finance.street_notice", obj=notice,
                         changes={"key": key})  # fmt: skip
            if community.parent_id not in officers:
                officers[community.parent_id] = _street_officers(community.parent_id)
            notify.send(kind=kind, recipients=officers[community.parent_id], params=params,
                        url=reverse("finance:supervision"), subject=f"finance:{community.pk}:{key}")  # fmt: skip
        counts["anomalies" if kind == "finance.anomaly" else "overdue"] += 1
    return counts
