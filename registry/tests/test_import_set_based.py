"""The facts of the people an import creates, written set-based on PostgreSQL (a staging table
and one INSERT … SELECT, registry.importing.fresh_facts) and row by row elsewhere (issue #19
item 7): on both databases every new person's facts are exactly their staged row's values, with
this batch as source; on PostgreSQL the set-based path writes the same facts as the row-by-row
path, in the same order."""

import pytest
from django.db import connection, transaction

from core import personal_data
from registry.importing import fresh_facts
from registry.models import Fact, ImportRow
from registry.tests.test_import import CSV, checked, commit

pytestmark = pytest.mark.django_db

POLICE = CSV.read_bytes().rstrip(b"\r\n").rsplit(b"\r\n", 1)[0] + b"\r\n"  # minus its bad line


def _import(world):
    actor = world.users["ga_officer"]
    batch = checked(world, actor, "ga", POLICE, name="population.csv")
    assert batch.can_commit, (batch.status, batch.rows_bad, batch.rows_to_confirm)
    commit(batch, actor)
    assert batch.status == "committed"
    return batch


def _facts(batch) -> list[tuple]:
    """The batch's facts in the order written, people named by their keyed ID hash."""
    return [
        (f.person.id_number_hash, f.field.key, f.value, f.value_hash,
         personal_data.decrypt(f.value_enc) if f.value_enc else "", f.source_id, f.source_label,
         f.author_id, f.is_current, f.community_id, f.district_id, f.recorded_at)
        for f in Fact.objects.filter(batch=batch).select_related("person", "field").order_by("id")
    ]  # fmt: skip


def test_new_peoples_facts_are_their_staged_values(world):
    with transaction.atomic():
        batch = _import(world)
        facts = _facts(batch)
        rows = ImportRow.objects.filter(batch=batch).exclude(status="unchanged")
        expected = set()
        for row in rows:
            data = row.data
            for key, shown in data["shown"].items():
                expected.add((data["id_hash"], key, shown))
            expected |= {(data["id_hash"], tag, "是") for tag in data["tags"]}
        assert {f[:3] for f in facts} == expected
        assert len(facts) == len(expected) == batch.summary["current"]
        source = batch.source
        label = f"{source.department.name}·{source.name}"
        officer = world.users["ga_officer"].pk
        assert {f[5:9] for f in facts} == {(source.department_id, label, officer, True)}
        assert all(f[9] is not None for f in facts)
        ids = {f[0]: f[4] for f in facts if f[1] == "id_number"}
        assert all(len(number) == 18 for number in ids.values())
        transaction.set_rollback(True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based path is PostgreSQL's")
def test_set_based_writes_what_row_by_row_writes(world, monkeypatch):
    written = {}
    for set_based in (False, True):
        monkeypatch.setattr(fresh_facts, "SET_BASED", set_based)
        with transaction.atomic():
            batch = _import(world)
            written[set_based] = [f[:-1] for f in _facts(batch)]  # all but the time
            transaction.set_rollback(True)
    assert len(written[True]) > 1000
    assert written[True] == written[False]
