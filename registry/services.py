"""Every write of the registry. Each checks permission, validates, writes and audits atomically.

Facts (一数一源): `fact_record` stores a value with its source, time and author. The value shown
is the owning department's; a value from another source that disagrees opens a conflict
(数据打架) routed to the owner, and the owner's value stays shown until the conflict is settled.
"""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc
from stdnum.exceptions import ValidationError as StdnumError

from core import audit, clock, personal_data
from core.clock import one_write
from core.identifiers import to_halfwidth
from core.models import Department, Person, Place, PlaceLevel
from core.validation import require_perm as _require
from registry import bulk, defaults, values
from registry.models import (
    Building,
    Conflict,
    Fact,
    Field,
    House,
    Household,
    ImportBatch,
    ImportRow,
    ImportSource,
    LedgerEntry,
    Organisation,
    ReportColumn,
    ReportForm,
    Residence,
    SharingGrant,
    Unit,
)
from registry.rules import officer_departments

# ---------------------------------------------------------------- field registry


def ensure_fields(district: Place) -> dict[str, Field]:
    """The district's field registry, with the default fields added once (idempotent)."""
    existing = {f.key: f for f in Field.objects.filter(district=district).select_related("owner")}
    missing = [row for row in defaults.FIELDS if row[0] not in existing]
    if missing:
        departments = {d.short_code: d for d in Department.objects.filter(district=district)}
        with transaction.atomic():
            for order, (key, label, aliases, kind, owner, sensitive, is_tag) in enumerate(
                defaults.FIELDS
            ):
                if key in existing:
                    continue
                field, _created = Field.objects.get_or_create(
                    district=district, key=key,
                    defaults=dict(
                        label=label, aliases=aliases, kind=kind, owner=departments.get(owner),
                        sensitive=sensitive, is_tag=is_tag, order=order,
                    ),
                )  # fmt: skip
                existing[key] = field
    return existing


@one_write
def field_set_owner(*, actor, field: Field, owner: Department | None) -> Field:
    """Name the owning department of a field (None: the community collects it)."""
    field = Field.objects.select_for_update().get(pk=field.pk)
    _require(actor, "registry.manage_fields", field.district)
    if owner is not None and owner.district_id != field.district_id:
        raise ValidationError(_("权威来源部门须属于本区。"))
    changes = audit.diff(field, owner=owner)
    field.owner = owner
    field.save(update_fields=["owner"])
    audit.record(actor=actor, action="registry.field_owner", obj=field, changes=changes,
                 place=field.district)  # fmt: skip
    return field


def field_named(district: Place, label: str) -> Field | None:
    """The registry field a column title or report column names (label or alias), if any."""
    wanted = re.sub(r"\s+", "", to_halfwidth(label or ""))
    for field in ensure_fields(district).values():
        if wanted in {re.sub(r"\s+", "", to_halfwidth(n)) for n in field.names()}:
            return field
    return None


# ---------------------------------------------------------------- facts and conflicts


def source_label(source: Department | None) -> str:
    return source.name if source else _("社区采集")


def _new_fact(**values) -> Fact:
    """A new, unsaved Fact with its columns set directly (an import makes millions)."""
    return bulk.unsaved(Fact, **values)


class FactWriter:
    """Records many facts with few queries: load the existing facts of a set of people once,
    decide each new value in memory, then write demotions, new facts and conflicts in bulk.

    The rules (一数一源): a source repeating itself changes nothing; the owner's value is shown
    (and settles open conflicts on that field); a non-owner's value is shown only while nothing
    else is; a non-owner value that disagrees with the shown one opens a conflict for the owner.
    """

    def __init__(self, *, author, batch=None):
        self.author = _u(author)
        self.batch = batch
        self.facts: dict[tuple[int, int], list[Fact]] = {}
        self.new: list[Fact] = []
        self.demote: list[int] = []
        self.conflicts: list[tuple[Fact, Fact, Field, Person, Place | None]] = []
        self.settle: list[tuple[int, int]] = []
        self.mirrors: list[tuple[Person, Field, values.Clean]] = []

    def load(self, person_ids, fields) -> None:
        for fact in Fact.objects.filter(
            person_id__in=person_ids, field__in=fields
        ).select_for_update():
            self.facts.setdefault((fact.person_id, fact.field_id), []).append(fact)

    def add(
        self, *, person, field, clean, source, label="", community=None
    ) -> tuple[str, Fact | None]:
        digest = values.value_hash(field.key, clean.value)
        source_id = source.pk if source else None
        facts = self.facts.setdefault((person.pk, field.pk), [])
        current = next((f for f in facts if f.is_current), None)
        if any(f.source_id == source_id and f.value_hash == digest for f in facts):
            if current is None or current.value_hash == digest or current.source_id != source_id:
                return "unchanged", None
        fact = _new_fact(
            district_id=person.district_id, community_id=community.pk if community else None,
            person_id=person.pk, field_id=field.pk, value=clean.shown[:200], value_hash=digest,
            value_enc=(clean.enc or personal_data.encrypt(clean.value)) if field.sensitive else "",
            source_id=source_id, source_label=label or source_label(source),
            author_id=self.author.pk if self.author else None,
            batch_id=self.batch.pk if self.batch else None, is_current=False,
        )  # fmt: skip
        facts.append(fact)
        self.new.append(fact)
        is_owner = source_id == field.owner_id
        if current is None or (is_owner and current.value_hash != digest):
            if current is not None:
                current.is_current = False
                if current.pk:
                    self.demote.append(current.pk)
                self.settle.append((person.pk, field.pk))
            fact.is_current = True
            self.mirrors.append((person, field, clean))
            return "current", fact
        if current.value_hash == digest or (
            field.key == "birth_date" and _same_month(current.value, clean.value)
        ):
            return "agrees", fact
        self.conflicts.append((current, fact, field, person, community))
        return "conflict", fact

    def flush(self) -> list[Conflict]:
        if self.demote:
            Fact.objects.filter(pk__in=self.demote).update(is_current=False)
        for person_id, field_id in self.settle:
            Conflict.objects.filter(
                person_id=person_id, field_id=field_id, status=Conflict.Status.OPEN
            ).update(status=Conflict.Status.SETTLED, settled_at=clock.now(),
                     note=_("权威来源部门已更新"))  # fmt: skip
        bulk.insert(Fact, self.new)
        conflicts = Conflict.objects.bulk_create(
            Conflict(
                district_id=person.district_id,
                community=community or _community_of(person),
                person=person,
                field=field,
                owner_id=field.owner_id,
                shown=shown,
                challenger=fact,
            )  # fmt: skip
            for shown, fact, field, person, community in self.conflicts
        )
        by_person: dict[int, list] = {}
        for person, field, clean in self.mirrors:
            if field.key in defaults.RESIDENCE_FIELDS:
                by_person.setdefault(person.pk, []).append((field.key, clean.value))
            else:
                _mirror(person, field, clean)
        if by_person:
            changed = []
            for residence in Residence.objects.filter(person_id__in=by_person):
                before = [getattr(residence, k) for k in defaults.RESIDENCE_FIELDS]
                before.append(residence.separated)
                for key, value in by_person[residence.person_id]:
                    setattr(residence, key, value)
                residence.separated = _separated(residence)
                after = [getattr(residence, k) for k in defaults.RESIDENCE_FIELDS]
                if after + [residence.separated] != before:
                    changed.append(residence)
            Residence.objects.bulk_update(changed, [*defaults.RESIDENCE_FIELDS, "separated"])
        self.new, self.demote, self.conflicts, self.settle, self.mirrors = [], [], [], [], []
        self.facts = {}
        return conflicts


def record_fact(
    *,
    author,
    person: Person,
    field: Field,
    clean: values.Clean,
    source: Department | None,
    label: str = "",
    community: Place | None = None,
    batch=None,
) -> tuple[str, Fact | None, Conflict | None]:
    """Store one value (no permission check: callers check). Returns (outcome, fact, conflict).

    outcome: "unchanged" (this source already said this), "current" (now shown), "agrees"
    (another source confirms the shown value), "conflict" (disagrees; routed to the owner).
    """
    writer = FactWriter(author=author, batch=batch)
    writer.load([person.pk], [field])
    outcome, fact = writer.add(
        person=person, field=field, clean=clean, source=source, label=label, community=community
    )
    conflicts = writer.flush()
    return outcome, fact, (conflicts[0] if conflicts else None)


def _same_month(a: str, b: str) -> bool:
    return a[:7] == b[:7] and (len(a) == 7 or len(b) == 7)


def _community_of(person: Person) -> Place | None:
    residence = Residence.objects.filter(person=person).select_related("community").first()
    if residence:
        return residence.community
    place = person.place
    if place is None:
        return None
    return place.parent if place.level == PlaceLevel.GRID else place


def _mirror(person: Person, field: Field, clean: values.Clean) -> None:
    """Keep core.Person and the Residence row in step with the value now shown."""
    key = field.key
    changed = []
    if key == "name" and person.name != clean.value:
        person.name, changed = clean.value, ["name"]
    elif key == "gender":
        gender = {"男": "M", "女": "F"}.get(clean.value, "")
        if person.gender != gender:
            person.gender, changed = gender, ["gender"]
    elif key == "birth_date" and len(clean.value) == 10:
        day = datetime.date.fromisoformat(clean.value)
        if person.birth_date != day:
            person.birth_date, changed = day, ["birth_date"]
    elif key == "phone" and re.fullmatch(r"1\d{10}", clean.value):
        personal_data.set_mobile(person, clean.value)
        changed = ["mobile_enc", "mobile_hash", "mobile_masked"]
    if changed and person.pk:
        person.save(update_fields=[*changed, "updated_at"])
    if key in defaults.RESIDENCE_FIELDS:
        residence = Residence.objects.filter(person=person).first()
        if residence is not None:
            setattr(residence, key, clean.value)
            residence.separated = _separated(residence)
            residence.save()


def _separated(residence: Residence) -> bool:
    a, b = residence.registered_address, residence.actual_address
    return bool(a and b and _address_key(a) != _address_key(b))


def _address_key(address: str) -> str:
    return re.sub(r"^(江苏省)?(南京市)?", "", re.sub(r"\s+", "", to_halfwidth(address)))


def _u(actor):
    return actor if getattr(actor, "pk", None) else None


def _source_for(actor, person_community: Place | None, source: Department | None):
    """Check the actor may speak for `source` (a department, or the community when None)."""
    if source is not None:
        if actor.is_superuser or source in officer_departments(actor, source.district):
            return
        raise PermissionDenied(
            _("您不是“%(d)s”的工作人员，不能以其名义录入。") % {"d": source.name}
        )
    if person_community is None or not actor.has_perm(
        "registry.manage_residents", person_community
    ):
        raise PermissionDenied(_("您无权为此人录入社区采集的信息。"))


@one_write
def fact_record(
    *, actor, person: Person, key: str, raw, source: Department | None = None
) -> tuple[str, Fact | None, Conflict | None]:
    """Record one value about a person from a department (or the community when None)."""
    person = Person.objects.select_for_update().get(pk=person.pk)
    if person.district_id is None:
        raise ValidationError(_("此人未归属任何区，不能登记数据。"))
    district = Place.objects.get(pk=person.district_id)
    fields = ensure_fields(district)
    if key not in fields:
        raise ValidationError(_("字段库中没有“%(k)s”。"), params={"k": key})
    field = fields[key]
    community = _community_of(person)
    _source_for(actor, community, source)
    if key == "id_number":
        raise ValidationError(_("身份证号由人员登记维护，不能在此修改。"))
    clean = values.clean(field.kind, field.key, raw)
    outcome, fact, conflict = record_fact(
        author=actor, person=person, field=field, clean=clean, source=source, community=community
    )
    if fact is not None:
        audit.record(
            actor=actor, action="registry.fact_record", obj=person, place=community,
            changes={"field": field.label, "value": fact.value, "source": fact.source_label,
                     "outcome": outcome},
        )  # fmt: skip
    return outcome, fact, conflict


@one_write
def conflict_settle(*, actor, conflict: Conflict, keep: str, note: str = "") -> Conflict:
    """The owner decides: keep the shown value, or adopt the challenger's (as its own)."""
    conflict = (
        Conflict.objects.select_for_update(of=("self",))
        .select_related("field", "person", "shown", "challenger", "owner", "district", "community")
        .get(pk=conflict.pk)
    )
    _require(actor, "registry.settle_conflict", conflict, _("只有权威来源部门可以核定此冲突。"))
    if conflict.status != Conflict.Status.OPEN:
        raise ValidationError(_("此冲突已核定。"), code="settled")
    if keep not in ("shown", "challenger"):
        raise ValidationError(_("请选择保留哪一个值。"))
    note = (note or "").strip()[:200]
    chosen = conflict.shown if keep == "shown" else conflict.challenger
    if keep == "challenger":
        field = conflict.field
        raw = personal_data.decrypt(chosen.value_enc) if field.sensitive else chosen.value
        clean = values.clean(field.kind, field.key, raw)
        record_fact(
            author=actor, person=conflict.person, field=field, clean=clean,
            source=conflict.owner, label=_("%(s)s（核定）") % {"s": source_label(conflict.owner)},
            community=conflict.community,
        )  # fmt: skip
    conflict.status = Conflict.Status.SETTLED
    conflict.settled_at = clock.now()
    conflict.settled_by = actor
    conflict.note = note or (_("保留现值") if keep == "shown" else _("采用新值"))
    conflict.save()
    audit.record(
        actor=actor, action="registry.conflict_settle", obj=conflict.person,
        place=conflict.community,
        changes={"field": conflict.field.label, "kept": chosen.value, "note": conflict.note},
    )  # fmt: skip
    return conflict


# ---------------------------------------------------------------- where people live

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
        for r in Residence.objects.filter(person_id__in=person_ids):
            self.residences[r.person_id] = r
        for h in Household.objects.filter(district=self.district, number__in=household_nos):
            self.households[h.number] = h
        clean = {_norm_address(a) for a in addresses if a}
        for h in House.objects.filter(district=self.district, address__in=clean):
            self.houses[h.address] = h
        matches = [ADDRESS_RE.match(a) for a in clean]
        wanted = {m["building"] for m in matches if m}
        for b in Building.objects.filter(district=self.district, address__in=wanted):
            self.buildings[b.address] = b
        loaded = {b.pk: b.address for b in self.buildings.values() if b.address in wanted}
        for u in Unit.objects.filter(building_id__in=loaded):
            self.units[(loaded[u.building_id], u.number)] = u
        self.known_absent |= {("house", a) for a in clean if a not in self.houses}
        self.known_absent |= {("building", a) for a in wanted if a not in self.buildings}
        self.known_absent |= {("units", a) for a in loaded.values()}

    def _add(self, obj):
        self.new[type(obj)].append(obj)
        return obj

    def house(self, *, community: Place, grid: Place | None, address: str) -> House | None:
        address = _norm_address(address)
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
        residence.separated = _separated(residence)
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


def _norm_address(address: str) -> str:
    return re.sub(r"\s+", "", to_halfwidth(address or ""))


def house_for(*, district: Place, community: Place, grid: Place | None, address: str):
    """The building (and unit) and house of an address, created once."""
    placer = Placer(district)
    house = placer.house(community=community, grid=grid, address=address)
    placer.flush()
    return house


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


# ---------------------------------------------------------------- buildings and houses

BUILDING_RE = re.compile(r"^.+?\d+号(?:\d+[幢栋])?$")
UNIT_RE = re.compile(r"^(\d{1,2})(?:单元)?$")
ROOM_RE = re.compile(r"^(\d{1,5})(?:室)?$")


def _building_address(raw: str) -> str:
    address = _norm_address(values.text(raw))
    if not address:
        raise ValidationError(_("请填写楼栋地址。"), code="required")
    if len(address) > 200:
        raise ValidationError(_("楼栋地址过长（最多200字）。"))
    if not BUILDING_RE.match(address):
        raise ValidationError(
            _(
                "楼栋地址应写到门牌号或幢（栋），如“中华路249号”或“中华路249号6幢”，不含单元和室号。"
            ),
            code="building_address",
        )
    return address


def _grid_in(community: Place, grid: Place | None) -> None:
    if community.level != PlaceLevel.COMMUNITY:
        raise ValidationError(_("请选择社区。"))
    if grid is not None and (grid.level != PlaceLevel.GRID or grid.parent_id != community.pk):
        raise ValidationError(_("网格不属于所选社区。"))


@one_write
def building_create(
    *, actor, community: Place, address: str, grid: Place | None = None
) -> Building:
    """Register a building (幢/栋) or courtyard address in a community (and grid)."""
    _require(actor, "registry.manage_residents", grid or community)
    _grid_in(community, grid)
    address = _building_address(address)
    if Building.objects.filter(district_id=community.district_id, address=address).exists():
        raise ValidationError(_("楼栋“%(a)s”已登记。"), params={"a": address}, code="duplicate")
    building = Building.objects.create(
        district_id=community.district_id, community=community, grid=grid, address=address
    )
    audit.record(actor=actor, action="registry.building_create", obj=building, place=community,
                 changes={"address": address, "grid": grid.name if grid else ""})  # fmt: skip
    return building


@one_write
def building_update(
    *, actor, building: Building, address: str, grid: Place | None = None
) -> Building:
    """Correct a building's address (while it has no houses) or the grid it belongs to."""
    building = Building.objects.select_for_update().select_related("community").get(pk=building.pk)
    _require(actor, "registry.manage_residents", building.grid or building.community)
    if grid is not None:
        _require(actor, "registry.manage_residents", grid)
    _grid_in(building.community, grid)
    address = _building_address(address)
    if address != building.address:
        if building.houses.exists():
            raise ValidationError(
                _("楼栋下已有房屋，不能修改地址；请新登记正确的楼栋。"), code="has_houses"
            )
        if Building.objects.filter(district_id=building.district_id, address=address).exists():
            raise ValidationError(_("楼栋“%(a)s”已登记。"), params={"a": address}, code="duplicate")
    changes = audit.diff(building, address=address, grid=grid)
    building.address, building.grid = address, grid
    building.save(update_fields=["address", "grid"])
    audit.record(actor=actor, action="registry.building_update", obj=building,
                 place=building.community, changes=changes)  # fmt: skip
    return building


@one_write
def house_create(*, actor, building: Building, number: str, unit: str = "") -> House:
    """Register a dwelling: a room number in a building, in a unit when it has units."""
    building = (
        Building.objects.select_for_update(of=("self",))
        .select_related("community", "grid")
        .get(pk=building.pk)
    )
    _require(actor, "registry.manage_residents", building.grid or building.community)
    unit_text = values.text(unit).replace(" ", "")
    room_text = values.text(number).replace(" ", "")
    unit_match = UNIT_RE.match(unit_text) if unit_text else None
    if unit_text and unit_match is None:
        raise ValidationError(_("单元应为1–2位数字，如“2”或“2单元”。"), code="unit")
    room = ROOM_RE.match(room_text)
    if room is None:
        raise ValidationError(_("室号应为1–5位数字，如“502”或“502室”。"), code="room")
    unit_no = str(int(unit_match[1])) if unit_match else ""
    room_no = f"{room[1]}室"
    address = f"{building.address}{unit_no + '单元' if unit_no else ''}{room_no}"
    if House.objects.filter(district_id=building.district_id, address=address).exists():
        raise ValidationError(_("房屋“%(a)s”已登记。"), params={"a": address}, code="duplicate")
    unit_obj = None
    if unit_no:
        unit_obj, _new = Unit.objects.get_or_create(building=building, number=unit_no)
    house = House.objects.create(
        district_id=building.district_id, community=building.community, grid=building.grid,
        building=building, unit=unit_obj, number=room_no, address=address,
    )  # fmt: skip
    audit.record(actor=actor, action="registry.house_create", obj=house, place=building.community,
                 changes={"address": address})  # fmt: skip
    return house


# ---------------------------------------------------------------- organisations


def normalize_uscc(raw: str) -> str:
    value = to_halfwidth(raw or "").replace(" ", "").upper()
    try:
        return uscc.validate(value)
    except StdnumError:
        raise ValidationError(
            _("统一社会信用代码“%(v)s”无效（应为18位，且校验位正确）。"), params={"v": value},
            code="uscc",
        ) from None  # fmt: skip


@one_write
def organisation_register(
    *, actor, community: Place, name: str, uscc_code: str, kind: str = "", address: str = ""
) -> Organisation:
    _require(actor, "registry.manage_residents", community)
    if community.level not in (PlaceLevel.COMMUNITY, PlaceLevel.GRID):
        raise ValidationError(_("请选择社区。"))
    code = normalize_uscc(uscc_code)
    name = values.text(name)
    if not name:
        raise ValidationError(_("名称不能为空。"))
    if Organisation.objects.filter(uscc=code).exists():
        raise ValidationError(_("该统一社会信用代码已登记。"), code="duplicate")
    org = Organisation.objects.create(
        district=community.district, community=community, name=name[:100], uscc=code,
        kind=values.text(kind)[:20], address=values.text(address)[:200],
    )  # fmt: skip
    audit.record(actor=actor, action="registry.organisation_register", obj=org, place=community,
                 changes={"name": name, "uscc": code})  # fmt: skip
    return org


# ---------------------------------------------------------------- one-table reports

POPULATION_TAGS = {**{k: v for k, v in defaults.DERIVED_TAGS.items()}}


def clean_population(district: Place, population: dict) -> dict:
    fields = ensure_fields(district)
    tags = [t for t in population.get("tags", []) if t]
    for tag in tags:
        if tag not in defaults.DERIVED_TAGS and not (tag in fields and fields[tag].is_tag):
            raise ValidationError(_("未知的统计对象标签“%(t)s”。"), params={"t": tag})
    result: dict = {"tags": tags}
    for bound in ("min_age", "max_age"):
        value = population.get(bound)
        if value in (None, ""):
            continue
        try:
            value = int(value)
        except (TypeError, ValueError):
            raise ValidationError(_("年龄应为整数。")) from None
        if not 0 <= value <= 150:
            raise ValidationError(_("年龄应在0–150之间。"))
        result[bound] = value
    if result.get("min_age") is not None and result.get("max_age") is not None:
        if result["min_age"] > result["max_age"]:
            raise ValidationError(_("最小年龄不能大于最大年龄。"))
    return result


@one_write
def report_register(
    *,
    actor,
    department: Department,
    name: str,
    field_keys: list[str],
    new_columns: list[str] | None = None,
    population: dict | None = None,
) -> ReportForm:
    """Register a one-table report: fields from the registry, plus columns nobody holds yet.

    A new column that names a field the registry already holds is refused, saying who holds
    it: departments must not make communities collect it again (一数一源).
    """
    _require(actor, "registry.register_report", department, _("您无权为该部门登记报表。"))
    district = department.district
    fields = ensure_fields(district)
    name = values.text(name)
    if not name:
        raise ValidationError(_("报表名称不能为空。"))
    keys = list(dict.fromkeys(k for k in field_keys if k))
    unknown = [k for k in keys if k not in fields]
    if unknown:
        raise ValidationError(_("字段库中没有：%(k)s。"), params={"k": "、".join(unknown)})
    refused, added = [], []
    for label in dict.fromkeys(values.text(c) for c in (new_columns or []) if values.text(c)):
        held = field_named(district, label)
        if held is not None:
            refused.append(
                _(
                    "“%(label)s”已由%(owner)s掌握（字段库“%(field)s”），请直接选用，不要让社区重复填报"
                )
                % {"label": label, "owner": held.owner_label, "field": held.label}
            )
        else:
            added.append(label[:40])
    if refused:
        raise ValidationError("；".join(refused) + "。", code="field_held")
    if not keys and not added:
        raise ValidationError(_("请至少选择一个字段。"))
    population = clean_population(district, population or {})
    if (
        ReportForm.objects.filter(department=department, name=name)
        .exclude(status=ReportForm.Status.STOPPED)
        .exists()
    ):
        raise ValidationError(_("本部门已有同名报表。"))
    report = ReportForm.objects.create(
        district=district, department=department, name=name, population=population,
        created_by=actor,
    )  # fmt: skip
    columns = [fields[k] for k in keys]
    for label in added:
        field = Field.objects.create(
            district=district, key=f"r{report.pk}_{len(columns)}", label=label, kind="text",
            owner=None, order=500,
        )  # fmt: skip
        columns.append(field)
    ReportColumn.objects.bulk_create(
        ReportColumn(report=report, field=f, position=i, title=f.label)
        for i, f in enumerate(columns)
    )
    LedgerEntry.objects.create(
        report=report, action="registered", actor=actor,
        note=_("%(n)d个字段，其中%(k)d个由字段库自动填写")
        % {"n": len(columns), "k": sum(1 for f in columns if f.owner_id or f.key in fields)},
    )  # fmt: skip
    audit.record(actor=actor, action="registry.report_register", obj=report, place=district,
                 changes={"fields": [f.label for f in columns], "population": population})  # fmt: skip
    return report


@one_write
def report_fill(*, actor, report: ReportForm, person: Person, key: str, raw) -> Fact | None:
    """A community fills one missing cell; the value becomes a shared fact (collected once)."""
    if report.status != ReportForm.Status.KEPT:
        raise ValidationError(_("此报表已停用或合并，不再填报。"))
    field = next(
        (c.field for c in report.columns.select_related("field") if c.field.key == key), None
    )
    if field is None:
        raise ValidationError(_("此报表没有该字段。"))
    residence = Residence.objects.filter(person=person).select_related("community", "grid").first()
    community = residence.community if residence else _community_of(person)
    where = (residence.grid or community) if residence else community
    _require(actor, "registry.fill_report", where, _("您无权填报此人的信息。"))
    if values.text(raw) == "":
        raise ValidationError(_("请填写内容。"))
    clean = values.clean(field.kind, field.key, raw)
    outcome, fact, _conflict = record_fact(
        author=actor, person=person, field=field, clean=clean, source=None,
        label=_("社区填报（%(r)s）") % {"r": report.name}, community=community,
    )  # fmt: skip
    audit.record(actor=actor, action="registry.report_fill", obj=person, place=community,
                 changes={"report": report.name, "field": field.label, "outcome": outcome})  # fmt: skip
    return fact


@one_write
def report_set_status(
    *, actor, report: ReportForm, status: str, note: str = "", merged_into: ReportForm | None = None
) -> ReportForm:
    """Forms ledger: keep, stop or merge a form (with a reason)."""
    report = ReportForm.objects.select_for_update().get(pk=report.pk)
    _require(actor, "registry.keep_ledger", report.district, _("只有区减负办可以调整报表台账。"))
    if status not in ReportForm.Status.values:
        raise ValidationError(_("未知的状态。"))
    note = values.text(note)
    if status != ReportForm.Status.KEPT and len(note) < 2:
        raise ValidationError(_("停用或合并报表须说明理由。"))
    if status == ReportForm.Status.MERGED:
        if merged_into is None or merged_into.pk == report.pk:
            raise ValidationError(_("请选择合并到的报表。"))
        if merged_into.district_id != report.district_id or merged_into.status != "kept":
            raise ValidationError(_("只能合并到本区仍在使用的报表。"))
    else:
        merged_into = None
    changes = audit.diff(report, status=status)
    report.status, report.merged_into = status, merged_into
    report.save(update_fields=["status", "merged_into"])
    LedgerEntry.objects.create(report=report, action=status, note=note[:200], actor=actor)
    audit.record(actor=actor, action="registry.report_status", obj=report, place=report.district,
                 changes={**changes, "note": note})  # fmt: skip
    return report


# ---------------------------------------------------------------- data sharing


@one_write
def grant_create(
    *, actor, department: Department, field_keys: list[str], purpose: str
) -> SharingGrant:
    """Authorise a department to read some fields for a stated purpose."""
    _require(
        actor,
        "registry.grant_sharing",
        department.district,
        _("只有区级管理人员可以授权数据共享。"),
    )
    purpose = values.text(purpose)
    if len(purpose) < 2:
        raise ValidationError(_("请说明共享用途。"))
    fields = ensure_fields(department.district)
    keys = [k for k in dict.fromkeys(field_keys) if k]
    if not keys or any(k not in fields for k in keys):
        raise ValidationError(_("请从字段库中选择授权字段。"))
    grant = SharingGrant.objects.create(
        district=department.district, department=department, purpose=purpose[:100], granted_by=actor
    )
    grant.fields.set([fields[k] for k in keys])
    audit.record(actor=actor, action="registry.grant_create", obj=grant, place=department.district,
                 changes={"department": department.name, "fields": keys, "purpose": purpose})  # fmt: skip
    return grant


@one_write
def grant_end(*, actor, grant: SharingGrant) -> SharingGrant:
    grant = SharingGrant.objects.select_for_update().get(pk=grant.pk)
    _require(actor, "registry.grant_sharing", grant.district)
    if grant.ended_at is None:
        grant.ended_at = clock.now()
        grant.save(update_fields=["ended_at"])
        audit.record(actor=actor, action="registry.grant_end", obj=grant, place=grant.district)
    return grant


@one_write
def shared_read(*, actor, grant: SharingGrant, people: list[Person]) -> None:
    """Log that a department read these people's granted fields, with the grant's purpose."""
    _require(actor, "registry.use_grant", grant, _("本部门没有此项数据共享授权。"))
    labels = [f.label for f in grant.fields.all()]
    for person in people:
        audit.record(
            actor=actor, action="registry.shared_read", obj=person, place=person.place,
            purpose=grant.purpose, changes={"department": grant.department.name, "fields": labels},
        )  # fmt: skip


# ---------------------------------------------------------------- imports


@one_write
def import_source_create(*, actor, department: Department, name: str) -> ImportSource:
    _require(actor, "registry.import", department, _("您无权为该部门导入数据。"))
    name = values.text(name)
    if not name:
        raise ValidationError(_("请填写数据来源名称，如“高龄津贴发放名册”。"))
    source, created = ImportSource.objects.get_or_create(
        department=department, name=name[:100], defaults={"district": department.district}
    )
    if created:
        audit.record(actor=actor, action="registry.import_source_create", obj=source,
                     place=department.district, changes={"name": name})  # fmt: skip
    return source


MAPPING_KEYS = {"", "ignore", "street", "community", "remark"}


@one_write
def import_source_set_mapping(*, actor, source, mapping: dict[str, str]):
    """Save how this source's column titles map to registry fields (used by every later file)."""
    source = ImportSource.objects.select_for_update().get(pk=source.pk)
    _require(actor, "registry.import", source)
    fields = ensure_fields(source.district)
    clean = {}
    for title, key in mapping.items():
        if key not in MAPPING_KEYS and key not in fields:
            raise ValidationError(_("“%(t)s”映射到了未知字段。"), params={"t": title})
        clean[values.text(title).replace(" ", "")] = key or "ignore"
    used = [k for k in clean.values() if k not in MAPPING_KEYS]
    if len(used) != len(set(used)):
        raise ValidationError(_("同一个字段不能对应两列。"))
    changes = {"mapping": [source.mapping, clean]}
    source.mapping = clean
    source.save(update_fields=["mapping"])
    audit.record(actor=actor, action="registry.import_mapping", obj=source, changes=changes)
    return source


MAX_UPLOAD = 512 * 1024 * 1024


@one_write
def import_upload(*, actor, source, upload) -> ImportBatch:
    """Store an uploaded file as a batch and queue its dry run (a background job).

    A file this source already imported (same content) becomes a DUPLICATE batch: nothing to do.
    """
    from registry import importer, tasks

    _require(actor, "registry.import", source, _("您无权为该部门导入数据。"))
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1][:200]
    if not name.lower().endswith((".xlsx", ".xlsm", ".csv", ".txt")):
        raise ValidationError(
            _("只支持.xlsx和.csv文件（旧版.xls请另存为.xlsx）。"), code="file_type"
        )
    if upload.size == 0:
        raise ValidationError(_("文件是空的。"), code="empty")
    if upload.size > MAX_UPLOAD:
        raise ValidationError(_("文件过大（最大512MB）。"), code="too_big")
    digest = importer.file_digest(upload)
    earlier = ImportBatch.objects.filter(
        source=source, file_hash=digest, status=ImportBatch.Status.COMMITTED
    ).first()
    batch = ImportBatch(
        district=source.district, source=source, filename=name, file_hash=digest,
        created_by=actor,
    )  # fmt: skip
    if earlier is not None:
        batch.status = ImportBatch.Status.DUPLICATE
        batch.message = _(
            "此文件已于%(at)s导入（批次%(id)d），内容完全相同，重新导入不会改变任何数据。"
        ) % {
            "at": timezone.localtime(earlier.committed_at).strftime("%Y-%m-%d %H:%M"),
            "id": earlier.pk,
        }
    batch.file.save(f"{digest[:16]}-{name}", upload, save=False)
    batch.save()
    audit.record(actor=actor, action="registry.import_upload", obj=batch,
                 changes={"file": name, "source": str(source)})  # fmt: skip
    if batch.status == ImportBatch.Status.QUEUED:
        transaction.on_commit(lambda: tasks.check_import.enqueue(batch_id=batch.pk))
    return batch


@one_write
def import_recheck(*, actor, batch) -> ImportBatch:
    """Run the dry run again (after the mapping changed)."""
    from registry import tasks

    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _require(actor, "registry.import", batch.source)
    if batch.status in (ImportBatch.Status.COMMITTED, ImportBatch.Status.COMMITTING,
                        ImportBatch.Status.DUPLICATE):  # fmt: skip
        raise ValidationError(_("这批数据已导入或正在导入，不能重新检查。"))
    batch.status = ImportBatch.Status.QUEUED
    batch.save(update_fields=["status"])
    audit.record(actor=actor, action="registry.import_recheck", obj=batch)
    transaction.on_commit(lambda: tasks.check_import.enqueue(batch_id=batch.pk))
    return batch


@one_write
def import_confirm(*, actor, row, person: Person | None) -> None:
    """A person decides a fuzzy match: this existing person, or (None) a new person."""

    row = ImportRow.objects.select_for_update().select_related("batch__source").get(pk=row.pk)
    batch = ImportBatch.objects.select_for_update().get(pk=row.batch_id)
    _require(actor, "registry.import", batch.source)
    if row.status != ImportRow.Status.CONFIRM or batch.status != ImportBatch.Status.CHECKED:
        raise ValidationError(_("此行不需要确认。"))
    if person is not None and person.pk not in row.candidates:
        raise ValidationError(_("只能从候选人员中选择。"))
    if person is not None and person.id_number_hash and row.data.get("id_hash"):
        raise ValidationError(_("该人员已有身份证号，与此行不同，不能合并。"))
    row.person, row.create_new, row.status = person, person is None, ImportRow.Status.OK
    row.save(update_fields=["person", "create_new", "status"])
    batch.rows_to_confirm -= 1
    batch.rows_ok += 1
    batch.save(update_fields=["rows_to_confirm", "rows_ok"])
    audit.record(actor=actor, action="registry.import_confirm", obj=batch,
                 changes={"line": row.line, "person": person.pk if person else "new"})  # fmt: skip


@one_write
def import_commit(*, actor, batch) -> ImportBatch:
    """Queue the all-or-nothing commit of a checked batch (a background job)."""
    from registry import tasks

    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    _require(actor, "registry.import", batch.source)
    if batch.status == ImportBatch.Status.DUPLICATE:
        raise ValidationError(batch.message)
    if not batch.can_commit:
        if batch.rows_bad:
            raise ValidationError(
                _("还有%(n)d行有错误：请下载检查结果，改正后重新上传。整批导入，不会只导入一部分。"),
                params={"n": batch.rows_bad}, code="bad_rows",
            )  # fmt: skip
        if batch.rows_to_confirm:
            raise ValidationError(_("还有%(n)d行待确认人员。"), params={"n": batch.rows_to_confirm})
        if batch.status == ImportBatch.Status.CHECKED and batch.rows_ok == 0:
            raise ValidationError(_("所有行都与已有数据一致，无需导入。"), code="nothing")
        raise ValidationError(
            _("这批数据不能导入（状态：%(s)s）。"), params={"s": batch.get_status_display()}
        )
    batch.status = ImportBatch.Status.COMMITTING
    batch.save(update_fields=["status"])
    transaction.on_commit(lambda: tasks.commit_import.enqueue(batch_id=batch.pk, actor_id=actor.pk))
    return batch
