"""The finance JSON API (issue #17 item 4): a community's books for those who read them, the
published boards for those they are published to; nothing else."""

import pytest

from finance import services
from finance.tests.test_boards import prepare
from finance.tests.test_books import _budget, _spend

pytestmark = pytest.mark.django_db


def test_books_and_boards(client, d):
    _budget(d, 1_000_000)
    spending = _spend(d, 12_300)
    year = spending.spent_on.year
    url = f"/api/finance/books/{d.communities[0].pk}/{year}"
    client.force_login(d.users["street_officer:own"])
    body = client.get(url).json()
    assert body["community_id"] == d.communities[0].pk
    assert [(s["id"], s["amount_fen"], s["has_receipt"]) for s in body["spendings"]] == [
        (spending.pk, 12_300, False)
    ]
    for who in ("street_officer:other", "resident:own"):
        client.force_login(d.users[who])
        assert client.get(url).status_code == 404
    services.spending_approve(actor=d.users["street_officer:own"], spending=spending)
    board = prepare(d)
    services.disclosure_submit(actor=d.users["community_worker:own"], disclosure=board)
    client.force_login(d.users["resident:own"])
    assert client.get("/api/finance/boards").json() == []  # not published yet
    assert client.get(f"/api/finance/boards/{board.pk}").status_code == 404
    services.disclosure_publish(actor=d.users["supervision_member:own"], disclosure=board)
    rows = client.get("/api/finance/boards", {"community_id": d.communities[0].pk}).json()
    assert [r["id"] for r in rows] == [board.pk] and rows[0]["board"] == "finance"
    assert client.get(f"/api/finance/boards/{board.pk}").json()["published_at"] is not None
    client.force_login(d.users["resident:other"])
    assert client.get(f"/api/finance/boards/{board.pk}").status_code == 404
    client.logout()
    assert client.get("/api/finance/boards").status_code == 401
