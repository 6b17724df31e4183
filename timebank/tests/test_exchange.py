"""The exchange: a need is posted, taken, signed in and out, confirmed, approved → postings."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent, Role
from core.testing import PASSWORD
from timebank import services
from timebank.models import Account, Listing, Order, Payer, Posting, Transaction
from timebank.testing import resident, years_ago

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def people(bank, django_db_blocker):
    """Logins for the elder (served), her daughter (family) and a volunteer."""
    from django.db import transaction

    from timebank.tests.conftest import fast_hasher

    with fast_hasher(), django_db_blocker.unblock(), transaction.atomic():
        d = bank.d
        volunteer = resident(
            actor=d.root, place=d.grids[1], name="周志愿", birth=years_ago(25),
            mobile="13900000001", password=PASSWORD,
        )  # fmt: skip
        elder = bank.elder.person
        daughter = resident(
            actor=d.root, place=d.grids[0], name="王女儿", birth=years_ago(40),
            mobile="13900000002", password=PASSWORD,
        )  # fmt: skip
        vol_account = services.member_account_open(actor=d.root, person=volunteer)
        services.member_account_open(actor=d.root, person=daughter)
        yield {
            "volunteer": volunteer.account,
            "vol_account": vol_account,
            "daughter": daughter.account,
            "elder": elder,
        }
        transaction.set_rollback(True)


def _need(bank, people, *, payer=Payer.NONE, minutes=60):
    return services.listing_create(
        actor=bank.worker, kind="need", category="company", title="陪王奶奶聊天",
        minutes=minutes, recipient=people["elder"], payer=payer,
    )  # fmt: skip


def _through_confirm(bank, people, listing, minutes=60):
    order = services.order_take(actor=people["volunteer"], listing=listing)
    services.order_sign_in(actor=people["volunteer"], order=order)
    services.order_sign_out(actor=people["volunteer"], order=order)
    return services.order_confirm(actor=bank.worker, order=order, minutes=minutes, rating=5)


def test_full_walk_posts_deposit_and_payment(bank, people):
    services.deposit(actor=bank.worker, account=bank.elder, minutes=120, key="ex-seed")
    listing = _need(bank, people, payer=Payer.SELF)
    order = services.order_take(actor=people["volunteer"], listing=listing)
    assert Listing.objects.get(pk=listing.pk).status == "taken"
    with pytest.raises(PermissionDenied):
        services.order_sign_in(actor=people["daughter"], order=order)
    services.order_sign_in(actor=people["volunteer"], order=order)
    order = services.order_sign_out(actor=people["volunteer"], order=order)
    assert order.minutes >= 1
    with pytest.raises(PermissionDenied):  # the volunteer cannot confirm their own service
        services.order_confirm(actor=people["volunteer"], order=order, minutes=60)
    # The worker posted the need for the elder, so the worker (as poster) may confirm.
    order = services.order_confirm(actor=bank.worker, order=order, minutes=60, rating=5)
    assert order.status == Order.Status.CONFIRMED
    with pytest.raises(PermissionDenied):
        services.order_approve(actor=bank.d.users["community_worker:other"], order=order)
    with pytest.raises(PermissionDenied) as err:  # who confirmed does not also approve
        services.order_approve(actor=bank.worker, order=order)
    assert "另一位社区工作者" in str(err.value)
    order = services.order_approve(actor=bank.d.users["admin:own"], order=order)
    assert order.status == Order.Status.APPROVED
    assert Account.objects.get(pk=people["vol_account"].pk).balance == 60
    assert Account.objects.get(pk=bank.elder.pk).balance == 60
    assert order.deposit.idempotency_key == f"order-{order.pk}-deposit"
    assert Listing.objects.get(pk=listing.pk).status == "done"
    before = (Transaction.objects.count(), Posting.objects.count())
    with pytest.raises(ValidationError) as err:  # a second approval (double click)
        services.order_approve(actor=bank.worker, order=order)
    assert err.value.code == "wrong_status"
    assert (Transaction.objects.count(), Posting.objects.count()) == before
    assert services.reconcile()["problems"] == []


def test_family_poster_confirms(bank, people):
    listing = services.listing_create(
        actor=people["daughter"], kind="need", category="errand", title="帮妈妈买菜", minutes=30
    )
    order = services.order_take(actor=people["volunteer"], listing=listing)
    services.order_sign_in(actor=people["volunteer"], order=order)
    services.order_sign_out(actor=people["volunteer"], order=order)
    with pytest.raises(ValidationError) as err:
        services.order_confirm(actor=people["daughter"], order=order, minutes=31)
    assert err.value.code == "minutes_over_measured"
    services.order_confirm(actor=people["daughter"], order=order, minutes=30, rating=4)
    services.order_approve(actor=bank.worker, order=order)  # the daughter confirmed: fine
    assert Account.objects.get(pk=people["vol_account"].pk).balance == 30


def test_approval_refused_when_the_payer_cannot_pay_writes_nothing(bank, people):
    listing = _need(bank, people, payer=Payer.SELF)
    order = _through_confirm(bank, people, listing)
    before = (Transaction.objects.count(), Posting.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as err:
        services.order_approve(actor=bank.d.users["admin:own"], order=order)
    assert err.value.code == "insufficient_balance"
    assert (
        Transaction.objects.count(),
        Posting.objects.count(),
        AuditEvent.objects.count(),
    ) == before
    assert Order.objects.get(pk=order.pk).status == Order.Status.CONFIRMED


def _tag(bank, person, key, value="是"):
    """A real fact in the shared registry, recorded through the registry's own service."""
    from registry import services as registry_services

    registry_services.fact_record(actor=bank.d.root, person=person, key=key, raw=value)


def test_fund_pays_for_priority_elderly(bank, people):
    for key in ("living_alone", "disabled", "dibao"):  # the elder is 70
        _tag(bank, people["elder"], key)
    services.deposit(actor=bank.worker, account=bank.team, minutes=90, key="ex-team")
    services.donate(actor=bank.worker, source=bank.team, fund=bank.fund, minutes=90, key="ex-g")
    order = _through_confirm(bank, people, _need(bank, people, payer=Payer.FUND))
    services.order_approve(actor=bank.d.users["admin:own"], order=order)
    assert Account.objects.get(pk=bank.fund.pk).balance == 30


def test_bad_paths_of_the_exchange(bank, people):
    with pytest.raises(ValidationError) as err:
        services.listing_create(
            actor=people["daughter"], kind="need", category="company", title=" ", minutes=30
        )
    assert err.value.code == "required"
    with pytest.raises(ValidationError):
        services.listing_create(
            actor=people["daughter"], kind="need", category="nope", title="x", minutes=30
        )
    with pytest.raises(ValidationError):
        services.listing_create(
            actor=people["daughter"], kind="need", category="company", title="x", minutes=0
        )
    with pytest.raises(ValidationError) as err:  # 40-year-old cannot pay with own hours
        services.listing_create(
            actor=people["daughter"], kind="need", category="company", title="x", minutes=30,
            payer=Payer.SELF,
        )  # fmt: skip
    assert err.value.code == "under_withdrawal_age"
    no_account = bank.d.users["resident:own"]
    with pytest.raises(ValidationError) as err:
        services.listing_create(
            actor=no_account, kind="need", category="company", title="x", minutes=30
        )
    assert err.value.code == "no_account"
    listing = services.listing_create(
        actor=people["daughter"], kind="need", category="company", title="陪聊", minutes=30
    )
    with pytest.raises(ValidationError) as err:
        services.order_take(actor=people["daughter"], listing=listing)
    assert err.value.code == "own_listing"
    order = services.order_take(actor=people["volunteer"], listing=listing)
    with pytest.raises(ValidationError) as err:
        services.order_take(actor=bank.d.root, listing=listing)
    with pytest.raises(ValidationError) as err:
        services.order_sign_out(actor=people["volunteer"], order=order)
    assert err.value.code == "wrong_status"
    services.order_cancel(actor=people["volunteer"], order=order)
    assert Listing.objects.get(pk=listing.pk).status == "open"
    again = services.order_take(actor=people["volunteer"], listing=listing)
    assert again.pk != order.pk


def test_reject_reopens_the_need(bank, people):
    listing = _need(bank, people)
    order = _through_confirm(bank, people, listing, minutes=20)
    with pytest.raises(ValidationError):
        services.order_reject(actor=bank.worker, order=order, reason="")
    services.order_reject(actor=bank.worker, order=order, reason="老人说没有来")
    assert Listing.objects.get(pk=listing.pk).status == "open"
    assert Account.objects.get(pk=people["vol_account"].pk).balance == 0


def test_resident_role_is_what_residents_have(people):
    assert people["volunteer"].role_assignments.filter(role=Role.RESIDENT).exists()


def test_fund_payment_only_for_priority_elderly(bank, people):
    with pytest.raises(ValidationError) as err:  # 40 years old
        services.listing_create(
            actor=people["daughter"], kind="need", category="company", title="x", minutes=30,
            payer=Payer.FUND,
        )  # fmt: skip
    assert err.value.code == "fund_ineligible"
    elder = people["elder"]  # 70: must live alone, be disabled and on 低保
    before = Listing.objects.count()
    with pytest.raises(ValidationError) as err:
        _need(bank, people, payer=Payer.FUND)
    assert err.value.code == "fund_ineligible"
    assert "独居、残疾、低保" in err.value.messages[0]
    _tag(bank, elder, "living_alone")
    _tag(bank, elder, "disabled")
    with pytest.raises(ValidationError) as err:  # still not on 低保
        _need(bank, people, payer=Payer.FUND)
    assert "缺少：低保" in err.value.messages[0]
    _tag(bank, elder, "dibao")
    assert _need(bank, people, payer=Payer.FUND).payer == Payer.FUND
    # The community (which owns "living alone") later records "否": no longer eligible.
    _tag(bank, elder, "living_alone", "否")
    with pytest.raises(ValidationError) as err:
        _need(bank, people, payer=Payer.FUND)
    assert err.value.code == "fund_ineligible"
    assert Listing.objects.count() == before + 1


def test_fund_serves_the_oldest_when_they_live_alone(bank, people):
    """80 and over: living alone is enough; the age comes from the ID number."""
    old = resident(actor=bank.d.root, place=bank.d.grids[0], name="钱太公", birth=years_ago(85))
    assert services.fund_ineligibility(old, district_id=bank.d.district.pk) is not None
    _tag(bank, old, "dibao")  # not the tag that matters at this age
    reason = services.fund_ineligibility(old, district_id=bank.d.district.pk)
    assert "独居" in reason
    _tag(bank, old, "living_alone")
    assert services.fund_ineligibility(old, district_id=bank.d.district.pk) is None
    listing = services.listing_create(
        actor=bank.worker, kind="need", category="company", title="陪钱太公聊天", minutes=30,
        recipient=old, payer=Payer.FUND,
    )  # fmt: skip
    assert listing.payer == Payer.FUND
    # The district may lower the age at which living alone is enough.
    younger = resident(actor=bank.d.root, place=bank.d.grids[0], name="吴奶奶", birth=years_ago(76))
    _tag(bank, younger, "living_alone")
    assert services.fund_ineligibility(younger, district_id=bank.d.district.pk) is not None
    services.rule_update(
        actor=bank.d.root, district=bank.d.district, code="priority_elderly_age_alone", value=75,
        source="区政策调整（测试）",
    )  # fmt: skip
    assert services.fund_ineligibility(younger, district_id=bank.d.district.pk) is None
