"""The facts of people an import creates: every value they were given, current, from this batch.

They need no comparison (a new person has no facts yet), so they are written in bulk. On
PostgreSQL set-based (issue #19 item 7): one typed row per person, its values side by side, is
COPYed into a temporary staging table, and one INSERT … SELECT turns each row into its facts on
the server. A person's eleven facts used to be eleven rows built in Python and eleven COPY
lines; now they are one. Elsewhere (SQLite) the same rows are expanded here and inserted with
bulk_create. Both give the same facts (registry/tests/test_import_set_based.py).
"""

from django.db import connection

from core import clock
from registry import bulk, values
from registry.importing.matching import fact_hash
from registry.models import Fact

FRESH_FACT_COLUMNS = [
    "district_id", "community_id", "person_id", "field_id", "value", "value_hash", "value_enc",
    "source_id", "source_label", "author_id", "batch_id", "recorded_at", "is_current",
]  # fmt: skip
SET_BASED = True  # on PostgreSQL; a test turns it off to compare with the row-by-row path
STAGING = "registry_fresh_facts"


def write(rows, batch, actor, fields, source, label) -> int:
    """Every value of the people created (`rows`: Staged, each with its new person and
    community) as current facts of this batch; how many facts."""
    keys = list(dict.fromkeys(k for r in rows for k in (*r.data["values"], *r.data["tags"])))
    if not keys:
        return 0
    people = _typed_rows(rows, keys, fields)
    author_id = actor.pk if getattr(actor, "pk", None) else None
    common = (source.pk if source else None, label, author_id, batch.pk, clock.now())
    field_ids = [fields[k].pk for k in keys]
    if connection.vendor == "postgresql" and SET_BASED:
        return _insert_select(people, field_ids, common)
    made = [
        (district_id, community_id, person_id, field_id, value, digest, enc, *common, True)
        for district_id, community_id, person_id, *cells in people
        for field_id, value, digest, enc in zip(
            field_ids, cells[0::3], cells[1::3], cells[2::3], strict=True
        )
        if digest is not None
    ]
    bulk.insert_rows(Fact, FRESH_FACT_COLUMNS, made)
    return len(made)


def _typed_rows(rows, keys: list[str], fields) -> list[tuple]:
    """One tuple per person: district, community, person, then (shown value, hash, ciphertext)
    for each of `keys` (three Nones where the person has no such value)."""
    at = {k: 3 + 3 * i for i, k in enumerate(keys)}
    # Keyed hashes of the chunk's plain values, each taken once: gender, relation, ethnicity,
    # grid, category and the tags repeat on almost every row, addresses and household
    # numbers within a household (a chunk's only: the cache goes with the call).
    hashes: dict[tuple[str, str], str] = {}
    out = []
    for row in rows:
        data = row.data
        shown = data["shown"]
        person = row.person
        cells = [None] * (3 + 3 * len(keys))
        cells[0] = person.district_id
        cells[1] = row.community.pk if row.community else None
        cells[2] = person.pk
        for key, stored in data["values"].items():
            field = fields[key]
            i = at[key]
            if field.sensitive:
                cells[i : i + 3] = (shown.get(key, "")[:200], fact_hash(field, data, stored),
                                    stored)  # fmt: skip
            else:
                digest = hashes.get((key, stored))
                if digest is None:
                    digest = hashes[key, stored] = values.value_hash(key, stored)
                cells[i : i + 3] = (shown.get(key, stored)[:200], digest, "")
        for tag in data["tags"]:
            digest = hashes.get((tag, "是"))
            if digest is None:
                digest = hashes[tag, "是"] = values.value_hash(tag, "是")
            i = at[tag]
            cells[i : i + 3] = ("是", digest, "")
        out.append(tuple(cells))
    return out


def _insert_select(people: list[tuple], field_ids: list[int], common: tuple) -> int:
    """COPY the typed rows into a temporary table, then one INSERT … SELECT writes the facts
    (in the order the row-by-row path writes them: person by person, field by field)."""
    width = len(field_ids)
    columns = ", ".join(f"v{i} text, h{i} text, e{i} text" for i in range(width))
    names = ", ".join(f"v{i}, h{i}, e{i}" for i in range(width))
    lateral = ", ".join(f"({i}, %s::bigint, s.v{i}, s.h{i}, s.e{i})" for i in range(width))
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(
            f"CREATE TEMP TABLE {STAGING} (n serial, district_id bigint, community_id bigint, "
            f"person_id bigint, {columns}) ON COMMIT DROP"
        )
        copy_sql = f"COPY {STAGING} (district_id, community_id, person_id, {names}) FROM STDIN"
        with cursor.cursor.copy(copy_sql) as copy:
            for person in people:
                copy.write_row(person)
        cursor.execute(
            "INSERT INTO registry_fact (district_id, community_id, person_id, field_id, value, "  # noqa: S608 - names and numbers from code, no input
            "value_hash, value_enc, source_id, source_label, author_id, batch_id, recorded_at, "
            "is_current) "
            "SELECT s.district_id, s.community_id, s.person_id, u.field_id, u.value, u.hash, "
            "u.enc, %s, %s, %s, %s, %s, true "
            f"FROM {STAGING} s CROSS JOIN LATERAL (VALUES {lateral}) "
            "AS u(pos, field_id, value, hash, enc) "
            "WHERE u.hash IS NOT NULL ORDER BY s.n, u.pos",
            [*common, *field_ids],
        )
        made = cursor.rowcount
        cursor.execute(f"DROP TABLE {STAGING}")
    return made
