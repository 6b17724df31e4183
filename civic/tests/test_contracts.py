"""Purchase-of-service contracts (issue #18 item 3): only admitted work, reaching the
organisation's community, within its period and its money, signed by the item's department.
A contract for a non-admitted item is refused in Chinese with nothing written."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from admission import services as admission
from admission.models import AdmissionRequest
from admission.tests.conftest import application, decide
from civic import services
from civic.models import ServiceContract
from civic.tests import world as helpers
from core.models import AuditEvent
from core.testing import build_small_district
from core.tests.modules import rolled_back_after

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker):
        d = build_small_district()
        admission.lists_seed(actor=d.root, district=d.district)
        officer = d.users["department_officer:own"]
        request = admission.request_submit(**application(d, officer))  # communities 0 and 1
        decide(d, request)
        item = AdmissionRequest.objects.get(pk=request.pk).admitted_item
        inside = helpers.org(d, d.communities[0])
        outside = helpers.org(d, d.communities[2], name="外街组织")
        yield d, item, inside, outside


def _sign(d, item, org, actor=None, **overrides):
    today = admission.local_today()
    values = {"actor": actor or d.users["department_officer:own"], "organisation": org,
              "item": item, "content": "高龄津贴材料收集由组织承接。", "amount_fen": 400_000,
              "starts_on": today, "ends_on": today + datetime.timedelta(days=180)}  # fmt: skip
    values.update(overrides)
    return services.contract_sign(**values)


def _counts():
    return [AuditEvent.objects.count(), ServiceContract.objects.count()]


def test_an_admitted_item_is_contracted_with_its_money(built):
    d, item, inside, _outside = built
    contract = _sign(d, item, inside)
    assert contract.scope.item == item and contract.scope.community == inside.community
    assert contract.amount_fen == 400_000


@pytest.mark.parametrize(
    ("case", "code"),
    [("no_item", "no_item"), ("outside", "outside_scope"), ("too_much", "fen_range"),
     ("after_period", "item_not_usable")],
)  # fmt: skip
def test_work_that_was_not_admitted_is_refused_nothing_written(built, case, code):
    d, item, inside, outside = built
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        if case == "no_item":
            _sign(d, None, inside)
        elif case == "outside":
            _sign(d, item, outside)
        elif case == "too_much":
            _sign(d, item, inside, amount_fen=item.funding_fen + 1)
        else:
            _sign(d, item, inside, ends_on=item.period_end + datetime.timedelta(days=1))
    assert refused.value.code == code
    assert _counts() == before


def test_a_withdrawn_item_and_another_body_are_refused(built):
    d, item, inside, _outside = built
    before = _counts()
    with pytest.raises(PermissionDenied):
        _sign(d, item, inside, actor=d.users["street_officer:own"])
    admission.item_withdraw(actor=d.users["coordinator:own"], item=item, reasons="政策调整")
    item.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        _sign(d, item, inside)
    assert refused.value.code == "item_not_usable"
    assert _counts()[1:] == before[1:]
