"""Builders for the owners app's tests and demo: a compound with buildings, houses and owners,
made through the real services."""

from core import services as core_services
from owners import services
from registry import services as registry_services


def owner_person(*, actor, community, name: str, mobile: str = "", resident: bool = False):
    """A person to hold parts; with ``resident`` an account (resident role) that logs in by mobile."""
    return core_services.person_register(
        actor=actor, place=community, name=name, mobile=mobile,
        password="Linli-test-2026" if resident else "", password_is_temporary=False,
        role="resident" if resident else None,
    )  # fmt: skip


def build_compound(*, actor, community, name: str, street: str, holdings: list[tuple]):
    """A compound of one building at ``street`` (e.g. "中华路249号6幢") whose houses 101, 102, …
    are held as ``holdings`` says: (area in m² as text, a Person or "developer")."""
    compound = services.compound_create(actor=actor, community=community, name=name)
    building = registry_services.building_create(actor=actor, community=community, address=street)
    services.building_add(actor=actor, compound=compound, building=building)
    parts = []
    for index, (area, holder) in enumerate(holdings, start=1):
        house = registry_services.house_create(
            actor=actor, building=building, number=str(100 + index)
        )
        parts.append(
            services.part_set(
                actor=actor,
                compound=compound,
                house=house,
                area=area,
                area_basis="registered",
                owner=None if holder == "developer" else holder,
                developer_held=holder == "developer",
            )  # fmt: skip
        )
    return compound, parts


def decide(*, actor, compound, matter: str, title: str, choices=None):
    """Draft, freeze, open, vote (paper ballots, ``choices`` per roll entry in house order, all
    "agree" by default), close and publish a decision; returns it."""
    from owners.models import RollEntry

    decision = services.decision_create(
        actor=actor, compound=compound, matter=matter, title=title, text=title
    )
    services.roll_freeze(actor=actor, decision=decision)
    services.decision_open(actor=actor, decision=decision)
    entries = RollEntry.objects.filter(decision=decision).order_by("label")
    for index, entry in enumerate(entries):
        choice = choices[index] if choices else "agree"
        if choice:
            services.ballot_cast(actor=actor, decision=decision, entry=entry, choice=choice,
                                 channel="paper")  # fmt: skip
    services.decision_close(actor=actor, decision=decision)
    return services.decision_publish(actor=actor, decision=decision)


def elected_committee(*, actor, compound, chair, formed_on, term_start):
    """A preparatory group led by ``chair``, an election vote passed by all, the result recorded."""
    committee = services.committee_prepare(
        actor=actor, compound=compound, guidance="街道党工委、社区党委", formed_on=formed_on,
        leader=chair,
    )  # fmt: skip
    election = decide(actor=actor, compound=compound, matter="committee", title="选举业主委员会")
    return services.committee_elect(
        actor=actor, committee=committee, election=election, chair=chair,
        term_start=term_start, term_end=term_start.replace(year=term_start.year + 5),
    )  # fmt: skip
