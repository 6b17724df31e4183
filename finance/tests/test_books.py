"""Community finances (issue #17 item 3): 费随事转 shares paid at dispatch, budgets, spending
with receipts and two-person approval above the rule's threshold, anomalies for the street
office; bad input refused in words with nothing written."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from admission import services as admission
from admission.tests.conftest import application, decide
from core.models import AuditEvent
from core.testing import PASSWORD
from core.tests.refused import refused
from finance import selectors, services
from finance.models import Income, Spending
from finance.tests.conftest import last_month_day, receipt_png
from workload import services as workload

pytestmark = pytest.mark.django_db


def test_shares_add_up_to_the_whole():
    assert services.shares(1000, [3, 1, 2]) == {1: 334, 2: 333, 3: 333}
    assert sum(services.shares(500_001, list(range(7))).values()) == 500_001
    assert services.shares(100, []) == {}


def test_item_funding_reaches_each_community_once_when_work_is_dispatched(d):
    officer = d.users["department_officer:own"]
    admission.lists_seed(actor=d.root, district=d.district)
    request = admission.request_submit(
        **application(d, officer, funding_fen=500_001, communities=d.communities[:3],
                      frequency="monthly")
    )  # fmt: skip
    decide(d, request)
    request.refresh_from_db()
    item = request.admitted_item
    assert not Income.objects.filter(item=item).exists()  # admitted, nothing paid yet
    workload.tasks_dispatch(actor=officer, item=item, communities=d.communities[:1],
                            title=item.title, due_in_working_days=5, dispatch_token="a")  # fmt: skip
    paid = Income.objects.get(item=item)
    assert (paid.community, paid.amount_fen, paid.kind) == (
        d.communities[0],
        166_667,
        "item_funding",
    )
    assert AuditEvent.objects.filter(action="finance.item_funding_pay").count() == 1
    workload.tasks_dispatch(actor=officer, item=item, communities=d.communities[1:3],
                            title=item.title, due_in_working_days=5, dispatch_token="b")  # fmt: skip
    amounts = dict(Income.objects.filter(item=item).values_list("community_id", "amount_fen"))
    assert sum(amounts.values()) == 500_001 and len(amounts) == 3


def _spend(d, amount, *, who="community_worker:own", **extra):
    values = dict(
        actor=d.users[who], community=d.communities[0], category="activity",
        amount_fen=amount, payee="某某文化用品店", purpose="重阳节活动用品",
        spent_on=last_month_day(),
    )  # fmt: skip
    return services.spending_record(**(values | extra))


def _budget(d, amount):
    services.budget_set(actor=d.users["street_officer:own"], community=d.communities[0],
                        year=last_month_day().year, category="activity", amount_fen=amount)  # fmt: skip


def test_spending_over_budget_needs_a_reason_and_writes_nothing_without(d):
    _budget(d, 100_000)
    before = (Spending.objects.count(), AuditEvent.objects.count())
    with refused("over_budget", match="超出预算"):
        _spend(d, 150_000)
    assert (Spending.objects.count(), AuditEvent.objects.count()) == before
    spending = _spend(d, 150_000, over_budget_reason="区里临时追加重阳节活动")
    found = selectors.anomalies(d.users["street_officer:own"], [d.communities[0].pk],
                                last_month_day().year)  # fmt: skip
    kinds = {(a.kind, a.spending.pk) for a in found}
    assert ("over_budget", spending.pk) in kinds and ("no_receipt", spending.pk) in kinds


@pytest.mark.parametrize(
    ("amount", "code"), [(0, "fen_range"), (-5, "fen_range"), (12.5, "fen"), (True, "fen")]
)
def test_bad_amounts_are_refused(d, amount, code):
    with refused(code):
        _spend(d, amount)


def test_two_person_approval_above_the_threshold(d):
    _budget(d, 10_000_000)
    big = _spend(d, 600_000, receipt=receipt_png())
    small = _spend(d, 30_000, receipt=receipt_png())
    assert (big.approvals_needed, small.approvals_needed) == (2, 1)
    first, second = d.users["street_officer:own"], d.users["street_officer:second"]
    with pytest.raises(PermissionDenied):  # the recorder never approves
        services.spending_approve(actor=d.users["community_worker:own"], spending=big)
    with pytest.raises(PermissionDenied):  # another street's officer
        services.spending_approve(actor=d.users["street_officer:other"], spending=big)
    assert services.spending_approve(actor=first, spending=big).status == "pending"
    with refused("same_approver"):
        services.spending_approve(actor=first, spending=big)
    assert services.spending_approve(actor=second, spending=big).status == "approved"
    assert services.spending_approve(actor=first, spending=small).status == "approved"
    with refused("decided"):
        services.spending_reject(actor=second, spending=small, note="重复")


def test_split_payments_just_under_the_threshold_are_flagged(d):
    _budget(d, 10_000_000)
    parts = [_spend(d, 450_000, receipt=receipt_png()) for _ in range(2)]
    alone = _spend(d, 450_000, payee="另一家店", receipt=receipt_png())
    found = selectors.anomalies(d.users["street_officer:own"], [d.communities[0].pk],
                                last_month_day().year)  # fmt: skip
    split = {a.spending.pk for a in found if a.kind == "split"}
    assert split == {p.pk for p in parts} and alone.pk not in split
    assert all(p.approvals_needed == 1 for p in parts)


def test_a_receipt_must_be_an_image_and_is_served_only_as_one(client, d):
    _budget(d, 10_000_000)
    text = receipt_png("receipt.html")
    text.seek(0)
    text.truncate()
    text.write(b"<html><script>alert(1)</script></html>")
    text.size = 40
    text.seek(0)
    before = Spending.objects.count()
    with refused("photo_type"):
        _spend(d, 10_000, receipt=text)
    assert Spending.objects.count() == before
    spending = _spend(d, 10_000)
    services.receipt_attach(actor=d.users["community_worker:own"], spending=spending,
                            receipt=receipt_png())  # fmt: skip
    with refused("has_receipt"):
        services.receipt_attach(actor=d.users["community_worker:own"], spending=spending,
                                receipt=receipt_png())  # fmt: skip
    url = reverse("finance:receipt", args=[spending.pk])
    client.login(username=d.logins["street_officer:own"], password=PASSWORD)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]
    client.login(username=d.logins["street_officer:other"], password=PASSWORD)
    assert client.get(url).status_code == 404


def test_income_by_hand_is_a_grant_or_other_never_item_funding(d):
    worker = d.users["community_worker:own"]
    with refused("kind"):
        services.income_record(actor=worker, community=d.communities[0], kind="item_funding",
                               amount_fen=100, received_on=last_month_day(), payer="区财政局")  # fmt: skip
    grant = services.income_record(actor=worker, community=d.communities[0], kind="grant",
                                   amount_fen=2_000_000, received_on=last_month_day(),
                                   payer="区财政局", note="社区工作经费")  # fmt: skip
    assert grant.amount_fen == 2_000_000


def test_the_books_page_records_and_shows_yuan(client, d):
    client.login(username=d.logins["community_worker:own"], password=PASSWORD)
    url = (
        reverse("finance:books") + f"?community={d.communities[0].pk}&year={last_month_day().year}"
    )
    response = client.post(url, {"action": "spending", "spending-category": "office",
                                 "spending-amount_fen": "1,234.50", "spending-spent_on": last_month_day().isoformat(),
                                 "spending-payee": "文具店", "spending-purpose": "打印纸", "spending-over_budget_reason": "预算未下达"})  # fmt: skip
    assert response.status_code == 302
    assert Spending.objects.get(payee="文具店").amount_fen == 123_450
    page = client.get(url).content.decode()
    assert "¥1,234.50" in page and "无票据" in page
    response = client.post(url, {"action": "spending", "spending-category": "office", "spending-amount_fen": "5",
                                 "spending-spent_on": last_month_day().isoformat(), "spending-payee": "文具店",
                                 "spending-purpose": "打印纸"})  # fmt: skip
    assert response.status_code == 200 and "超出预算" in response.content.decode()
