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
