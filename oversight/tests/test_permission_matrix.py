"""Every role × the oversight actions × own place / other place (core.tests.matrix).

Own targets are the own district (the chain, schemes) or its first community (results); other
targets are the second district for district roles, or a community of the second street for
the others. Cases are about a grid worker, so no role's own account is the person concerned
(the person's own steps are tested in test_accountability). A refused write writes nothing."""

import datetime

import pytest

from core import clock
from core.models import Role
from core.testing import ROLE_HOME_LEVEL, attempt_allowed, deny_unless
from core.tests.matrix import matrix_tests
from oversight import defaults, selectors, services
from oversight.models import (
    Case,
    Reminder,
    Result,
    SanctionRule,
    Scheme,
    Survey,
    SurveyAnswer,
    SurveyRule,
)

R = Role
OFFICER = f"{R.OVERSIGHT_OFFICER}:own"
EXPECTED = {
    "issue_reminder": {R.OVERSIGHT_OFFICER},
    "open_case": {R.OVERSIGHT_OFFICER},
    "set_rules": {R.OVERSIGHT_OFFICER},
    "view_case": {R.OVERSIGHT_OFFICER},
    "judge_tolerance": {R.OVERSIGHT_OFFICER},
    "close_case": {R.OVERSIGHT_OFFICER},
    "draft_scheme": {R.OVERSIGHT_OFFICER},
    "approve_scheme": {R.ADMIN, R.COORDINATOR},
    "compute_results": {R.OVERSIGHT_OFFICER},
    "view_results": {R.ADMIN, R.COORDINATOR, R.OVERSIGHT_OFFICER, R.AUDITOR, R.STREET_OFFICER,
                     R.COMMUNITY_WORKER},
    "object": {R.COMMUNITY_WORKER},
    "answer_objection": {R.OVERSIGHT_OFFICER},
    "send_survey": {R.OVERSIGHT_OFFICER, R.STREET_OFFICER},
    "set_survey_rules": {R.OVERSIGHT_OFFICER},
    "answer_survey": {R.RESIDENT},
    "view_surveys": {R.ADMIN, R.COORDINATOR, R.OVERSIGHT_OFFICER, R.AUDITOR, R.STREET_OFFICER,
                     R.COMMUNITY_WORKER},
}  # fmt: skip
READS = {"view_case", "view_results", "view_surveys"}


@pytest.fixture(scope="module")
def world(world):
    """conftest's two districts, each with a computed 2025 assessment."""
    own, other = world
    for d in (own, other):
        scheme = services.scheme_draft(actor=d.users[OFFICER], district=d.district, year=2025,
                                       name="2025", weights=dict(defaults.WEIGHTS), source="测试")  # fmt: skip
        services.scheme_approve(actor=d.root, scheme=scheme)
        services.results_compute(actor=d.users[OFFICER], scheme=scheme)
        for community in (d.communities[0], d.communities[2]):
            services.survey_send(actor=d.users[OFFICER], community=community, kind="satisfaction",
                                 year=2025, closes_on=clock.today() + datetime.timedelta(days=30))  # fmt: skip
    return world


def _district(world, side):
    own, other = world
    return own if side == "own" else other


def _community_side(world, role, side):
    """(district world, community, its worker) for a result."""
    own, other = world
    if side == "own":
        return own, own.communities[0], own.users[f"{R.COMMUNITY_WORKER}:own"]
    if ROLE_HOME_LEVEL[role] == "district":
        return other, other.communities[0], other.users[f"{R.COMMUNITY_WORKER}:own"]
    return own, own.communities[2], own.users[f"{R.COMMUNITY_WORKER}:other"]


def _case(d, **extra):
    return services.case_open(
        actor=d.users["second_officer"], district=d.district,
        person=d.users[f"{R.GRID_WORKER}:other"].person, facts="事实", rule_broken="规定",
        decision="决定", sanction="discipline",
    )  # fmt: skip


def _asked(d):
    case = _case(d)
    return services.tolerance_apply(actor=d.users[f"{R.GRID_WORKER}:other"], case=case,
                                    reason="先行先试", grounds=["inexperience"])  # fmt: skip


def _result(d, community):
    return Result.objects.get(scheme__district=d.district, scheme__year=2025, community=community)


def _chain_actions(user, d):
    person = d.users[f"{R.GRID_WORKER}:other"].person
    return {
        "issue_reminder": (None, lambda: services.reminder_issue(
            actor=user, district=d.district, person=person, kind="talk", facts="事由")),
        "set_rules": (None, lambda: services.sanction_rule_create(
            actor=user, district=d.district, sanction="notice", requires_reminder=True,
            months_in_force=6, source="测试", effective_from=datetime.date(2031, 1, 1))),
        "open_case": (None, lambda: services.case_open(
            actor=user, district=d.district, person=person, facts="事实", rule_broken="规定",
            decision="决定", sanction="discipline")),
        "judge_tolerance": (lambda: _asked(d), lambda case: services.tolerance_judge(
            actor=user, case=case, granted=True, inexperience="a", exploration="b",
            development="c")),
        "close_case": (lambda: _case(d), lambda case: services.case_close(
            actor=user, case=case, note="核实")),
        "draft_scheme": (None, lambda: services.scheme_draft(
            actor=user, district=d.district, year=2031, name="2031", source="测试",
            weights=dict(defaults.WEIGHTS))),
        "approve_scheme": (
            lambda: services.scheme_draft(actor=d.users[OFFICER], district=d.district, year=2031,
                                          name="2031", source="测试", weights=dict(defaults.WEIGHTS)),
            lambda scheme: services.scheme_approve(actor=user, scheme=scheme)),
        "compute_results": (
            lambda: services.scheme_approve(actor=d.root, scheme=services.scheme_draft(
                actor=d.users[OFFICER], district=d.district, year=2024, name="2024",
                source="测试", weights=dict(defaults.WEIGHTS))),
            lambda scheme: services.results_compute(actor=user, scheme=scheme)),
    }  # fmt: skip


def _survey_actions(user, d, community):
    survey = Survey.objects.get(community=community, kind="satisfaction", year=2025)
    return {
        "send_survey": lambda: services.survey_send(
            actor=user, community=community, kind="review", year=2025,
            closes_on=clock.today() + datetime.timedelta(days=10)),
        "set_survey_rules": lambda: services.survey_rule_create(
            actor=user, district=d.district, points_satisfied=100, points_basic=50,
            points_unsatisfied=0, min_answers=5, source="测试",
            effective_from=datetime.date(2031, 1, 1)),
        "answer_survey": lambda: services.survey_answer(
            actor=user, survey=survey, grades=["satisfied"] * len(survey.questions)),
        "view_surveys": lambda: deny_unless(
            selectors.surveys_visible_to(user).filter(pk=survey.pk).exists()),
    }  # fmt: skip


COUNTED = [
    SanctionRule.objects.all(),
    Case.objects.all(),
    Reminder.objects.all(),
    Scheme.objects.all(),
    Result.objects.all(),
    Survey.objects.all(),
    SurveyAnswer.objects.all(),
    SurveyRule.objects.all(),
]


def attempt(world, role, side, action) -> bool:
    own, _other = world
    user = own.users[f"{role}:own"]
    label = f"{role} {side} {action}"
    d = _district(world, side)
    if action == "view_case":
        return attempt_allowed(
            lambda case: deny_unless(selectors.cases_visible_to(user).filter(pk=case.pk).exists()),
            prepare=lambda: _case(d), label=label,
        )  # fmt: skip
    chain = _chain_actions(user, d)
    if action in chain:
        prepare, act = chain[action]
        return attempt_allowed(act, prepare=prepare, label=label, counted=COUNTED)
    d, community, worker = _community_side(world, role, side)
    surveys = _survey_actions(user, d, community)
    if action in surveys:
        return attempt_allowed(surveys[action], label=label, counted=COUNTED)
    result = _result(d, community)
    if action == "view_results":
        return selectors.results_visible_to(user).filter(pk=result.pk).exists()
    if action == "object":
        return attempt_allowed(
            lambda: services.objection_file(actor=user, result=result, objection="异议"),
            label=label, counted=COUNTED,
        )  # fmt: skip
    return attempt_allowed(
        lambda objected: services.objection_answer(actor=user, result=objected, answer="答复",
                                                   kind="maintained"),
        prepare=lambda: services.objection_file(actor=worker, result=result, objection="异议"),
        label=label,
    )  # fmt: skip


test_matrix, test_auditor_writes_nothing = matrix_tests(EXPECTED, READS, attempt)
