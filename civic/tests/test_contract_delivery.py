"""Services taken over from the government (issue #18 item 3): with a purchase-of-service
contract in force the admitted item's work moves to the organisation — the community's burden
excludes the item (已转移 on the burden page) and no task of it is dispatched there — and the
organisation's delivery is tracked like a task: its traces and results, the residents'
ratings, on a page its members use. Bad input is refused in Chinese with nothing written."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from admission.services import local_today
from civic import services, steps
from civic.models import ContractDelivery, ContractRating, ServiceContract
from civic.tests import contract_world
from core.models import AuditEvent
from core.testing import build_small_district
from core.tests.modules import rolled_back_after
from core.tests.refused import refused
from workload import selectors as burden
from workload import services as workload
from workload.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker):
        d = build_small_district()
        yield d, contract_world.build(d)


def counts():
    return [AuditEvent.objects.count(), ContractDelivery.objects.count(),
            ContractRating.objects.count(), Task.objects.count(),
            ServiceContract.objects.filter(status="ended").count()]  # fmt: skip


def _dispatch(d, item, communities, token):
    return workload.tasks_dispatch(
        actor=d.users["department_officer:own"], item=item, communities=communities,
        title="高龄津贴申报材料收集", description="收集辖区80岁以上老人的高龄津贴申报材料。",
        due_in_working_days=5, dispatch_token=token,
    )  # fmt: skip


def test_the_work_moves_off_the_community_burden_and_out_of_dispatch(built):
    d, made = built
    item, own = made["item"], made["own"]
    month = local_today().replace(day=1)
    rows = burden.burden([c.pk for c in d.communities], month, month)
    row = rows[(d.communities[0].pk, month)]
    assert [t["item_id"] for t in row.transferred] == [item.pk]
    assert row.admitted_items == 0  # the one admitted item is now the organisation's
    untouched = rows.get((d.communities[1].pk, month))
    assert untouched is None or not untouched.transferred
    before = counts()
    with refused("transferred") as refusal:
        _dispatch(d, item, [d.communities[0]], "moved-1")
    assert (
        "夕阳红志愿服务队" in refusal.value.messages[0] and item.number in refusal.value.messages[0]
    )
    assert counts() == before
    # The burden page shows the item as 已转移 with the organisation and a link to its delivery.
    from django.test import Client

    client = Client()
    client.force_login(d.users["community_worker:own"])
    page = client.get(reverse("workload:burden"),
                      {"month": f"{month:%Y-%m}", "community": d.communities[0].pk})  # fmt: skip
    html = page.content.decode()
    assert page.status_code == 200 and f'data-transferred="{item.pk}"' in html
    assert reverse("civic:contract", args=[own.pk]) in html
    # Ended, the work returns to the community: the item's task goes out again.
    services.contract_end(actor=d.users["department_officer:own"], contract=own, reason="服务调整")
    services.contract_end(actor=d.users["department_officer:own"], contract=made["other"],
                          reason="服务调整")  # fmt: skip
    assert len(_dispatch(d, item, [d.communities[0]], "moved-2")) == 1


def test_delivery_is_recorded_by_the_organisation_with_bad_input_refused(built):
    d, made = built
    contract, member = made["own"], d.users["social_org_member:own"]
    today = local_today()
    bad = [
        ({"day": today + datetime.timedelta(days=1)}, "day"),
        ({"day": contract.starts_on - datetime.timedelta(days=1)}, "day"),
        ({"day": None}, "day"),
        ({"content": "  "}, None),
        ({"served": -1}, "count"),
        ({"submit_token": f"first-{contract.pk}"}, "duplicate_submit"),
    ]
    for change, code in bad:
        values = {"actor": member, "contract": contract, "day": today, "content": "入户走访",
                  "served": 4, "result": "", "submit_token": "fresh"}  # fmt: skip
        values.update(change)
        before = counts()
        with pytest.raises(ValidationError) as refusal:
            services.contract_deliver(**values)
        assert code is None or refusal.value.code == code, change
        assert counts() == before, change
    delivery = services.contract_deliver(
        actor=member, contract=contract, day=today, content="入户走访", served=4,
        submit_token="fresh",
    )  # fmt: skip
    assert delivery.community == contract.community and delivery.recorded_by == member


def test_residents_rate_once_after_a_delivery(built):
    d, made = built
    resident = d.users["resident:own"]
    fresh = _undelivered(d, made)
    before = counts()
    with refused("nothing_delivered"):
        services.contract_rate(actor=resident, contract=fresh, score=5)
    assert counts() == before
    with refused(None):
        services.contract_rate(actor=resident, contract=made["own"], score=6)
    rating = services.contract_rate(actor=resident, contract=made["own"], score=4,
                                    comment="上门很及时")  # fmt: skip
    assert rating.score == 4
    with refused("rated"):
        services.contract_rate(actor=resident, contract=made["own"], score=1)


def _undelivered(d, made):
    """The own contract ended and a new one signed for the same item, nothing delivered yet."""
    officer = d.users["department_officer:own"]
    services.contract_end(actor=officer, contract=made["own"], reason="换承接方")
    fresh = services.contract_sign(
        actor=officer, organisation=made["own"].organisation, item=made["item"],
        content="继续承接。", amount_fen=100_000, starts_on=local_today(),
        ends_on=local_today() + datetime.timedelta(days=30),
    )  # fmt: skip
    return fresh


def test_the_page_offers_exactly_the_available_steps(built, client):
    d, made = built
    contract = ServiceContract.objects.get(pk=made["other"].pk)
    url = reverse("civic:contract", args=[contract.pk])
    for key in ("social_org_member:other", "resident:other", "department_officer:own",
                "community_worker:other", "grid_worker:other"):  # fmt: skip
        user = d.users[key]
        client.force_login(user)
        page = client.get(url)
        if not user.has_perm("civic.view_contract", contract):
            assert page.status_code == 404, key
            continue
        html = page.content.decode()
        offered = {s.name for s in steps.TABLE.available(user, contract)}
        shown = {s.name for s in steps.STEPS if f'id="step-{s.name}"' in html}
        assert shown == offered, key
    assert {s.name for s in steps.TABLE.available(d.users["social_org_member:other"],
                                                  contract)} == {"deliver"}  # fmt: skip
    # The member records a delivery through the page; the trace shows on it.
    client.force_login(d.users["social_org_member:other"])
    answer = client.post(url, {"action": "deliver", "day": local_today().isoformat(),
                               "content": "陪同就医", "served": "2", "result": "顺利",
                               "submit_token": "page-1"})  # fmt: skip
    assert answer.status_code == 302
    assert "陪同就医" in client.get(url).content.decode()
    before = counts()
    bad = client.post(url, {"action": "deliver", "day": "2000-01-01", "content": "x",
                            "served": "1", "submit_token": "page-2"})  # fmt: skip
    assert bad.status_code == 200 and "合同期内" in bad.content.decode()
    assert counts() == before
    listing = client.get(reverse("civic:contracts")).content.decode()
    assert made["item"].title in listing
