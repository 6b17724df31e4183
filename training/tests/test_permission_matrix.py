"""Every role × the training actions × own place / other place (core.tests.matrix).

The district's organisation and civil-affairs staff (administrator, coordinating office,
organisation officers) set the rules and keep the district's plans; street officers keep their
street's plans and their streets' workers' enrolment, attendance and certificates; auditors read.
A community worker sees only their own training (their own page; tested in test_pages): the
workers targeted here are not theirs. "Own" is the district or the first street's first
community; "other" the second district (district roles) or the second street.
"""

import datetime

import pytest

from core.models import Role
from core.testing import ROLE_HOME_LEVEL, attempt_allowed
from core.tests.matrix import matrix_tests, two_districts
from core.tests.modules import rolled_back_after
from training import selectors, services
from training.models import (
    Attendance,
    Certificate,
    ContentArea,
    Enrolment,
    Plan,
    SurveyAnswer,
    TrainingRule,
)
from training.tests.conftest import held_day, make_worker
from workforce.models import Worker

R = Role
MANAGERS = {R.ADMIN, R.COORDINATOR, R.OVERSIGHT_OFFICER}
KEEPERS = MANAGERS | {R.STREET_OFFICER}
VIEWERS = KEEPERS | {R.AUDITOR}
EXPECTED = {
    "set_rules": MANAGERS,
    "district_plan": MANAGERS,
    "street_plan": KEEPERS,
    "enrol": KEEPERS,
    "record_attendance": KEEPERS,
    "issue_certificate": KEEPERS,
    "answer_survey_for": KEEPERS,
    "view_worker": VIEWERS,
    "list_hours": VIEWERS,
    "see_course": VIEWERS,
}
READS = {"view_worker", "list_hours", "see_course"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    from core import clock

    with rolled_back_after(django_db_blocker):
        own, other = two_districts()
        day = held_day()
        for d in (own, other):
            services.defaults_seed(actor=d.root, district=d.district)
            d.plan = services.plan_create(actor=d.root, place=d.district, kind="periodic", year=day.year, title="轮训")  # fmt: skip
            area = ContentArea.objects.filter(district=d.district).first()
            d.course = services.course_create(actor=d.root, plan=d.plan, title="课程", area=area, format="visit",
                                              held_on=day, hours=6, venue="区中心", capacity=50)  # fmt: skip
            d.survey = services.survey_create(actor=d.root, district=d.district, year=day.year + 1, title="调查",
                                              closes_on=clock.today() + datetime.timedelta(days=9))  # fmt: skip
        for d, community in (
            (own, own.communities[0]),
            (own, own.communities[3]),
            (other, other.communities[0]),
        ):
            make_worker(d, community, f"工作者{community.code}")
        yield own, other


def _side(world, role, side):
    own, other = world
    if side == "own":
        return own, own.communities[0], own.streets[0]
    if ROLE_HOME_LEVEL[role] == "district":
        return other, other.communities[0], other.streets[0]
    return own, own.communities[3], own.streets[1]


def attempt(world, role, side, action) -> bool:
    own, _other = world
    user = own.users[f"{role}:own"]
    d, community, street = _side(world, role, side)
    worker = Worker.objects.select_related("person", "community").get(community=community)
    label = f"{role} {side} {action}"
    counted = [
        m.objects.all()
        for m in (TrainingRule, Plan, Enrolment, Attendance, Certificate, SurveyAnswer)
    ]

    def enrolled():
        return services.enrol(actor=d.root, course=d.course, worker=worker)

    def attended():
        enrolled()
        return services.attendance_record(actor=d.root, course=d.course, worker=worker)

    calls = {
        "set_rules": lambda: services.rule_create(
            actor=user, district=d.district, name="新规", annual_hours=50, induction_months=6,
            induction_hours=8, source="文件", effective_from=datetime.date(2031, 1, 1)),
        "district_plan": lambda: services.plan_create(actor=user, place=d.district, kind="induction", year=2026, title="岗前"),  # fmt: skip
        "street_plan": lambda: services.plan_create(actor=user, place=street, kind="periodic", year=2026, title="街道"),  # fmt: skip
        "enrol": lambda: services.enrol(actor=user, course=d.course, worker=worker),
        "answer_survey_for": lambda: services.survey_answer(
            actor=user, survey=d.survey, worker=worker,
            areas=list(ContentArea.objects.filter(district=d.district)[:1])),
    }  # fmt: skip
    if action in calls:
        return attempt_allowed(calls[action], label=label, counted=counted)
    if action == "record_attendance":
        return attempt_allowed(lambda _e: services.attendance_record(actor=user, course=d.course, worker=worker),
                               prepare=enrolled, label=label, counted=counted)  # fmt: skip
    if action == "issue_certificate":
        return attempt_allowed(lambda a: services.certificate_issue(actor=user, attendance=a),
                               prepare=attended, label=label, counted=counted)  # fmt: skip
    if action == "view_worker":
        return user.has_perm("training.view_worker", worker)
    if action == "list_hours":
        return (
            user.has_perm("training.view")
            and selectors.workers_visible_to(user).filter(pk=worker.pk).exists()
        )
    # see_course: the course of the target's district, seen where the user may see training there
    visible = selectors.courses_visible_to(user).filter(pk=d.course.pk).exists()
    return (
        user.has_perm("training.view")
        and visible
        and (side == "own" or ROLE_HOME_LEVEL[role] == "district")
    )


test_matrix, test_auditor_writes_nothing = matrix_tests(EXPECTED, READS, attempt)
