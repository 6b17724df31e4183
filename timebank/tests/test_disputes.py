"""Ratings and disputes: both sides rate once; either side may dispute; before approval an
open dispute blocks approval; after approval corrections go only through reversal."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent
from timebank import services
from timebank.models import Account, Dispute, Order, Payer, Posting, Transaction, TxKind
from timebank.tests.test_exchange import people  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db


def snapshot():
    return (
        Transaction.objects.count(), Posting.objects.count(), AuditEvent.objects.count(),
        Dispute.objects.count(),
        tuple(Order.objects.order_by("pk").values_list("status", "minutes", "rating",
                                                       "volunteer_rating")),
    )  # fmt: skip


def signed_out(bank, people, *, payer=Payer.NONE, minutes=60):  # noqa: F811
    listing = services.listing_create(
        actor=bank.worker, kind="need", category="company", title="陪王奶奶聊天",
        minutes=minutes, recipient=people["elder"], payer=payer,
    )  # fmt: skip
    order = services.order_take(actor=people["volunteer"], listing=listing)
    services.order_sign_in(actor=people["volunteer"], order=order)
    return services.order_sign_out(actor=people["volunteer"], order=order)


def approved(bank, people, *, payer=Payer.NONE, minutes=60):  # noqa: F811
    order = signed_out(bank, people, payer=payer, minutes=minutes)
    services.order_confirm(actor=bank.worker, order=order, minutes=minutes)
    return services.order_approve(actor=bank.d.users["admin:own"], order=order)


def balance(account) -> int:
    return Account.objects.get(pk=account.pk).balance


def test_both_sides_rate_once(bank, people):  # noqa: F811
    order = signed_out(bank, people)
    with pytest.raises(ValidationError) as err:  # the served side rates when confirming
        services.order_rate(actor=bank.worker, order=order, rating=5)
    assert err.value.code == "rate_when_confirming"
    services.order_rate(actor=people["volunteer"], order=order, rating=4, comment="老人很热情")
    with pytest.raises(ValidationError) as err:
        services.order_rate(actor=people["volunteer"], order=order, rating=5)
    assert err.value.code == "already_rated"
    services.order_confirm(actor=bank.worker, order=order, minutes=60)  # confirmed, unrated
    services.order_rate(actor=bank.worker, order=order, rating=5, comment="准时")
    order.refresh_from_db()
    assert (order.rating, order.rating_comment) == (5, "准时")
    assert (order.volunteer_rating, order.volunteer_comment) == (4, "老人很热情")
    assert (
        AuditEvent.objects.filter(action="timebank.order_rate", object_id=str(order.pk)).count()
        == 2
    )


def test_bad_ratings_write_nothing(bank, people):  # noqa: F811
    order = signed_out(bank, people)
    before = snapshot()
    for bad in (0, 6, "x", None, 3.5):
        with pytest.raises(ValidationError) as err:
            services.order_rate(actor=people["volunteer"], order=order, rating=bad)
        assert err.value.code == "rating"
    with pytest.raises(PermissionDenied):  # not a party
        services.order_rate(actor=bank.d.users["community_worker:other"], order=order, rating=5)
    assert snapshot() == before


def test_dispute_before_approval_blocks_it_until_resolved(bank, people):  # noqa: F811
    order = signed_out(bank, people)
    services.order_confirm(actor=bank.worker, order=order, minutes=60)
    dispute = services.dispute_raise(
        actor=people["volunteer"], order=order, reason="实际服务了45分钟"
    )
    assert dispute.side == "volunteer" and not dispute.after_approval
    with pytest.raises(ValidationError) as err:  # one open dispute at a time
        services.dispute_raise(actor=bank.worker, order=order, reason="再提一次")
    assert err.value.code == "dispute_open"
    admin = bank.d.users["admin:own"]
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        services.order_approve(actor=admin, order=order)
    assert err.value.code == "dispute_open"
    with pytest.raises(ValidationError) as err:  # nor rejected while the dispute is open
        services.order_reject(actor=admin, order=order, reason="没来")
    assert err.value.code == "dispute_open"
    with pytest.raises(ValidationError) as err:  # nothing posted yet: nothing to reverse
        services.dispute_resolve(actor=admin, dispute=dispute, outcome="reverse", note="x")
    assert err.value.code == "nothing_posted"
    assert snapshot() == before
    services.dispute_resolve(
        actor=admin, dispute=dispute, outcome="adjust", minutes=45, note="双方认可45分钟"
    )
    order.refresh_from_db()
    assert order.minutes == 45 and order.status == Order.Status.CONFIRMED
    services.order_approve(actor=admin, order=order)
    assert balance(people["vol_account"]) == 45
    assert services.reconcile()["problems"] == []


def test_dispute_after_approval_adjusts_by_reversal(bank, people):  # noqa: F811
    services.deposit(actor=bank.worker, account=bank.elder, minutes=120, key="dp-seed")
    order = approved(bank, people, payer=Payer.SELF)
    assert balance(people["vol_account"]) == 60 and balance(bank.elder) == 60
    dispute = services.dispute_raise(actor=bank.worker, order=order, reason="只服务了半小时")
    assert dispute.side == "served" and dispute.after_approval
    with pytest.raises(PermissionDenied):  # a community worker may not correct the ledger
        services.dispute_resolve(
            actor=bank.d.users["community_worker:own"], dispute=dispute, outcome="adjust",
            minutes=30, note="x",
        )  # fmt: skip
    officer = bank.officer
    services.dispute_resolve(
        actor=officer, dispute=dispute, outcome="adjust", minutes=30, note="核实为30分钟"
    )
    order.refresh_from_db()
    assert order.minutes == 30 and order.status == Order.Status.APPROVED
    assert balance(people["vol_account"]) == 30 and balance(bank.elder) == 90
    old_deposit = Transaction.objects.get(idempotency_key=f"order-{order.pk}-deposit")
    assert old_deposit.reversed_by.kind == TxKind.REVERSAL
    assert order.deposit.idempotency_key == f"order-{order.pk}-deposit-dispute-{dispute.pk}"
    # A second dispute, now reversing the service altogether.
    again = services.dispute_raise(actor=people["volunteer"], order=order, reason="对方否认服务")
    services.dispute_resolve(actor=officer, dispute=again, outcome="reverse", note="服务未发生")
    order.refresh_from_db()
    assert order.status == Order.Status.REVERSED
    assert balance(people["vol_account"]) == 0 and balance(bank.elder) == 120
    with pytest.raises(ValidationError) as err:  # a reversed service: no more disputes
        services.dispute_raise(actor=people["volunteer"], order=order, reason="再议")
    assert err.value.code == "wrong_status"
    assert services.reconcile()["problems"] == []


def test_reversal_refused_when_the_volunteer_spent_the_minutes(bank, people):  # noqa: F811
    order = approved(bank, people)
    services.donate(actor=people["volunteer"], source=people["vol_account"], fund=bank.fund,
                    minutes=60, key="dp-spent")  # fmt: skip
    dispute = services.dispute_raise(actor=bank.worker, order=order, reason="没来")
    before = snapshot()
    with pytest.raises(ValidationError) as err:
        services.dispute_resolve(actor=bank.officer, dispute=dispute, outcome="reverse", note="x")
    assert err.value.code == "insufficient_balance"
    assert snapshot() == before
    assert Dispute.objects.get(pk=dispute.pk).status == Dispute.Status.OPEN


def test_uphold_and_bad_resolutions(bank, people):  # noqa: F811
    order = approved(bank, people)
    dispute = services.dispute_raise(actor=people["volunteer"], order=order, reason="评价不公")
    before = snapshot()
    for kwargs, code in (
        ({"outcome": "nope", "note": "x"}, "outcome"),
        ({"outcome": "uphold", "note": " "}, "required"),
        ({"outcome": "adjust", "note": "x", "minutes": 0}, "minutes_not_positive"),
        ({"outcome": "adjust", "note": "x", "minutes": 61}, "minutes_over_measured"),
        ({"outcome": "adjust", "note": "x", "minutes": 60}, "minutes_unchanged"),
    ):
        with pytest.raises(ValidationError) as err:
            services.dispute_resolve(actor=bank.officer, dispute=dispute, **kwargs)
        assert err.value.code == code, kwargs
    with pytest.raises(PermissionDenied):  # a party (the poster) cannot decide
        services.dispute_resolve(actor=bank.worker, dispute=dispute, outcome="uphold", note="x")
    with pytest.raises(PermissionDenied):  # another street
        services.dispute_resolve(
            actor=bank.d.users["street_officer:other"], dispute=dispute, outcome="uphold",
            note="x",
        )  # fmt: skip
    assert snapshot() == before
    services.dispute_resolve(actor=bank.officer, dispute=dispute, outcome="uphold", note="维持")
    assert balance(people["vol_account"]) == 60
    with pytest.raises(ValidationError) as err:
        services.dispute_resolve(actor=bank.officer, dispute=dispute, outcome="uphold", note="x")
    assert err.value.code == "dispute_closed"


def test_only_parties_raise_disputes(bank, people):  # noqa: F811
    order = signed_out(bank, people)
    before = snapshot()
    for outsider in (bank.d.users["community_worker:other"], bank.d.users["resident:own"],
                     bank.officer):  # fmt: skip
        with pytest.raises(PermissionDenied):
            services.dispute_raise(actor=outsider, order=order, reason="x")
    with pytest.raises(ValidationError) as err:
        services.dispute_raise(actor=people["volunteer"], order=order, reason="  ")
    assert err.value.code == "required"
    assert snapshot() == before
    # A taken order (no service yet) cannot be disputed.
    fresh = services.listing_create(
        actor=bank.worker, kind="need", category="company", title="x", minutes=30,
        recipient=people["elder"],
    )  # fmt: skip
    taken = services.order_take(actor=people["volunteer"], listing=fresh)
    with pytest.raises(ValidationError) as err:
        services.dispute_raise(actor=people["volunteer"], order=taken, reason="x")
    assert err.value.code == "wrong_status"


def test_order_page_rate_dispute_and_resolve_through_the_views(client, bank, people):  # noqa: F811
    from django.urls import reverse

    order = approved(bank, people)
    page = reverse("timebank:order", args=[order.pk])
    client.force_login(people["volunteer"])
    body = client.get(page).content.decode()
    assert "评价这次服务" in body and "对这次服务有异议" in body and "处理异议" not in body
    bad = client.post(reverse("timebank:order_action", args=[order.pk, "rate"]),
                      {"rating": "9", "next": "timebank:order"}, follow=True)  # fmt: skip
    assert Order.objects.get(pk=order.pk).volunteer_rating is None
    assert "评价" in bad.content.decode()
    client.post(reverse("timebank:order_action", args=[order.pk, "rate"]),
                {"rating": "5", "comment": "很顺利", "next": "timebank:order"})  # fmt: skip
    assert Order.objects.get(pk=order.pk).volunteer_rating == 5
    response = client.post(reverse("timebank:order_action", args=[order.pk, "dispute"]),
                           {"reason": "时长记少了", "next": "timebank:order"})  # fmt: skip
    assert response.status_code == 302 and response.url == page
    dispute = Dispute.objects.get(order=order, status="open")
    # Outsiders do not see the page; the community worker (not a party here? the poster is)
    # cannot decide; the street officer can, from the approvals page.
    client.force_login(bank.d.users["community_worker:other"])
    assert client.get(page).status_code == 404
    client.force_login(bank.officer)
    assert "时长记少了" in client.get(reverse("timebank:approvals")).content.decode()
    body = client.get(page).content.decode()
    assert "处理异议" in body and "冲正" in body
    client.post(reverse("timebank:resolve", args=[dispute.pk]),
                {"outcome": "uphold", "note": "签到签退记录为准"})  # fmt: skip
    assert Dispute.objects.get(pk=dispute.pk).status == "upheld"
    client.force_login(bank.d.users["community_worker:other"])
    assert client.post(reverse("timebank:resolve", args=[dispute.pk]),
                       {"outcome": "uphold", "note": "x"}).status_code == 404  # fmt: skip
