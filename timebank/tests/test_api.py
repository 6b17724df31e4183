"""The time-bank JSON API: scoped reads, ledger writes keyed by Idempotency-Key, errors."""

import pytest
from django.test import Client

from core import services as core_services
from timebank import services
from timebank.models import Account, Transaction

pytestmark = pytest.mark.django_db
API = "/api/timebank"


def bearer(user) -> Client:
    _token, secret = core_services.api_token_create(actor=user, name="test", scope="write")
    return Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {secret}"})


def test_accounts_are_scoped(bank):
    worker = bearer(bank.worker)
    ids = {a["id"] for a in worker.get(f"{API}/accounts").json()["items"]}
    assert bank.elder.pk in ids and bank.far.pk not in ids and bank.issuance.pk not in ids
    assert worker.get(f"{API}/accounts/{bank.far.pk}").status_code == 404
    services.deposit(actor=bank.worker, account=bank.elder, minutes=30, key="api-seed")
    rows = worker.get(f"{API}/accounts/{bank.elder.pk}/postings").json()["items"]
    assert rows[0]["amount_minutes"] == 30 and rows[0]["kind"] == "deposit"


def test_withdrawal_replay_conflict_and_bad_input(bank):
    services.deposit(actor=bank.worker, account=bank.elder, minutes=120, key="api-seed2")
    api = bearer(bank.worker)
    url = f"{API}/accounts/{bank.elder.pk}/withdrawals"
    body = {"minutes": 30, "memo": "助餐"}
    first = api.post(url, body, content_type="application/json", headers={"Idempotency-Key": "w1"})
    assert first.status_code == 201, first.json()
    again = api.post(url, body, content_type="application/json", headers={"Idempotency-Key": "w1"})
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    other = api.post(
        url, {"minutes": 31, "memo": "助餐"}, content_type="application/json",
        headers={"Idempotency-Key": "w1"},
    )  # fmt: skip
    assert other.status_code == 409 and other.json()["code"] == "idempotency_key_reused"
    assert Account.objects.get(pk=bank.elder.pk).balance == 90
    before = Transaction.objects.count()
    for bad in ({"minutes": 0, "memo": "x"}, {"minutes": -5, "memo": "x"}, {"minutes": "a"}):
        response = api.post(
            url, bad, content_type="application/json", headers={"Idempotency-Key": "w2"}
        )
        assert response.status_code == 422
    no_key = api.post(url, body, content_type="application/json")
    assert no_key.status_code == 422
    too_much = api.post(
        url, {"minutes": 91, "memo": "x"}, content_type="application/json",
        headers={"Idempotency-Key": "w3"},
    )  # fmt: skip
    assert too_much.status_code == 422 and "余额不足" in too_much.json()["detail"]
    young = api.post(
        f"{API}/accounts/{bank.young.pk}/withdrawals", body, content_type="application/json",
        headers={"Idempotency-Key": "w4"},
    )  # fmt: skip
    assert young.status_code == 422 and young.json()["code"] == "under_withdrawal_age"
    assert Transaction.objects.count() == before


def test_refused_for_a_resident(bank):
    api = bearer(bank.d.users["resident:own"])
    assert api.get(f"{API}/accounts/{bank.elder.pk}").status_code == 404
    assert api.get(f"{API}/accounts").json()["count"] == 0


def test_need_take_and_order_flow(bank):
    from timebank.testing import resident, years_ago
    from timebank.tests.conftest import fast_hasher

    with fast_hasher():
        volunteer = resident(
            actor=bank.d.root, place=bank.d.grids[1], name="接口志愿者", birth=years_ago(30),
            mobile="13911113333", password="Linli-test-2026",
        )  # fmt: skip
    services.member_account_open(actor=bank.d.root, person=volunteer)
    listing = services.listing_create(
        actor=bank.worker, kind="need", category="errand", title="取药", minutes=30,
        recipient=bank.elder.person,
    )  # fmt: skip
    api = bearer(volunteer.account)
    assert any(n["id"] == listing.pk for n in api.get(f"{API}/needs").json()["items"])
    order = api.post(f"{API}/needs/{listing.pk}/take").json()
    assert order["status"] == "taken"
    assert api.post(f"{API}/orders/{order['id']}/sign-in").json()["status"] == "signed_in"
    assert api.post(f"{API}/orders/{order['id']}/sign-out").json()["status"] == "signed_out"
    refused = api.post(
        f"{API}/orders/{order['id']}/confirm", {"minutes": 30}, content_type="application/json"
    )
    assert refused.status_code == 403
    worker = bearer(bank.worker)
    confirmed = worker.post(
        f"{API}/orders/{order['id']}/confirm", {"minutes": 30, "rating": 5},
        content_type="application/json",
    )  # fmt: skip
    assert confirmed.json()["status"] == "confirmed"
    admin = bearer(bank.d.users["admin:own"])
    approved = admin.post(f"{API}/orders/{order['id']}/approve").json()
    assert approved["status"] == "approved" and approved["deposit_id"]
