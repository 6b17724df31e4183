"""Reads of the workforce app: the rule in force, and each visible community's standard
headcount against the community workers it actually has."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q

from core.models import Place, PlaceLevel, Role
from core.selectors import places_visible_to
from workforce.models import StaffingRule
from workforce.standard import standard_headcount


def rule_in_force(district: Place, day: datetime.date) -> StaffingRule | None:
    return (
        StaffingRule.objects.filter(district=district, effective_from__lte=day)
        .order_by("-effective_from", "-id")
        .first()
    )


def rules_of(district: Place):
    return StaffingRule.objects.filter(district=district)


@dataclass
class StaffingRow:
    community: Place
    residents: int
    households: int
    standard: int
    actual: int

    @property
    def shortfall(self) -> int:
        return max(self.standard - self.actual, 0)


def staffing(user, district: Place, day: datetime.date) -> tuple[StaffingRule | None, list]:
    """The rule in force and one row per community the user may see, shortest-staffed first
    (most missing, then the largest share missing)."""
    rule = rule_in_force(district, day)
    communities = (
        places_visible_to(user)
        .filter(district=district, level=PlaceLevel.COMMUNITY, is_active=True)
        .select_related("parent")
        .annotate(
            workers=Count(
                "role_assignments__user",
                filter=Q(
                    role_assignments__role=Role.COMMUNITY_WORKER,
                    role_assignments__ended_at__isnull=True,
                ),
                distinct=True,
            )
        )  # fmt: skip
        .order_by("code")
    )
    rows = [
        StaffingRow(
            community=c,
            residents=c.population,
            households=c.households,
            standard=standard_headcount(rule, residents=c.population, households=c.households)
            if rule
            else 0,
            actual=c.workers,
        )  # fmt: skip
        for c in communities
    ]
    rows.sort(key=lambda r: (-r.shortfall, -(r.shortfall / r.standard if r.standard else 0)))
    return rule, rows
