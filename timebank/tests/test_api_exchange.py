"""The time-bank JSON API for offers, a need's suggestions, ratings and disputes: the same
scoped selectors and services as the pages; refusals and bad input answer 4xx in Chinese and
write nothing."""

import pytest

from core.models import AuditEvent
from timebank import services
from timebank.models import Account, Dispute, Listing, Posting
from timebank.tests.test_api import API, bearer
from timebank.tests.test_disputes import approved, signed_out, snapshot
from timebank.tests.test_exchange import people  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db
JSON = {"content_type": "application/json"}
OFFER = {"title": "陪老人聊天、读报", "category": "company", "minutes": 90, "skills": "读报",
         "weekdays": "531", "start_time": "09:00", "end_time": "11:30"}  # fmt: skip


def written():
    return (Listing.objects.count(), AuditEvent.objects.count(), snapshot())


def test_offer_create_list_and_withdraw(bank, people):  # noqa: F811
    volunteer, daughter = bearer(people["volunteer"]), bearer(people["daughter"])
    made = volunteer.post(f"{API}/offers", OFFER, **JSON)
    assert made.status_code == 201, made.json()
    offer = made.json()
    assert offer["weekdays"] == "135" and offer["window"] == "周一、三、五 09:00–11:30"
    assert offer["place_id"] == people["vol_account"].place_id and offer["status"] == "open"
    assert AuditEvent.objects.filter(
        action="timebank.listing_create", object_id=str(offer["id"])
    ).exists()
    mine = volunteer.get(f"{API}/offers", {"mine": "true"}).json()
    assert [o["id"] for o in mine["items"]] == [offer["id"]]
    # The district sees it (通存通兑); the daughter's own offers do not include it.
    assert offer["id"] in {o["id"] for o in daughter.get(f"{API}/offers").json()["items"]}
    assert daughter.get(f"{API}/offers", {"mine": "true"}).json()["count"] == 0
    # Someone else may not withdraw it; a need is not an offer.
    before = written()
    refused = daughter.post(f"{API}/offers/{offer['id']}/withdraw")
    assert refused.status_code == 403 and "只有发布人" in refused.json()["detail"]
    need = services.listing_create(
        actor=bank.worker, kind="need", category="company", title="陪聊", minutes=60,
        recipient=people["elder"],
    )  # fmt: skip
    before = written()
    assert volunteer.post(f"{API}/offers/{need.pk}/withdraw").status_code == 404
    assert written() == before
    gone = volunteer.post(f"{API}/offers/{offer['id']}/withdraw")
    assert gone.status_code == 200 and gone.json()["status"] == "cancelled"
    again = volunteer.post(f"{API}/offers/{offer['id']}/withdraw")
    assert again.status_code == 422 and again.json()["code"] == "not_open"
    assert volunteer.get(f"{API}/offers", {"mine": "true"}).json()["count"] == 0


@pytest.mark.parametrize(
    ("change", "code", "text"),
    [
        ({"weekdays": "18"}, "weekdays", "周一到周日"),
        ({"start_time": "11:00", "end_time": "09:00"}, "window", "结束时间"),
        ({"end_time": None}, "window", "同时填写"),
        ({"title": "   "}, "required", "标题"),
        ({"minutes": 0}, "invalid_request", "请求数据有误"),
        ({"minutes": 481}, "invalid_request", "请求数据有误"),
        ({"category": "cooking"}, "invalid_request", "请求数据有误"),
        ({"start_time": "25:00"}, "invalid_request", "请求数据有误"),
    ],
)
def test_bad_offers_write_nothing(bank, people, change, code, text):  # noqa: F811
    volunteer = bearer(people["volunteer"])  # minting a token is audited
    before = written()
    response = volunteer.post(f"{API}/offers", {**OFFER, **change}, **JSON)
    assert response.status_code == 422, response.json()
    assert response.json()["code"] == code and text in response.json()["detail"]
    assert written() == before


def test_offer_needs_an_account(bank):
    resident = bearer(bank.d.users["resident:own"])
    before = written()
    response = resident.post(f"{API}/offers", OFFER, **JSON)
    assert response.status_code == 422 and response.json()["code"] == "no_account"
    assert "开立时间银行账户" in response.json()["detail"]
    assert written() == before


def test_need_suggestions(bank, people):  # noqa: F811
    offer = services.listing_create(
        actor=people["volunteer"], kind="offer", category="company", title="陪聊", minutes=60
    )
    need = services.listing_create(
        actor=bank.worker, kind="need", category="company", title="陪王奶奶聊天", minutes=60,
        recipient=people["elder"],
    )  # fmt: skip
    rows = bearer(bank.worker).get(f"{API}/needs/{need.pk}/suggestions")
    assert rows.status_code == 200
    row = next(r for r in rows.json() if r["offer_id"] == offer.pk)
    assert row["volunteer_name"] == "周志愿" and row["place_id"] == offer.place_id
    assert any("类别相符" in r for r in row["reasons"]) and row["score"] > 0
    # The volunteer, a worker of another community and an unknown id: not found.
    for user in (people["volunteer"], bank.d.users["community_worker:other"]):
        assert bearer(user).get(f"{API}/needs/{need.pk}/suggestions").status_code == 404
    assert bearer(bank.worker).get(f"{API}/needs/{offer.pk}/suggestions").status_code == 404
    assert bearer(bank.worker).get(f"{API}/needs/999999/suggestions").status_code == 404
    services.listing_close(actor=bank.worker, listing=need)
    assert bearer(bank.worker).get(f"{API}/needs/{need.pk}/suggestions").json() == []


def test_rating_through_the_api(bank, people):  # noqa: F811
    order = signed_out(bank, people)
    volunteer, worker = bearer(people["volunteer"]), bearer(bank.worker)
    url = f"{API}/orders/{order.pk}/rating"
    other = bearer(bank.d.users["community_worker:other"])
    outsider = bearer(bank.d.users["admin:own"])
    before = written()
    for bad in ({"rating": 0}, {"rating": 6}, {"rating": "x"}, {"comment": "好"}):
        response = volunteer.post(url, bad, **JSON)
        assert response.status_code == 422 and "请求数据有误" in response.json()["detail"]
    early = worker.post(url, {"rating": 5}, **JSON)  # the served side rates when confirming
    assert early.status_code == 422 and early.json()["code"] == "rate_when_confirming"
    assert other.post(url, {"rating": 5}, **JSON).status_code == 404
    outsider = outsider.post(url, {"rating": 5}, **JSON)
    assert outsider.status_code == 403 and "服务双方" in outsider.json()["detail"]
    assert written() == before
    rated = volunteer.post(url, {"rating": 4, "comment": "老人很热情"}, **JSON)
    assert rated.status_code == 200, rated.json()
    assert (rated.json()["volunteer_rating"], rated.json()["volunteer_comment"]) == (
        4, "老人很热情",
    )  # fmt: skip
    twice = volunteer.post(url, {"rating": 5}, **JSON)
    assert twice.status_code == 422 and twice.json()["code"] == "already_rated"


def test_dispute_raised_and_resolved_before_approval(bank, people):  # noqa: F811
    order = signed_out(bank, people)
    volunteer, admin = bearer(people["volunteer"]), bearer(bank.d.users["admin:own"])
    url = f"{API}/orders/{order.pk}/disputes"
    before = written()
    blank = volunteer.post(url, {"reason": ""}, **JSON)
    assert blank.status_code == 422 and "请求数据有误" in blank.json()["detail"]
    stranger = admin.post(url, {"reason": "不对"}, **JSON)
    assert stranger.status_code == 403 and "服务双方" in stranger.json()["detail"]
    assert written() == before
    raised = volunteer.post(url, {"reason": "实际服务了45分钟"}, **JSON)
    assert raised.status_code == 201, raised.json()
    dispute = raised.json()
    assert (dispute["side"], dispute["status"], dispute["after_approval"]) == (
        "volunteer", "open", False,
    )  # fmt: skip
    worker = bearer(bank.worker)
    twice = worker.post(url, {"reason": "再提一次"}, **JSON)
    assert twice.status_code == 422 and twice.json()["code"] == "dispute_open"
    resolve = f"{API}/disputes/{dispute['id']}/resolve"
    elsewhere = bearer(bank.d.users["community_worker:other"])
    before = written()
    for body, status, code in (
        ({"outcome": "reverse", "note": "x"}, 422, "nothing_posted"),
        ({"outcome": "adjust", "note": "x"}, 422, "minutes_invalid"),
        ({"outcome": "adjust", "note": "x", "minutes": 600}, 422, "minutes_over_measured"),
        ({"outcome": "cancel", "note": "x"}, 422, "invalid_request"),
        ({"outcome": "uphold", "note": ""}, 422, "invalid_request"),
    ):
        response = admin.post(resolve, body, **JSON)
        assert (response.status_code, response.json()["code"]) == (status, code), body
        assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])
    party = worker.post(resolve, {"outcome": "uphold", "note": "x"}, **JSON)
    assert party.status_code == 403 and "当事人" in party.json()["detail"]
    assert elsewhere.post(resolve, {"outcome": "uphold", "note": "x"}, **JSON).status_code == 404
    assert volunteer.post(resolve, {"outcome": "uphold", "note": "x"}, **JSON).status_code == 404
    assert written() == before
    done = admin.post(resolve, {"outcome": "adjust", "minutes": 45, "note": "按签退记录"}, **JSON)
    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["minutes_after"]) == ("adjusted", 45)
    assert Dispute.objects.get(pk=dispute["id"]).resolved_by == bank.d.users["admin:own"]
    assert admin.post(resolve, {"outcome": "uphold", "note": "x"}, **JSON).status_code == 404


def test_dispute_after_approval_is_corrected_by_reversal(bank, people):  # noqa: F811
    order = approved(bank, people)
    balance = Account.objects.get(pk=people["vol_account"].pk).balance
    raised = bearer(bank.worker).post(
        f"{API}/orders/{order.pk}/disputes", {"reason": "对方否认服务"}, **JSON
    )
    assert raised.status_code == 201 and raised.json()["after_approval"] is True
    resolve = f"{API}/disputes/{raised.json()['id']}/resolve"
    postings = Posting.objects.count()
    # A community worker no longer decides after approval, nor does either side.
    for user in (bank.worker, people["volunteer"]):
        refused = bearer(user).post(resolve, {"outcome": "reverse", "note": "服务未发生"}, **JSON)
        assert refused.status_code == 404
    assert Posting.objects.count() == postings
    done = bearer(bank.officer).post(resolve, {"outcome": "reverse", "note": "服务未发生"}, **JSON)
    assert done.status_code == 200, done.json()
    assert (done.json()["status"], done.json()["minutes_after"]) == ("reversed", 0)
    assert Account.objects.get(pk=people["vol_account"].pk).balance == balance - 60
    assert services.reconcile(district=bank.d.district)["problems"] == []
