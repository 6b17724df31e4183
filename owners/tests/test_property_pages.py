"""The property companies' pages (issue #18 item 4): the yearly evaluation of a compound's
companies from the routed requests (and its Excel export), who may read it, who acts for a
company, the district's working days. Bad input: a clear Chinese refusal, nothing written."""

import datetime
from io import BytesIO

import openpyxl
import pytest
from django.urls import reverse

from core import clock
from core.models import RoleAssignment
from owners.models import CompanyStaff, PropertyRule
from services import services as request_services
from services.tests import property_world
from services.tests.conftest import build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return build_world()


@pytest.fixture
def setup(world):
    return property_world.make(world)


def routed_year(world, setup):
    """Three requests routed this year: one closed in time and rated 满意, one closed and rated
    不满意, one returned to the community."""
    item = property_world.property_item(world)
    first, second, third = (property_world.file(world, item) for _ in range(3))
    for req, rating in ((first, "satisfied"), (second, "unsatisfied")):
        req = request_services.request_property_accept(actor=setup.staff, request=req)
        req = request_services.request_property_close(actor=setup.staff, request=req, note="已修")
        request_services.request_rate(actor=world.resident, request=req, rating=rating, note="灯")
    request_services.request_property_return(actor=setup.staff, request=third, reason="市政设施")


def test_the_evaluation_counts_the_routed_requests_of_the_year(world, setup, client):
    routed_year(world, setup)
    client.force_login(world.user("community_worker:own"))
    url = reverse("owners:evaluation", args=[setup.compound.pk])
    page = client.get(url).content.decode()
    # 3 routed, 2 closed (both in time), 1 of 3 returned, 1 of 2 rated satisfied.
    assert "金陵物业" in page and "100.0%" in page and "33.3%" in page and "50.0%" in page
    book = openpyxl.load_workbook(BytesIO(client.get(url + "?format=xlsx").content))
    rows = list(book.active.values)
    assert rows[2] == ("金陵物业", 3, 2, "100.0%", "33.3%", 2, "50.0%")
    last_year = clock.local_now().year - 1
    assert "这一年没有转给物业的诉求" in client.get(f"{url}?year={last_year}").content.decode()


def test_who_reads_the_evaluation(world, setup, client):
    url = reverse("owners:evaluation", args=[setup.compound.pk])
    expected = {
        "community_worker:own": 200, "street_officer:own": 200, "coordinator:own": 200,
        "community_worker:other": 403, "street_officer:other": 403, "resident:own": 403,
        "property_staff:own": 403, "grid_worker:own": 403,
    }  # fmt: skip
    found = {}
    for key in expected:
        client.force_login(world.user(key))
        found[key] = client.get(url).status_code
    assert found == expected


def test_a_street_officer_says_who_acts_for_a_company(world, setup, client):
    officer = world.user("street_officer:own")
    client.force_login(officer)
    url = reverse("owners:property_staff")
    page = client.get(url).content.decode()
    assert "wy-jinling" in page and "金陵物业" in page
    account = world.user("property_staff:own")
    assignment = RoleAssignment.objects.active().get(user=account, role="property_staff")
    client.post(url, {"assignment": assignment.pk, "company": setup.company.pk})
    assert CompanyStaff.objects.filter(account=account, company=setup.company).exists()
    # Twice: refused in Chinese, nothing written.
    before = CompanyStaff.objects.count()
    page = client.post(url, {"assignment": assignment.pk, "company": setup.company.pk}, follow=True)
    assert "已是这家企业的工作人员" in page.content.decode()
    assert CompanyStaff.objects.count() == before
    assert url in client.get(reverse("owners:index")).content.decode()
    # A community worker may not open the page, and is not offered the link.
    client.force_login(world.user("community_worker:own"))
    assert client.get(url).status_code == 403
    assert url not in client.get(reverse("owners:index")).content.decode()


def test_the_district_sets_the_working_days_with_their_source(world, setup, client):
    client.force_login(world.dispatcher)
    url = reverse("owners:property_rules")
    day = datetime.date(2026, 1, 1).isoformat()
    client.post(url, {"item_code": "", "accept_days": 2, "finish_days": 7,
                      "source": "区物业办通知", "effective_from": day})  # fmt: skip
    assert PropertyRule.objects.filter(finish_days=7, source="区物业办通知").exists()
    before = PropertyRule.objects.count()
    page = client.post(url, {"item_code": "", "accept_days": 9, "finish_days": 3,
                             "source": "x", "effective_from": "2026-02-01"})  # fmt: skip
    assert "签收时限不能长于办结时限" in page.content.decode()
    assert PropertyRule.objects.count() == before
    assert "区物业办通知" in client.get(url).content.decode()


def _company_of_the_other_street(world):
    """白鹭物业 serves a compound of the second street only; 旧物业's contract there has ended."""
    from owners.services import contract_record
    from owners.testing import build_compound

    today, year = clock.today(), datetime.timedelta(days=365)
    compound, _parts = build_compound(
        actor=world.d.root, community=world.d.communities[2], name="白鹭小区",
        street="长乐路9号1幢", holdings=[("90.00", "developer")],
    )  # fmt: skip
    contract_record(actor=world.d.root, compound=compound, company_name="旧物业",
                    starts_on=today - 2 * year, ends_on=today - year, fee=100)  # fmt: skip
    return contract_record(
        actor=world.d.root, compound=compound, company_name="白鹭物业",
        starts_on=today - year, ends_on=today + year, fee=160,
    ).company  # fmt: skip


def test_a_street_officer_is_offered_only_the_companies_of_its_streets(world, setup, client):
    from django.core.exceptions import ValidationError

    from owners.services.property import staff_grant

    other_company = _company_of_the_other_street(world)
    url = reverse("owners:property_staff")
    client.force_login(world.user("street_officer:own"))
    page = client.get(url).content.decode()
    assert "金陵物业" in page and "秦淮物业" in page
    assert "白鹭物业" not in page and "旧物业" not in page
    # Posted anyway: refused in Chinese, nothing written, no 500.
    account = world.user("property_staff:own")
    assignment = RoleAssignment.objects.active().get(user=account, role="property_staff")
    before = CompanyStaff.objects.count()
    page = client.post(url, {"assignment": assignment.pk, "company": other_company.pk},
                       follow=True)  # fmt: skip
    assert page.status_code == 200
    assert "“白鹭物业”没有为您负责的街道内的小区提供物业服务" in page.content.decode()
    assert CompanyStaff.objects.count() == before
    with pytest.raises(ValidationError, match="没有为您负责的街道内的小区提供物业服务"):
        staff_grant(actor=world.user("street_officer:own"), company=other_company, account=account)
    assert CompanyStaff.objects.count() == before
    # The second street's officer is offered its own company, for its own staff account.
    client.force_login(world.user("street_officer:other"))
    page = client.get(url).content.decode()
    assert "白鹭物业" in page and "金陵物业" not in page and "旧物业" not in page
    # The district's coordinator: every company with a contract not ended in the district.
    client.force_login(world.dispatcher)
    page = client.get(url).content.decode()
    assert all(name in page for name in ("金陵物业", "秦淮物业", "白鹭物业"))
    assert "旧物业" not in page
    staff_grant(actor=world.dispatcher, company=other_company, account=account)
    assert CompanyStaff.objects.count() == before + 1
