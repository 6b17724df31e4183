"""Reads of the district's one page: the places a user may look at, and a place's scope."""

import datetime

from django.db.models import Q

from core.models import Place, PlaceLevel
from core.rules import role_places
from core.selectors import subtrees
from dashboard.figures import Scope
from dashboard.figures import compute_all as compute_all  # for the view
from dashboard.rules import LEVELS, VIEWERS


def outcome_places(user) -> list[Place]:
    """The districts and streets whose page the user may open (dashboard.view_outcomes_of):
    at a district, the district and its streets; at a street, that street. Each district
    first, then its streets, by code."""
    base = Place.objects.filter(level__in=LEVELS, is_active=True).select_related("district")
    if not user.is_superuser:
        held = [p for p in role_places(user, VIEWERS) if p.level in LEVELS]
        base = base.filter(subtrees(held) if held else Q(pk__in=[]))
    return sorted(
        base,
        key=lambda p: ((p.district or p).code, p.level != PlaceLevel.DISTRICT, p.code),
    )


def scope_of(user, place: Place, today: datetime.date) -> Scope:
    district = place if place.level == PlaceLevel.DISTRICT else place.district
    communities = list(
        Place.objects.filter(
            path__startswith=place.path, level=PlaceLevel.COMMUNITY, is_active=True
        ).order_by("code")
    )
    return Scope(place=place, district=district, communities=communities, today=today, user=user)


def outcomes(user, place: Place, today: datetime.date):
    """Every registered figure for `place` (the caller checked dashboard.view_outcomes_of)."""
    return compute_all(scope_of(user, place, today))
