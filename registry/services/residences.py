"""Where people live: households, buildings, units, houses and residences."""

import re

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from core import audit
from core.clock import one_write
from core.identifiers import to_halfwidth
from core.models import Person, Place, PlaceLevel
from core.validation import require_perm as _require
from registry import bulk, values
from registry.lookups import AnyOf
from registry.models import Building, House, Household, Residence, Unit

ADDRESS_RE = re.compile(
    r"^(?P<building>.+?\d+号(?:\d+[幢栋])?)(?:(?P<unit>\d+)单元)?(?P<room>\d+室)?$"
)


class Placer:
    """Sets where many people live with few queries: households, buildings, units, houses and
    residences are loaded per chunk, made in memory once each, and written in bulk by
    `flush()` (buildings, then units, houses, households, residences)."""

    def __init__(self, district: Place):
        self.district = district
        self.households: dict[str, Household] = {}
        self.buildings: dict[str, Building] = {}
        self.units: dict[tuple[str, str], Unit] = {}
        self.houses: dict[str, House] = {}
        self.residences: dict[int, Residence] = {}
        self.people: list[Person] = []
        self.new: dict[type, list] = {Building: [], Unit: [], House: [], Household: []}
        # Addresses already looked up by preload(): a miss there needs no second query.
        self.known_absent: set[str] = set()

    def preload(self, *, person_ids, household_nos, addresses) -> None:
        district = self.district
        if person_ids:
            for r in Residence.objects.filter(AnyOf(F("person_id"), person_ids)):
                self.residences[r.person_id] = r
        household_nos = set(household_nos)
        for h in Household.objects.filter(AnyOf(F("number"), household_nos), district=district):
            self.households[h.number] = h
        clean = {norm_address(a) for a in addresses if a}
        for h in House.objects.filter(AnyOf(F("address"), clean), district=district):
            self.houses[h.address] = h
        matches = [ADDRESS_RE.match(a) for a in clean]
        wanted = {m["building"] for m in matches if m}
        for b in Building.objects.filter(AnyOf(F("address"), wanted), district=district):
            self.buildings[b.address] = b
        loaded = {b.pk: b.address for b in self.buildings.values() if b.address in wanted}
        for u in Unit.objects.filter(AnyOf(F("building_id"), loaded)):
            self.units[(loaded[u.building_id], u.number)] = u
        self.known_absent |= {("house", a) for a in clean if a not in self.houses}
        self.known_absent |= {("building", a) for a in wanted if a not in self.buildings}
        self.known_absent |= {("units", a) for a in loaded.values()}

    def _add(self, obj):
        self.new[type(obj)].append(obj)
        return obj

    def house(self, *, community: Place, grid: Place | None, address: str) -> House | None:
        address = norm_address(address)
        if address in self.houses:
            return self.houses[address]
        m = ADDRESS_RE.match(address)
        if not m:
            return None
        building = self.buildings.get(m["building"])
        if building is None:
            if ("building", m["building"]) not in self.known_absent:
                building = Building.objects.filter(
                    district=self.district, address=m["building"]
                ).first()
            building = building or self._add(bulk.unsaved(
                Building, district=self.district, address=m["building"], community=community,
                grid=grid))  # fmt: skip
            self.buildings[building.address] = building
        unit = None
        if m["unit"]:
            unit = self.units.get((building.address, m["unit"]))
            if unit is None:
                if building.pk and ("units", building.address) not in self.known_absent:
                    unit = Unit.objects.filter(building=building, number=m["unit"]).first()
                unit = unit or self._add(bulk.unsaved(Unit, building=building, number=m["unit"]))
                self.units[(building.address, m["unit"])] = unit
        house = None
        if ("house", address) not in self.known_absent:
            house = House.objects.filter(district=self.district, address=address).first()
        house = house or self._add(bulk.unsaved(
            House, district=self.district, community=community, grid=grid, building=building,
            unit=unit, number=m["room"] or "", address=address,
        ))  # fmt: skip
        self.houses[address] = house
        return house

    def place(
        self, *, person: Person, community: Place, grid: Place | None = None,
        household_no: str = "", registered_address: str = "", actual_address: str = "",
        relation: str = "",
    ) -> Residence:  # fmt: skip
        household = None
        if household_no:
            household = self.households.get(household_no)
            if household is None:
                household = self._add(bulk.unsaved(
                    Household, district=self.district, number=household_no, community=community,
                    grid=grid, address=registered_address,
                    house=self.house(community=community, grid=grid, address=registered_address),
                ))  # fmt: skip
                self.households[household_no] = household
        residence = self.residences.get(person.pk)
        if residence is None:
            residence = bulk.unsaved(Residence, person=person)
            self.residences[person.pk] = residence
        # Keys, not objects: the places are saved, and a million descriptor sets add up.
        residence.district_id = self.district.pk
        residence.street_id = community.parent_id
        residence.community_id = community.pk
        if grid is not None:
            residence.grid_id = grid.pk
        residence.household = household or residence.household
        residence.relation = relation[:20] or residence.relation
        residence.registered_address = registered_address or residence.registered_address
        residence.actual_address = actual_address or residence.actual_address
        if residence.actual_address:
            residence.house = self.house(  # without a new grid, the one kept from before
                community=community, grid=grid or residence.grid, address=residence.actual_address
            )
        residence.separated = is_separated(residence)
        target = grid or community
        if person.place_id != target.pk or person.district_id != self.district.pk:
            person.place, person.district = target, self.district
            self.people.append(person)
        return residence

    def flush(self) -> None:
        for model in (Building, Unit, House, Household):
            bulk.insert(model, self.new[model])
            self.new[model] = []
        new = [r for r in self.residences.values() if r.pk is None]
        old = [r for r in self.residences.values() if r.pk is not None]
        bulk.insert(Residence, new)
        Residence.objects.bulk_update(
            old,
            ["district", "street", "community", "grid", "household", "relation",
             "registered_address", "actual_address", "house", "separated"],
        )  # fmt: skip
        Person.objects.bulk_update(self.people, ["place", "district"])
        self.people = []


def norm_address(address: str) -> str:
    """The address without any whitespace, full-width forms made ASCII (str.split() splits on
    the same Unicode whitespace as the regex \\s, at a fraction of the cost)."""
    return "".join(to_halfwidth(address or "").split())


def is_separated(residence: Residence) -> bool:
    a, b = residence.registered_address, residence.actual_address
    return bool(a and b and a != b and address_key(a) != address_key(b))


def address_key(address: str) -> str:
    """The address compare-ready: no whitespace, without a leading 江苏省 and 南京市."""
    return norm_address(address).removeprefix("江苏省").removeprefix("南京市")


def place_person(
    *,
    person: Person,
    community: Place,
    grid: Place | None = None,
    household_no: str = "",
    registered_address: str = "",
    actual_address: str = "",
) -> Residence:
    """Set where a person lives (no permission check: callers check)."""
    placer = Placer(community.district)
    placer.preload(
        person_ids=[person.pk], household_nos=[household_no] if household_no else [],
        addresses=[registered_address, actual_address],
    )  # fmt: skip
    residence = placer.place(
        person=person, community=community, grid=grid, household_no=household_no,
        registered_address=registered_address, actual_address=actual_address,
    )  # fmt: skip
    placer.flush()
    return residence


@one_write
def residence_set(
    *,
    actor,
    person: Person,
    community: Place,
    grid: Place | None = None,
    household_no: str = "",
    relation: str = "",
    registered_address: str = "",
    actual_address: str = "",
) -> Residence:
    """Record where a person lives, as the community (audited)."""
    _require(actor, "registry.manage_residents", community)
    if community.level != PlaceLevel.COMMUNITY:
        raise ValidationError(_("请选择社区。"))
    if grid is not None and grid.parent_id != community.pk:
        raise ValidationError(_("网格不属于所选社区。"))
    household_no = values.text(household_no)
    if household_no and not re.fullmatch(r"\d{6,20}", household_no):
        raise ValidationError(_("户号应为6–20位数字。"))
    residence = place_person(
        person=person, community=community, grid=grid, household_no=household_no,
        registered_address=values.text(registered_address), actual_address=values.text(actual_address),
    )  # fmt: skip
    if relation:
        residence.relation = values.text(relation)[:20]
        residence.save(update_fields=["relation"])
    audit.record(actor=actor, action="registry.residence_set", obj=person, place=community,
                 changes={"household": household_no, "separated": residence.separated})  # fmt: skip
    return residence
