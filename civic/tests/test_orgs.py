"""Filing social organisations with the street office: the code optional, validated when given;
members; incubation; annual reports. Refusals write nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civic import selectors, services
from civic.models import AnnualReport, Incubation, OrgMember, SocialOrganisation
from civic.tests import world
from core.models import AuditEvent
from core.testing import build_small_district

pytestmark = pytest.mark.django_db
VALID_USCC = "91110000600037341L"


@pytest.fixture
def d():
    return build_small_district()


def _unchanged(*querysets):
    return [q.count() for q in (AuditEvent.objects.all(), *querysets)]


def test_street_officer_files_without_a_code(d):
    officer = d.users["street_officer:own"]
    org = services.org_file(actor=officer, community=d.communities[0], name="邻里书画社",
                            domain="culture", purpose="每周书画交流。")  # fmt: skip
    assert org.kind == SocialOrganisation.Kind.FILED and org.uscc == ""
    assert org.street == d.streets[0] and org.filing_no.startswith(f"{d.streets[0].code}-")
    assert AuditEvent.objects.filter(action="civic.org_file", object_id=str(org.pk)).exists()
    second = services.org_file(actor=officer, community=d.communities[1], name="邻里书画社",
                               domain="culture", purpose="同名，不同社区。")  # fmt: skip
    assert second.filing_no != org.filing_no


def test_a_code_given_is_validated_and_makes_it_registered(d):
    officer = d.users["street_officer:own"]
    org = services.org_file(actor=officer, community=d.communities[0], name="慈善会",
                            domain="charity", purpose="募集善款。", uscc=" 91110000600037341l ")  # fmt: skip
    assert org.uscc == VALID_USCC and org.kind == SocialOrganisation.Kind.REGISTERED


@pytest.mark.parametrize(
    ("code", "error"),
    [("91110000600037341X", "uscc"), ("12345", "uscc"), (VALID_USCC, "uscc_taken")],
)
def test_bad_or_taken_code_refused_nothing_written(d, code, error):
    world.org(d, d.communities[1], name="已登记组织", uscc=VALID_USCC)
    before = _unchanged(SocialOrganisation.objects.all())
    with pytest.raises(ValidationError) as refused:
        services.org_file(actor=d.users["street_officer:own"], community=d.communities[0],
                          name="新组织", domain="other", purpose="活动。", uscc=code)  # fmt: skip
    assert refused.value.code == error
    assert "统一社会信用代码" in refused.value.messages[0]
    assert _unchanged(SocialOrganisation.objects.all()) == before


def test_only_the_street_files_and_only_communities(d):
    with pytest.raises(PermissionDenied):
        services.org_file(actor=d.users["street_officer:other"], community=d.communities[0],
                          name="甲", domain="other", purpose="乙")  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.org_file(actor=d.users["community_worker:own"], community=d.communities[0],
                          name="甲", domain="other", purpose="乙")  # fmt: skip
    with pytest.raises(ValidationError):
        services.org_file(actor=d.users["street_officer:own"], community=d.streets[0],
                          name="甲", domain="other", purpose="乙")  # fmt: skip
    assert not SocialOrganisation.objects.exists()


def test_members_need_the_role_and_then_act_for_their_organisation(d):
    org = world.org(d, d.communities[0])
    officer, member = d.users["street_officer:own"], d.users["social_org_member:own"]
    stranger = d.users["social_org_member:other"]  # the role, but in another street
    with pytest.raises(ValidationError) as refused:
        services.org_member_add(actor=officer, organisation=org, user=stranger)
    assert refused.value.code == "no_role"
    assert not member.has_perm("civic.act_for_org", org)
    assert not selectors.orgs_acted_for(member).exists()
    services.org_member_add(actor=officer, organisation=org, user=member)
    assert member.has_perm("civic.act_for_org", org)
    assert list(selectors.orgs_acted_for(member)) == [org]
    assert list(selectors.orgs_visible_to(member)) == [org]
    report = services.report_submit(
        actor=member, organisation=org, year=org.filed_on.year, activities="助餐48次。",
        activity_count=48, people_served=960, income_fen=1_200_000, expense_fen=1_100_000,
    )  # fmt: skip
    assert report.income_fen == 1_200_000
    before = _unchanged(AnnualReport.objects.all())
    with pytest.raises(ValidationError):  # once a year
        services.report_submit(
            actor=member, organisation=org, year=org.filed_on.year, activities="再报",
            activity_count=1, people_served=1, income_fen=0, expense_fen=0,
        )  # fmt: skip
    with pytest.raises(ValidationError):  # money in whole fen, never a float
        services.report_submit(
            actor=member, organisation=org, year=org.filed_on.year - 1, activities="再报",
            activity_count=1, people_served=1, income_fen=1.5, expense_fen=0,
        )  # fmt: skip
    assert _unchanged(AnnualReport.objects.all()) == before
    services.org_revoke(actor=officer, organisation=org, reason="停止活动")
    assert not member.has_perm("civic.act_for_org", org)
    assert OrgMember.objects.count() == 1


def test_incubation_stages_and_one_stay_at_a_time(d):
    import datetime

    officer = d.users["street_officer:own"]
    org = world.org(d, d.communities[0])
    base = services.base_create(actor=officer, street=d.streets[0], name="第1街道孵化基地",
                                address="中山路1号", spaces=1)  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.base_create(actor=d.users["street_officer:other"], street=d.streets[0],
                             name="别人的", address="某处", spaces=3)  # fmt: skip
    stay = services.incubation_start(
        actor=officer, base=base, organisation=org, mentor="王老师", space="201室",
        rent_support_fen=80_000, started_on=datetime.date(2026, 3, 1),
    )  # fmt: skip
    other = world.org(d, d.communities[1], name="青少年成长营")
    before = _unchanged(Incubation.objects.all())
    with pytest.raises(ValidationError) as full:
        services.incubation_start(
            actor=officer, base=base, organisation=other, mentor="李老师", space="202室",
            rent_support_fen=0, started_on=datetime.date(2026, 3, 1),
        )  # fmt: skip
    assert full.value.code == "full"
    assert _unchanged(Incubation.objects.all()) == before
    services.incubation_stage(actor=officer, incubation=stay, stage="incubating")
    with pytest.raises(ValidationError):
        services.incubation_stage(actor=officer, incubation=stay, stage="entered")
    services.incubation_stage(actor=officer, incubation=stay, stage="graduated")
    stay.refresh_from_db()
    assert stay.ended_on is not None
    services.incubation_start(
        actor=officer, base=base, organisation=other, mentor="李老师", space="202室",
        rent_support_fen=0, started_on=datetime.date(2026, 6, 1),
    )  # fmt: skip
