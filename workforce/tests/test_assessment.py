"""The annual assessment (issue #16 item 5): recorded whole for a community from the rule in
force (quota of 优秀, least 民主评议 for 优秀), pausing grade progression and fixing performance
pay; refused with a Chinese message and nothing written when incomplete or over the quota."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from core.models import AuditEvent
from core.tests.refused import refused
from workforce import assessment, defaults, hooks, services, workers
from workforce.models import Assessment, WorkerAssessment

D = datetime.date
DAY = datetime.datetime(2026, 3, 1, 2, tzinfo=datetime.UTC)


@pytest.fixture
def team(d, enrol):
    with time_machine.travel(DAY, tick=False):
        services.grade_schemes_seed(actor=d.root, district=d.district)
        services.assessment_rules_seed(actor=d.users["coordinator:own"], district=d.district)
        people = [enrol(name=n) for n in ("王芳", "李强", "赵敏", "钱进", "孙丽")]
        yield people


def counts():
    return Assessment.objects.count(), WorkerAssessment.objects.count()


def record(d, team, results, reviews=None, **extra):
    return services.assessment_record(
        actor=d.users["street_officer:own"], community=d.communities[0], year=2025,
        results=dict(zip(team, results, strict=False)), reviews=reviews, **extra,
    )  # fmt: skip


def test_quota_is_a_share_rounded_down_at_least_one_higher_for_a_good_community():
    rule = SimpleNamespace(**{k: defaults.ASSESSMENT_RULE[k] for k in
                              ("excellent_permille", "excellent_permille_good", "good_score_tenths")})  # fmt: skip
    assert assessment.quota(rule, 0, None) == 0
    assert assessment.quota(rule, 3, None) == 1  # 20% of 3 is 0.6: one place all the same
    assert assessment.quota(rule, 12, None) == 2
    assert assessment.quota(rule, 12, 899) == 2
    assert assessment.quota(rule, 12, 900) == 3  # 25% when the community's own result is ≥ 90
    assert (
        assessment.quota(SimpleNamespace(**{**vars(rule), "excellent_permille": 0}), 12, None) == 0
    )


def test_a_whole_assessment_pauses_progression_and_fixes_performance_pay(d, team):
    with time_machine.travel(DAY, tick=False):
        before = workers.rows_for([team[4]], D(2026, 3, 1))[0].answer.next_grade_on
        done = record(d, team, ["excellent", "competent", "competent", "basic", "incompetent"],
                      reviews={team[0].pk: 92})  # fmt: skip
        assert done.excellent_quota == 1 and done.community_score_tenths is None
        assert AuditEvent.objects.filter(action="workforce.assessment_record").count() == 1
        paused = hooks.paused_years([w.pk for w in team], 2026)
        assert paused.get(team[3].pk) == {2025: "2025年度考核基本称职"}
        assert paused.get(team[4].pk) == {2025: "2025年度考核不称职"}
        assert team[0].pk not in paused and team[1].pk not in paused
        # Ten years of service, the paused year not counted: the next grade comes a year later.
        assert before == D(2028, 3, 1)
        assert workers.rows_for([team[4]], D(2026, 3, 1))[0].answer.next_grade_on == D(2029, 3, 1)
        results = {r.worker_id: r for r in assessment.own_results(team[0])}
        assert assessment.performance_pay_fen(results[team[0].pk]) == 1_200_000
        assert assessment.performance_pay_fen(assessment.own_results(team[4])[0]) == 0
        with refused("already_assessed"):
            record(d, team, ["competent"] * 5)
        assert counts() == (1, 5)


@pytest.mark.parametrize(
    ("results", "reviews", "code"),
    [
        (["competent"] * 4, None, "incomplete"),  # one worker in post has no result
        (["excellent", "excellent", "competent", "competent", "competent"], "high", "quota"),
        (["excellent", "competent", "competent", "competent", "competent"], None, "review_too_low"),
        (["excellent", "competent", "competent", "competent", "competent"], "low", "review_too_low"),
        (["great", "competent", "competent", "competent", "competent"], None, "result"),
    ],
)  # fmt: skip
def test_bad_assessments_are_refused_and_write_nothing(d, team, results, reviews, code):
    scores = {"high": {w.pk: 95 for w in team}, "low": {team[0].pk: 79}}.get(reviews)
    with time_machine.travel(DAY, tick=False), refused(code) as refusal:
        record(d, team, results, scores)
    assert counts() == (0, 0)
    if code == "incomplete":
        assert "孙丽" in refusal.value.message % refusal.value.params


def test_a_worker_of_another_community_is_refused(d, team, enrol):
    with time_machine.travel(DAY, tick=False):
        stranger = enrol(name="周游", community=d.communities[1], actor=d.root)
        with refused("not_in_post"):
            services.assessment_record(
                actor=d.root, community=d.communities[0], year=2025,
                results={**{w.pk: "competent" for w in team}, stranger.pk: "competent"},
            )  # fmt: skip
    assert counts() == (0, 0)


def test_only_the_street_or_the_district_assesses(d, team):
    with time_machine.travel(DAY, tick=False):
        for role in ("community_worker:own", "street_officer:other", "auditor:own"):
            with pytest.raises(PermissionDenied):
                services.assessment_record(actor=d.users[role], community=d.communities[0],
                                           year=2025, results={w.pk: "competent" for w in team})  # fmt: skip
    assert counts() == (0, 0)


def test_the_community_result_and_review_come_from_oversight(d, team, monkeypatch):
    monkeypatch.setattr(assessment, "community_inputs", lambda community, year: (935, 88.5))
    with time_machine.travel(DAY, tick=False):
        inputs = assessment.inputs_for(d.communities[0], 2025)
        assert (inputs.community_score, inputs.review_score, inputs.quota) == (93.5, 88.5, 1)
        # No own review for the 优秀: the community's 88.5 counts, above the least 80.
        done = record(d, team, ["excellent"] + ["competent"] * 4)
    assert done.community_score_tenths == 935 and done.review_score == 88
