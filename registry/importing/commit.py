"""Committing one chunk of staged rows (inside the import's one transaction): people first (found,
or created in bulk), then where they live, then their facts.

A person this chunk creates has no facts yet, so each of their values is simply the one shown:
nothing to compare, no conflict possible. Those facts are written straight from the staged
values (and the person's own columns set as the shown values would mirror them); only people
who already existed go through the FactWriter's comparisons.
"""

import dataclasses
import datetime
import re

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils.translation import gettext as _

from core import personal_data
from core.identifiers import mask_id_number, mask_mobile
from core.models import Person, Place, PlaceLevel
from registry import bulk, services, values
from registry.importing import fresh_facts
from registry.importing.header import Places
from registry.importing.matching import plain
from registry.lookups import AnyOf
from registry.models import ImportBatch

YES = values.Clean("是", "是")  # a tag's value


@dataclasses.dataclass(slots=True)
class Staged:
    """A staged row as the commit needs it (no ImportRow instances: a million of them, each
    through Model.__init__, were a seventh of the commit)."""

    person_id: int | None
    data: dict
    person: Person | None = None
    community: Place | None = None


def commit_chunk(chunk: list[Staged], batch: ImportBatch, actor, fields, places: Places,
                 outcomes: dict) -> None:  # fmt: skip
    """People first (found or created in bulk), then where they live, then their facts."""
    source = batch.source.department
    existing, fresh = _people(chunk, batch, fields, places, outcomes)
    _place(chunk, batch, places, person_ids=list(existing))
    label = f"{source.name}·{batch.source.name}"
    outcomes["current"] += fresh_facts.write(fresh, batch, actor, fields, source, label)
    fresh_ids = {id(r) for r in fresh}
    compared = [r for r in chunk if id(r) not in fresh_ids]
    if compared:
        writer = services.FactWriter(author=actor, batch=batch)
        used = {k for r in compared for k in r.data["values"]} | {
            t for r in compared for t in r.data["tags"]
        }
        writer.load(list(existing), [fields[k] for k in used])  # the new people have no facts yet
        for row in compared:
            for field, clean in _row_values(row, fields):
                outcome, _fact = writer.add(
                    person=row.person, field=field, clean=clean, source=source, label=label,
                    community=row.community,
                )  # fmt: skip
                outcomes[outcome] += 1
        writer.flush()


def _people(chunk, batch, fields, places, outcomes) -> tuple[dict[int, Person], list[Staged]]:
    """Each row's person: the one it matched, or a new one (inserted in bulk). Returns the
    matched people by id, and the rows whose person is new here and whose facts need no
    comparison."""
    matched = [r.person_id for r in chunk if r.person_id]
    existing = (
        {p.pk: p for p in Person.objects.select_related("place").filter(AnyOf(F("pk"), matched))}
        if matched
        else {}
    )
    new_people = []
    fresh = []
    for row in chunk:
        if row.person_id:
            row.person = existing[row.person_id]
            outcomes["updated"] += 1
            continue
        row.person = _new_person(row, batch, fields, places)
        new_people.append(row.person)
        stored = row.data["values"]
        if not set(row.data["tags"]) & stored.keys():
            _mirror_new(row.person, stored, fields)
            fresh.append(row)
    hashes = [p.id_number_hash for p in new_people if p.id_number_hash]
    if hashes and Person.objects.filter(AnyOf(F("id_number_hash"), hashes)).exists():
        raise ValidationError(_("有人员在检查之后已被登记，请重新检查这批数据。"))
    bulk.insert(Person, new_people)
    outcomes["created"] += len(new_people)
    return existing, fresh


def _new_person(row: Staged, batch: ImportBatch, fields, places: Places) -> Person:
    stored = row.data["values"]
    community, grid = places.of_row(row.data)
    person = bulk.unsaved(
        Person, name=stored["name"], district_id=batch.district_id, place=grid or community
    )
    if "id_number" in stored:
        _take_id_number(person, row.data, fields)
    if len(stored.get("birth_date", "")) == 10:
        person.birth_date = datetime.date.fromisoformat(stored["birth_date"])
    return person


def _take_id_number(person: Person, data: dict, fields) -> None:
    """The ID number checked in the dry run: keep its ciphertext and keyed hash, derive the rest."""
    stored = data["values"]["id_number"]
    person.id_number_enc = stored
    person.id_number_hash = data["id_hash"]
    person.id_number_masked = data["shown"]["id_number"]
    if "id" in data:
        person.gender = data["id"]["gender"]
        person.birth_date = datetime.date.fromisoformat(data["id"]["birth"])
    else:  # staged before the dry run kept what the number says
        number = plain(fields["id_number"], stored)
        person.id_number_masked = mask_id_number(number)
        person.gender = "M" if int(number[16]) % 2 else "F"
        person.birth_date = datetime.date(int(number[6:10]), int(number[10:12]),
                                          int(number[12:14]))  # fmt: skip


def _place(chunk, batch, places: Places, *, person_ids: list[int]) -> None:
    """Where each row's person lives: the row's community and grid, else the person's own."""
    placer = services.Placer(batch.district)
    placer.preload(
        person_ids=person_ids,  # the new people live nowhere yet
        household_nos=[r.data["values"].get("household_no") for r in chunk
                       if r.data["values"].get("household_no")],
        addresses=[a for r in chunk for a in (r.data["values"].get("registered_address"),
                                              r.data["values"].get("actual_address")) if a],
    )  # fmt: skip
    for row in chunk:
        community, grid = places.of_row(row.data)
        if community is None and row.person.place_id:
            place = row.person.place
            community = place.parent if place.level == PlaceLevel.GRID else place
        row.community = community
        if community is not None:
            stored = row.data["values"]
            placer.place(
                person=row.person, community=community, grid=grid,
                household_no=stored.get("household_no", ""),
                registered_address=stored.get("registered_address", ""),
                actual_address=stored.get("actual_address", ""),
                relation=stored.get("relation", ""),
            )  # fmt: skip
    placer.flush()


def _row_values(row: Staged, fields):
    """(field, clean value) of each of the row's values, then of each of its tags. Cleaned in
    the dry run: the stored form, what it shows, and (sensitive) its ciphertext."""
    shown = row.data["shown"]
    for key, value in row.data["values"].items():
        field = fields[key]
        if field.sensitive:
            yield field, values.Clean(plain(field, value), shown.get(key, ""), enc=value)
        else:
            yield field, values.Clean(value, shown.get(key, value))
    for tag in row.data["tags"]:
        yield fields[tag], YES


def _mirror_new(person: Person, stored: dict, fields) -> None:
    """Set a new person's own columns as their values, all shown, would (services.facts._mirror):
    the name and birth date are set already; the gender column wins over the ID number's
    digit; a mobile number becomes the person's, keeping the dry run's ciphertext."""
    gender = stored.get("gender")
    if gender:
        person.gender = {"男": "M", "女": "F"}.get(gender, "")
    if "phone" in stored:
        number = plain(fields["phone"], stored["phone"])
        if re.fullmatch(r"1\d{10}", number):
            sensitive = fields["phone"].sensitive
            person.mobile_enc = stored["phone"] if sensitive else personal_data.encrypt(number)
            person.mobile_hash = personal_data.keyed_hash("mobile:" + number)
            person.mobile_masked = mask_mobile(number)
