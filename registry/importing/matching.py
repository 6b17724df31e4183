"""Matching a chunk of checked rows against the people the registry holds, then staging it.

A row whose ID number the registry knows is that person (unchanged when this source already
said every value); a row without a match may be someone recorded without an ID number: people
of the same birth date whose name sounds the same become its candidates, for a person to
confirm."""

from django.db.models import F
from pypinyin import lazy_pinyin

from core import personal_data
from core.models import Person
from registry import bulk, services, values
from registry.lookups import AnyOf
from registry.models import Fact, ImportBatch, ImportRow


def _pinyin(name: str) -> str:
    return "".join(lazy_pinyin(name))


STAGED_COLUMNS = [
    "batch_id", "line", "key", "status", "errors", "data", "person_id", "candidates", "create_new"
]  # fmt: skip


def stage_chunk(batch: ImportBatch, chunk: list[ImportRow], fields) -> None:
    """Match a chunk of rows against existing people (one lookup of ID numbers and one of
    fuzzy candidates for the whole chunk), then stage the chunk in one write."""
    hashes = [r.data["id_hash"] for r in chunk if r.data["id_hash"]]
    people = {
        p.id_number_hash: p for p in Person.objects.filter(AnyOf(F("id_number_hash"), hashes))
    }
    source = batch.source.department_id
    known = set(
        Fact.objects.filter(AnyOf(F("person_id"), [p.pk for p in people.values()]))
        .filter(source_id=source)
        .values_list("person_id", "field__key", "value_hash")
    )
    unmatched = _match_registered(chunk, people, known, fields)
    _hold_for_a_person(batch, unmatched, chunk)
    bulk.insert_rows(
        ImportRow, STAGED_COLUMNS,
        [(r.batch_id, r.line, r.key, r.status, r.errors, r.data, r.person_id, r.candidates,
          r.create_new) for r in chunk],
    )  # fmt: skip
    counts = {s: sum(1 for r in chunk if r.status == s) for s in ImportRow.Status.values}
    batch.rows_total += len(chunk)
    batch.rows_done += len(chunk)
    batch.rows_ok += counts["ok"]
    batch.rows_bad += counts["bad"]
    batch.rows_unchanged += counts["unchanged"]
    batch.rows_to_confirm += counts["confirm"]
    batch.save(
        update_fields=[
            "rows_total", "rows_done", "rows_ok", "rows_bad", "rows_unchanged", "rows_to_confirm",
        ]
    )  # fmt: skip


def _match_registered(chunk, people: dict, known: set, fields) -> list[ImportRow]:
    """Give each good row whose ID number the registry knows its person (unchanged when this
    source already said every value); the rows left without a person."""
    unmatched = []
    for row in chunk:
        if row.status == ImportRow.Status.BAD:
            continue
        person = people.get(row.data["id_hash"])
        if person is None:
            unmatched.append(row)
            continue
        row.person = person
        facts = [
            (person.pk, k, fact_hash(fields[k], row.data, v)) for k, v in row.data["values"].items()
        ]
        facts += [(person.pk, t, values.value_hash(t, "是")) for t in row.data["tags"]]
        if facts and all(f in known for f in facts):
            row.status = ImportRow.Status.UNCHANGED
    return unmatched


def _hold_for_a_person(batch, unmatched: list[ImportRow], chunk) -> None:
    """Rows a person must confirm first: those that may be someone registered without an ID
    number (their candidates), and those whose ID number ends in 000 (a number Excel may cut)."""
    pool = Candidates(batch.district_id, [r.data for r in unmatched])
    for row in unmatched:
        candidates = pool.of(row.data)
        if candidates:
            row.candidates = candidates
            row.status = ImportRow.Status.CONFIRM
    for row in chunk:
        if row.data.get("id_warning") and row.status != ImportRow.Status.BAD:
            row.status = ImportRow.Status.CONFIRM


def plain(field, stored: str) -> str:
    return personal_data.decrypt(stored) if field.sensitive else stored


def fact_hash(field, data: dict, stored: str) -> str:
    """The keyed hash a fact of this value carries; the ID number's was taken in the dry run
    (rows staged before it was kept there are decrypted)."""
    if field.key == "id_number" and "id" in data:
        return data["id"]["fact_hash"]
    return values.value_hash(field.key, plain(field, stored))


class Candidates:
    """People who may be a row's person, for a person to confirm: the same birth date (or month,
    when the file gives only a month) and a name that sounds the same (pypinyin), recorded
    without an ID number when the row has one (with one, the ID number would have matched).
    Those living at the row's address come first.

    Loaded for a whole chunk of rows at once: one query for the rows with an ID number (only
    people without one can be theirs), one for those without; month-only rows (rare) one each.
    """

    def __init__(self, district_id: int, rows: list[dict]):
        self.district_id = district_id
        self.by_day: dict[tuple[bool, str], list[Person]] = {}
        wanted = {True: set(), False: set()}
        for data in rows:
            birth = data["values"].get("birth_date", "")
            if data["values"].get("name") and len(birth) == 10:
                wanted[bool(data["id_hash"])].add(birth)
        for with_id, days in wanted.items():
            if not days:
                continue
            query = Person.objects.filter(AnyOf(F("birth_date"), days), district_id=district_id)
            if with_id:
                query = query.filter(id_number_hash="")
            for person in query.select_related("residence"):
                day = person.birth_date.isoformat()
                self.by_day.setdefault((with_id, day), []).append(person)

    def _pool(self, data: dict) -> list[Person]:
        birth = data["values"]["birth_date"]
        if len(birth) == 10:
            found = self.by_day.get((bool(data["id_hash"]), birth), [])
            return found[:50]
        query = Person.objects.filter(
            district_id=self.district_id,
            birth_date__year=int(birth[:4]),
            birth_date__month=int(birth[5:7]),
        )
        if data["id_hash"]:
            query = query.filter(id_number_hash="")
        return list(query.select_related("residence")[:50])

    def of(self, data: dict) -> list[int]:
        name = data["values"].get("name", "")
        birth = data["values"].get("birth_date", "")
        if not name or len(birth) not in (7, 10):
            return []
        pool = self._pool(data)
        if not pool:
            return []
        sound = _pinyin(name)
        found = [p for p in pool if p.name == name or _pinyin(p.name) == sound]
        address = services.address_key(
            data["values"].get("actual_address") or data["values"].get("registered_address") or ""
        )

        def lives_here(person) -> bool:
            residence = getattr(person, "residence", None)
            return bool(address and residence and services.address_key(
                residence.actual_address or residence.registered_address) == address)  # fmt: skip

        found.sort(key=lambda p: (not lives_here(p), p.name != name, p.pk))
        return [p.pk for p in found[:5]]
