"""公益创投 from the call to the last milestone's payment; the review panel's declared conflicts;
money in fen with the fund's balance. Refusals write nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civic import selectors, services
from civic.models import Application, FundEntry, Grant, Score
from civic.tests import world
from core.models import AuditEvent
from core.testing import build_small_district

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():
    d = build_small_district()
    org = world.org(d, d.communities[0])
    member = d.users["social_org_member:own"]
    services.org_member_add(actor=d.root, organisation=org, user=member)
    rival = world.org(d, d.communities[1], name="青少年成长营")
    rival_member = world.member_account(d, d.communities[1], "rival", "13900000001")
    services.org_member_add(actor=d.root, organisation=rival, user=rival_member)
    fund = world.fund(d, d.streets[0])
    call = world.call(d, fund)
    return d, org, member, rival, rival_member, fund, call


def _counts(*querysets):
    return [q.count() for q in (AuditEvent.objects.all(), *querysets)]


def test_an_organisation_applies_is_scored_wins_and_is_paid(setup):
    d, org, member, rival, rival_member, fund, call = setup
    officer = d.users["street_officer:own"]
    assert officer.has_perm("civic.run_fund", fund)
    assert call in selectors.calls_visible_to(member)
    application = world.application(d, call, org, member)
    world.application(d, call, rival, rival_member, requested_fen=2_000_000)
    reviewers = [d.users["community_worker:own"], d.users["department_officer:own"]]
    for reviewer in reviewers:
        services.seat_add(actor=officer, call=call, user=reviewer)
    services.call_review(actor=officer, call=call)
    for reviewer, points in zip(reviewers, (88, 92), strict=True):
        services.score_give(actor=reviewer, application=application, points=points)
    (row,) = [a for a in selectors.applications_of_call(officer, call) if a.pk == application.pk]
    assert row.average == 90 and row.scored == 2
    grant = services.grant_award(actor=officer, application=application, amount_fen=2_500_000)
    assert grant.amount_fen == 2_500_000
    first = services.milestone_add(actor=officer, grant=grant, title="启动", due_on=world.YEAR_END,
                                   amount_fen=1_500_000)  # fmt: skip
    services.milestone_add(actor=officer, grant=grant, title="结项", due_on=world.YEAR_END,
                           amount_fen=1_000_000)  # fmt: skip
    with pytest.raises(ValidationError):  # beyond the grant
        services.milestone_add(actor=officer, grant=grant, title="多余", due_on=world.YEAR_END,
                               amount_fen=1)  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.milestone_report(actor=rival_member, milestone=first, report="不是我的")
    services.milestone_report(actor=member, milestone=first, report="已开餐桌12次。")
    before = services.balance(fund)
    services.milestone_accept(actor=officer, milestone=first)
    assert services.balance(fund) == before - 1_500_000
    assert FundEntry.objects.get(milestone=first).amount_fen == -1_500_000
    assert services.call_close(actor=officer, call=call) == 1
    assert Application.objects.get(organisation=rival).status == Application.Status.DECLINED


def test_a_grant_to_an_applicant_with_a_declared_conflict_on_the_panel_is_refused(setup):
    d, org, member, _rival, _rm, _fund, call = setup
    officer, reviewer = d.users["street_officer:own"], d.users["community_worker:own"]
    honest = d.users["department_officer:own"]
    application = world.application(d, call, org, member)
    seat = services.seat_add(actor=officer, call=call, user=reviewer)
    services.seat_add(actor=officer, call=call, user=honest)
    services.call_review(actor=officer, call=call)
    services.score_give(actor=reviewer, application=application, points=95)
    services.score_give(actor=honest, application=application, points=80)
    services.conflict_declare(
        actor=reviewer, call=call, organisation=org, reason="亲属任该组织负责人"
    )
    before = _counts(Grant.objects.all(), Application.objects.filter(status="awarded"))
    with pytest.raises(ValidationError) as refused:
        services.grant_award(actor=officer, application=application, amount_fen=1_000_000)
    assert refused.value.code == "conflict"
    assert "利益冲突" in refused.value.messages[0] and org.name in refused.value.messages[0]
    assert _counts(Grant.objects.all(), Application.objects.filter(status="awarded")) == before
    # The conflicted reviewer leaves the panel; their score no longer counts; the grant goes.
    services.seat_withdraw(actor=officer, seat=seat)
    assert list(services.counted_scores(application).values_list("points", flat=True)) == [80]
    services.grant_award(actor=officer, application=application, amount_fen=1_000_000)


def test_a_conflicted_reviewer_cannot_score(setup):
    d, org, member, _rival, _rm, _fund, call = setup
    officer, reviewer = d.users["street_officer:own"], d.users["community_worker:own"]
    application = world.application(d, call, org, member)
    services.seat_add(actor=officer, call=call, user=reviewer)
    services.conflict_declare(actor=reviewer, call=call, organisation=org, reason="曾任该组织理事")
    services.call_review(actor=officer, call=call)
    before = _counts(Score.objects.all())
    with pytest.raises(ValidationError) as refused:
        services.score_give(actor=reviewer, application=application, points=90)
    assert refused.value.code == "conflict"
    with pytest.raises(PermissionDenied):  # not on the panel
        services.score_give(actor=d.users["street_officer:own"], application=application, points=1)
    assert _counts(Score.objects.all()) == before


def test_money_limits_refused_with_nothing_written(setup):
    d, org, member, _rival, _rm, fund, call = setup
    officer = d.users["street_officer:own"]
    before = _counts(Application.objects.all(), FundEntry.objects.all())
    with pytest.raises(ValidationError):  # above the call's cap
        world.application(d, call, org, member, requested_fen=call.max_grant_fen + 1)
    with pytest.raises(ValidationError):  # more than the fund holds
        services.fund_pay(actor=officer, fund=fund, purpose="training", amount_fen=10**11,
                          note="培训")  # fmt: skip
    with pytest.raises(ValidationError):  # a float is not an amount
        services.fund_deposit(actor=officer, fund=fund, amount_fen=100.5, note="注资")
    with pytest.raises(PermissionDenied):  # another street's officer
        services.fund_deposit(actor=d.users["street_officer:other"], fund=fund, amount_fen=100,
                              note="注资")  # fmt: skip
    other_org = world.org(d, d.communities[2], name="外街组织")
    services.org_member_add(
        actor=d.root, organisation=other_org, user=d.users["social_org_member:other"]
    )
    with pytest.raises(PermissionDenied):  # the call is for street 1's organisations
        world.application(d, call, other_org, d.users["social_org_member:other"])
    assert _counts(Application.objects.all(), FundEntry.objects.all())[1:] == before[1:]
    services.fund_pay(actor=officer, fund=fund, purpose="base", amount_fen=300_000, note="基地水电")
    assert services.balance(fund) == 50_000_000 - 300_000
