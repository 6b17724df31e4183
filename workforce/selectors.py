"""Reads of the workforce app: the rule in force, and each visible community's standard
headcount against the workers in post on its records, beside its burden index."""

import datetime
from dataclasses import dataclass

from core.models import Place, PlaceLevel
from core.selectors import places_visible_to
from workforce.models import StaffingRule
from workforce.standard import standard_headcount
from workforce.workers import in_post_by_community


def rule_in_force(district: Place, day: datetime.date) -> StaffingRule | None:
    return StaffingRule.objects.in_force(day, district=district)


def rules_of(district: Place):
    return StaffingRule.objects.filter(district=district)


@dataclass
class StaffingRow:
    community: Place
    residents: int
    households: int
    standard: int
    actual: int
    burden_hours: float = 0.0  # workload's burden index this month
    first_to_see: bool = False  # short of staff and over the burden of the communities shown

    @property
    def shortfall(self) -> int:
        return max(self.standard - self.actual, 0)


def staffing(user, district: Place, day: datetime.date) -> tuple[StaffingRule | None, list]:
    """The rule in force and one row per community the user may see, against its workers in
    post (worker records). First the communities short of staff whose burden index this month is
    at or above the average of those shown (what the district must see first), then the most
    missing, the largest share missing, the heaviest burden."""
    rule = rule_in_force(district, day)
    communities = list(
        places_visible_to(user)
        .filter(district=district, level=PlaceLevel.COMMUNITY, is_active=True)
        .select_related("parent")
        .order_by("code")
    )
    ids = [c.pk for c in communities]
    actual = in_post_by_community(ids, day)
    burden = _burden_hours(ids, day)
    rows = [
        StaffingRow(
            community=c,
            residents=c.population,
            households=c.households,
            standard=standard_headcount(rule, residents=c.population, households=c.households)
            if rule
            else 0,
            actual=actual.get(c.pk, 0),
            burden_hours=burden.get(c.pk, 0.0),
        )  # fmt: skip
        for c in communities
    ]
    average = sum(r.burden_hours for r in rows) / len(rows) if rows else 0
    for r in rows:
        r.first_to_see = bool(r.shortfall and r.burden_hours and r.burden_hours >= average)
    rows.sort(
        key=lambda r: (
            not r.first_to_see,
            -r.shortfall,
            -(r.shortfall / r.standard if r.standard else 0),
            -r.burden_hours,
        )
    )
    return rule, rows


@dataclass
class Shortfall:
    """The staffing figures of a set of communities, without the burden index."""

    standard: int
    actual: int
    shortfall: int
    short_communities: int


def shortfall(scope) -> Shortfall:
    """Standard headcount against workers in post for ``scope.communities`` (Place rows of one
    district, ``scope.district``) on ``scope.today``: two queries (the rule, the counts), and no
    burden index (the dashboard's figure shows none)."""
    communities = list(scope.communities)
    rule = rule_in_force(scope.district, scope.today)
    actual = in_post_by_community([c.pk for c in communities], scope.today)
    standard = total_actual = missing = short = 0
    for c in communities:
        wanted = (
            standard_headcount(rule, residents=c.population, households=c.households) if rule else 0
        )
        have = actual.get(c.pk, 0)
        standard, total_actual = standard + wanted, total_actual + have
        if wanted > have:
            missing, short = missing + wanted - have, short + 1
    return Shortfall(standard, total_actual, missing, short)


def _burden_hours(community_ids: list[int], day: datetime.date) -> dict[int, float]:
    """This month's burden index per community, read through workload's selector."""
    from workload import selectors as workload

    month = day.replace(day=1)
    return {
        cid: row.index_hours
        for (cid, _m), row in workload.burden(community_ids, month, month).items()
    }
