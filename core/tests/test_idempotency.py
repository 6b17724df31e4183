"""Idempotency keys: a retried write happens once, even when the retries race."""

import pytest
from django.db import connection

from core import idempotency, services
from core.models import IdempotencyKey, Place
from core.testing import build_small_district
from core.tests.threads import at_once


def create_community(d, name, code):
    def run():
        place = services.place_create(actor=d.root, parent=d.streets[0], name=name, code=code)
        return 201, {"id": place.pk, "code": place.code}

    return run


@pytest.mark.django_db
def test_same_key_same_payload_replays_the_first_answer():
    d = build_small_district()
    code = d.streets[0].code + "060"
    payload = {"name": "甲", "code": code}
    first = idempotency.run_once(
        user=d.root, key="k1", operation="place.create", payload=payload,
        run=create_community(d, "甲", code),
    )  # fmt: skip
    again = idempotency.run_once(
        user=d.root, key="k1", operation="place.create", payload=payload,
        run=create_community(d, "甲", code),
    )  # fmt: skip
    assert first[:2] == again[:2] and (first[2], again[2]) == (False, True)
    assert Place.objects.filter(code=code).count() == 1


@pytest.mark.django_db
def test_same_key_other_payload_is_a_conflict_and_writes_nothing():
    d = build_small_district()
    code = d.streets[0].code + "061"
    idempotency.run_once(
        user=d.root, key="k2", operation="place.create", payload={"code": code},
        run=create_community(d, "乙", code),
    )  # fmt: skip
    count = Place.objects.count()
    with pytest.raises(idempotency.IdempotencyConflict):
        idempotency.run_once(
            user=d.root, key="k2", operation="place.create", payload={"code": code + "x"},
            run=create_community(d, "丙", d.streets[0].code + "062"),
        )  # fmt: skip
    assert Place.objects.count() == count


@pytest.mark.django_db
def test_a_failed_write_keeps_no_key_so_the_client_can_retry():
    d = build_small_district()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        idempotency.run_once(
            user=d.root, key="k3", operation="place.create", payload={},
            run=create_community(d, "丁", "bad"),
        )  # fmt: skip
    assert not IdempotencyKey.objects.filter(key="k3").exists()
    code = d.streets[0].code + "063"
    status, body, replayed = idempotency.run_once(
        user=d.root, key="k3", operation="place.create", payload={},
        run=create_community(d, "丁", code),
    )  # fmt: skip
    assert (status, replayed) == (201, False) and body["code"] == code


@pytest.mark.django_db(transaction=True)
def test_racing_retries_create_once_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite's test database is in memory)")
    d = build_small_district()
    code = d.streets[0].code + "070"
    results = []

    def attempt(_i):
        results.append(
            idempotency.run_once(
                user=d.root,
                key="race",
                operation="place.create",
                payload={"code": code},
                run=create_community(d, "竞", code),
            )
        )

    failures = at_once(attempt, 6)
    assert failures == []
    assert Place.objects.filter(code=code).count() == 1
    assert sorted(r[2] for r in results) == [False] + [True] * 5
    assert len({r[1]["id"] for r in results}) == 1
