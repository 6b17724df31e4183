"""Reads of the owners app: the compounds a user may see, a compound's figures, a decision's
counts so far, the thresholds in force."""

from dataclasses import dataclass
from fractions import Fraction

from django.db.models import Q, QuerySet

from core.models import Place, PlaceLevel
from core.rules import role_places
from core.selectors import subtrees
from owners import rules, tally
from owners.models import (
    Committee,
    Compound,
    CompoundBuilding,
    Decision,
    DecisionRule,
    Part,
    RollEntry,
)
from owners.services.decisions import owner_key, publish_data


def compounds_visible_to(user) -> QuerySet[Compound]:
    """The compounds of the places where the user serves (or audits, or supervises), and the
    compounds where the user owns a part: the same answer as ``owners.view_compound``."""
    if not getattr(user, "is_authenticated", False):
        return Compound.objects.none()
    if user.is_superuser:
        return Compound.objects.all()
    places = role_places(user, rules.VIEWERS)
    return Compound.objects.filter(
        subtrees(places, "community__path") | Q(parts__owner__account=user)
    ).distinct()


def communities_kept_by(user) -> QuerySet[Place]:
    """Communities where the user may register compounds."""
    qs = Place.objects.filter(level=PlaceLevel.COMMUNITY, is_active=True)
    if user.is_superuser:
        return qs
    return qs.filter(subtrees(role_places(user, rules.KEEPERS)))


def mask_name(name: str) -> str:
    """A name as the public sees it: the first character and stars (王**)."""
    return (name[:1] + "*" * max(len(name) - 1, 1)) if name else ""


def area_shown(hundredths: int) -> str:
    return f"{hundredths // 100}.{hundredths % 100:02d}"


@dataclass
class Figures:
    buildings: int
    parts: int
    owners: int  # by the interpretation's count: a multi-part owner once, the developer once
    area: str  # m², two decimals


def figures(compound: Compound) -> Figures:
    parts = list(Part.objects.filter(compound=compound).only("area", "owner_id", "developer_held"))
    return Figures(
        buildings=CompoundBuilding.objects.filter(compound=compound).count(),
        parts=len(parts),
        owners=len({owner_key(p) for p in parts}),
        area=area_shown(sum(p.area for p in parts)),
    )


def parts_of(compound: Compound) -> QuerySet[Part]:
    return (
        Part.objects.filter(compound=compound)
        .select_related("house", "owner")
        .order_by("house__address")
    )


def houses_without_part(compound: Compound):
    """The houses of the compound's buildings not yet recorded as parts."""
    from registry.models import House

    return (
        House.objects.filter(building__in=compound.buildings.values("building"))
        .exclude(pk__in=Part.objects.filter(compound=compound).values("house"))
        .order_by("address")
    )


def free_buildings(compound: Compound):
    """Registry buildings of the compound's community that belong to no compound yet."""
    from registry.models import Building

    return (
        Building.objects.filter(community_id=compound.community_id)
        .exclude(pk__in=CompoundBuilding.objects.values("building"))
        .order_by("address")
    )


def current_committee(compound: Compound) -> Committee | None:
    return (
        compound.committees.exclude(stage=Committee.Stage.ENDED)
        .prefetch_related("members__person")
        .first()
    )


def decisions_of(compound: Compound) -> QuerySet[Decision]:
    return Decision.objects.filter(compound=compound).order_by("-created_at", "-id")


def rules_of(district: Place) -> QuerySet[DecisionRule]:
    return DecisionRule.objects.filter(district=district)


def counts_so_far(decision: Decision) -> dict | None:
    """Both counts of an open decision as they stand (for those who run it)."""
    if decision.state != Decision.State.OPEN:
        return None
    return tally.count(publish_data(decision))


def roll_of(decision: Decision) -> QuerySet[RollEntry]:
    return decision.roll.select_related("owner").order_by("label")


def my_entries(user, decision: Decision) -> list[RollEntry]:
    if not getattr(user, "is_authenticated", False):
        return []
    return list(decision.roll.filter(owner__account=user).order_by("label"))


def percent(fraction_text: str) -> str:
    """A fraction "p/q" as a percentage with one decimal, for reading (the fraction is exact)."""
    value = Fraction(fraction_text) * 100
    return f"{float(value):.1f}%"


def published_decisions() -> QuerySet[Decision]:
    return Decision.objects.filter(state=Decision.State.PUBLISHED)


# The company whose contract for a compound is in force on a day (owners.routing).
from owners.routing import company_in_force  # noqa: E402,F401
