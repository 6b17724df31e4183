"""civic's pages open for the roles their menu entries are shown to, show only what the role may
see, and a refused post shows its reason in Chinese with nothing written."""

import pytest

from civic import services
from civic.models import Grant, SocialOrganisation
from civic.tests import world as helpers
from core.models import Role
from core.tests.matrix import two_districts
from core.tests.modules import rolled_back_after

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker):
        d, _other = two_districts()
        org = helpers.org(d, d.communities[0])
        member = d.users["social_org_member:own"]
        services.org_member_add(actor=d.root, organisation=org, user=member)
        fund = helpers.fund(d, d.streets[0])
        call = helpers.call(d, fund)
        application = helpers.application(d, call, org, member)
        services.seat_add(actor=d.root, call=call, user=d.users["community_worker:own"])
        services.call_review(actor=d.root, call=call)
        services.score_give(
            actor=d.users["community_worker:own"], application=application, points=90
        )
        grant = services.grant_award(actor=d.root, application=application, amount_fen=1_000_000)
        yield d, org, call, grant


@pytest.mark.parametrize("role", list(Role))
def test_every_role_gets_an_answer_never_an_error(built, client, role):
    d, org, call, grant = built
    user = d.users[f"{role}:own"]
    client.force_login(user)
    for url, perm, obj in (
        ("/civic/", "civic.view", None),
        ("/civic/calls/", "civic.view", None),
        (f"/civic/orgs/{org.pk}/", "civic.view_org", org),
        (f"/civic/calls/{call.pk}/", "civic.view_call", call),
        (f"/civic/grants/{grant.pk}/", "civic.view_application", grant.application),
    ):
        response = client.get(url)
        expected = 200 if user.has_perm(perm, obj) else (403 if obj is None else 404)
        assert response.status_code == expected, (role, url, response.status_code)


def test_the_street_office_files_on_the_page_and_a_bad_code_is_refused(built, client):
    d, *_ = built
    client.force_login(d.users["street_officer:own"])
    page = client.get("/civic/").content.decode()
    assert "社会组织备案" in page and "设立孵化基地" in page
    before = SocialOrganisation.objects.count()
    form = {"action": "file", "community": d.communities[1].pk, "name": "楼道议事会",
            "domain": "mediation", "purpose": "调解邻里纠纷。", "uscc": "91110000600037341X"}  # fmt: skip
    response = client.post("/civic/", form)
    assert response.status_code == 200
    assert "统一社会信用代码" in response.content.decode() and "无效" in response.content.decode()
    assert SocialOrganisation.objects.count() == before
    form["uscc"] = ""
    response = client.post("/civic/", form, follow=True)
    assert "已备案“楼道议事会”" in response.content.decode()
    assert SocialOrganisation.objects.count() == before + 1


def test_the_member_sees_the_grant_and_reports_a_milestone(built, client):
    d, org, call, grant = built
    services.milestone_add(actor=d.root, grant=grant, title="启动", due_on=helpers.YEAR_END,
                           amount_fen=500_000)  # fmt: skip
    member = d.users["social_org_member:own"]
    client.force_login(member)
    org_page = client.get(f"/civic/orgs/{org.pk}/").content.decode()
    assert "提交年度报告" in org_page and "资助10,000.00元" in org_page
    milestone = grant.milestones.get()
    response = client.post(f"/civic/grants/{grant.pk}/",
                           {"action": "report", "target": milestone.pk, "report": "开餐桌8次。"},
                           follow=True)  # fmt: skip
    assert "已报告进展" in response.content.decode()
    assert Grant.objects.get(pk=grant.pk).milestones.get().status == "reported"
