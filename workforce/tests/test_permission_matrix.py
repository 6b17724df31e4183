"""Every role × the workforce actions × own place / other place (core.tests.matrix).

Worker actions target the worker on file in that community (enrolled by the fixture).
"Own" targets are the district (rules) or its first community, where each role's own account
serves; "other" targets are a second district (district roles) or a community of the second
street (street and lower roles). A refused write writes nothing (core.testing.attempt_allowed).
The community-worker row is a community head (the account on file as the first community's
正职); ``test_community_workers`` adds the rows that tell community workers apart: head (正职),
deputy (副职), a worker who is no head, one who was 正职 but left office, an account not on file,
each × the actions × a colleague's file, their own, and a worker of the next community.
"""

import datetime

import pytest

from core.models import Person, Role
from core.testing import ROLE_HOME_LEVEL, attempt_allowed
from core.tests.matrix import matrix_tests, two_districts
from core.tests.modules import rolled_back_after
from workforce import assessment, defaults, pay, selectors, services, surge, workers
from workforce.models import (
    AssessmentRule,
    AverageWage,
    CareerRule,
    Contract,
    GradeScheme,
    PayScale,
    Posting,
    ProgressionPause,
    Qualification,
    StaffingRule,
    SurgeHours,
    SurgeRate,
    SurgeTask,
    Worker,
    WorkerAssessment,
)
from workforce.tests.conftest import new_on_file, on_file

R = Role
VIEWERS = {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER, R.COMMUNITY_WORKER, R.AUDITOR}
KEEPERS = {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER, R.COMMUNITY_WORKER}
EXPECTED = {
    "set_rules": {R.ADMIN, R.COORDINATOR},
    "view_staffing": VIEWERS,
    "set_grade_rules": {R.ADMIN, R.COORDINATOR},
    "enrol_worker": KEEPERS,
    "add_contract": KEEPERS,
    "start_posting": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER},  # a 副职 post: not the head's
    "fix_grade": {R.ADMIN, R.COORDINATOR},
    "pause_progression": {R.ADMIN, R.COORDINATOR},
    "view_worker": VIEWERS,
    "list_workers": VIEWERS,
    "set_pay": {R.ADMIN, R.COORDINATOR},
    "enter_wage": {R.ADMIN, R.COORDINATOR},
    "view_pay": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER, R.AUDITOR},
    "set_assessment_rule": {R.ADMIN, R.COORDINATOR},
    "assess": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER},
    "view_assessments": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER, R.AUDITOR},
    "set_surge_rate": {R.ADMIN, R.COORDINATOR},
    "record_surge": KEEPERS,
    "approve_surge": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER},
    "view_surge": VIEWERS,
    "set_career_rule": {R.ADMIN, R.COORDINATOR},
}
READS = {
    "view_staffing",
    "view_worker",
    "list_workers",
    "view_pay",
    "view_assessments",
    "view_surge",
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker):
        own, other = two_districts()
        for d in (own, other):
            services.staffing_rules_seed(actor=d.root, district=d.district)
            services.grade_schemes_seed(actor=d.root, district=d.district)
            services.assessment_rules_seed(actor=d.root, district=d.district)
            services.surge_rates_seed(actor=d.root, district=d.district)
        # A worker in each community a cell may target, enrolled by the district's root.
        for d, community in ((own, own.communities[0]), (own, own.communities[1]),
                             (own, own.communities[3]), (other, other.communities[0])):  # fmt: skip
            services.worker_enrol(
                actor=d.root, community=community, name=f"工作者{community.code}", kind="hired",
                education="bachelor", service_start=datetime.date(2016, 1, 1), post="other",
                title="社区专职工作者", starts_on=datetime.date(2020, 1, 1),
                contract_ends_on=datetime.date(2022, 12, 31),
            )  # fmt: skip
            worker = _worker(community)
            services.assessment_record(actor=d.root, community=community, year=2021,
                                       results={worker.pk: "competent"})  # fmt: skip
            services.surge_task_record(
                actor=d.root, community=community, kind="cold", reason="寒潮", instruction="区通知",
                started_on=datetime.date(2021, 5, 1), ended_on=datetime.date(2021, 5, 1),
                hours={worker.pk: 4},
            )  # fmt: skip
        _community_workers(own)
        yield own, other


def _worker(community) -> Worker:
    """The worker the cells target in ``community`` (enrolled by the world)."""
    return Worker.objects.get(community=community, person__name=f"工作者{community.code}")


def _community_workers(own) -> None:
    """The first community's community workers: its head (community_worker:own, 正职), a 副职,
    a worker who is no head, a former 正职 who left office, an account not on file."""
    community = own.communities[0]
    on_file(own, own.users["community_worker:own"], community)
    own.users["cw:deputy"] = new_on_file(own, community, username="cw-deputy", post="deputy")
    for key, post, ends_on in (("cw:worker", "other", None),
                               ("cw:left", "chief", datetime.date(2023, 12, 31))):  # fmt: skip
        account = new_on_file(own, community, username=key.replace(":", "-"), post=post)
        record = Worker.objects.get(person__account=account)
        if ends_on:  # the 正职 who left office early
            record.terms.update(ended_on=ends_on)
        own.users[key] = account
    from core import services as core_services
    from core.testing import PASSWORD

    own.users["cw:unlinked"] = core_services.person_register(
        actor=own.root, place=community, name="未建档", username="cw-unlinked",
        password=PASSWORD, password_is_temporary=False, role=R.COMMUNITY_WORKER,
    ).account  # fmt: skip


def _target(world, role, side):
    own, other = world
    if side == "own":
        return own.communities[0]
    return other.communities[0] if ROLE_HOME_LEVEL[role] == "district" else own.communities[3]


def attempt(world, role, side, action) -> bool:
    own, other = world
    user = own.users[f"{role}:own"]
    if action == "set_rules":
        district = own.district if side == "own" else other.district
        return attempt_allowed(
            lambda: services.staffing_rule_create(
                actor=user,
                district=district,
                name="测试标准",
                kind="per_residents",
                per_10k_residents=20,
                source="测试依据",
                effective_from=datetime.date(2030, 1, 1),
            ),  # fmt: skip
            label=f"{role} {side} {action}",
            counted=[StaffingRule.objects.all()],
        )
    community = _target(world, role, side)
    if action in WORKER_ACTIONS:
        worker = _worker(community)
        return WORKER_ACTIONS[action](user, community, worker, f"{role} {side} {action}")
    if action in ("set_pay", "enter_wage"):
        district = own.district if side == "own" else other.district
        return attempt_allowed(
            lambda: services.pay_scale_create(
                actor=user, district=district, name="测试", amounts={"1": 100}, source="依据",
                floor_shares={"other": 800}, effective_from=datetime.date(2030, 1, 1),
            ) if action == "set_pay" else services.average_wage_enter(
                actor=user, district=district, year=2020, annual_fen=10_000_000, source="统计局",
            ),  # fmt: skip
            label=f"{role} {side} {action}",
            counted=[PayScale.objects.all(), AverageWage.objects.all()],
        )  # fmt: skip
    if action in DISTRICT_RULES:
        district = own.district if side == "own" else other.district
        service, counted = DISTRICT_RULES[action]
        return attempt_allowed(lambda: service(user, district), label=f"{role} {side} {action}",
                               counted=[counted.objects.all()])  # fmt: skip
    if action == "view_pay":
        worker = _worker(community)
        if not user.has_perm("workforce.view_pay"):
            return False
        _s, _w, rows = pay.pay_rows(user, community.district, datetime.date(2021, 6, 1))
        return any(r.row.worker.pk == worker.pk for r in rows)
    if action == "set_grade_rules":
        district = own.district if side == "own" else other.district
        return attempt_allowed(
            lambda: services.grade_scheme_create(
                actor=user, district=district, name="测试", ranges={"chief": [1, 9]},
                years_per_grade=3, source="测试依据", effective_from=datetime.date(2030, 1, 1),
            ),  # fmt: skip
            label=f"{role} {side} {action}", counted=[GradeScheme.objects.all()],
        )  # fmt: skip
    if not user.has_perm("workforce.view_staffing"):
        return False
    _rule, rows = selectors.staffing(user, community.parent.parent, datetime.date(2026, 12, 1))
    return any(row.community.pk == community.pk for row in rows)


def _enrol(user, community, _worker, label):
    return attempt_allowed(
        lambda: services.worker_enrol(
            actor=user, community=community, name="新人", kind="hired", education="college",
            service_start=datetime.date(2024, 1, 1), post="other", title="网格员",
            starts_on=datetime.date(2024, 1, 1),
        ),  # fmt: skip
        label=label, counted=[Worker.objects.all(), Person.objects.all()],
    )  # fmt: skip


def _contract(user, _community, worker, label):
    return attempt_allowed(
        lambda: services.contract_add(actor=user, worker=worker, starts_on=datetime.date(2023, 1, 1)),  # fmt: skip
        label=label, counted=[Contract.objects.all()],
    )  # fmt: skip


def _posting(user, _community, worker, label, **grade):
    return attempt_allowed(
        lambda: services.posting_start(
            actor=user, worker=worker, post="deputy", title="副主任",
            starts_on=datetime.date(2021, 1, 1), **grade,
        ),  # fmt: skip
        label=label, counted=[Posting.objects.all()],
    )  # fmt: skip


def _pause(user, _community, worker, label):
    return attempt_allowed(
        lambda: services.progression_pause_record(actor=user, worker=worker, year=2020, reason="不称职"),  # fmt: skip
        label=label, counted=[ProgressionPause.objects.all()],
    )  # fmt: skip


def _view(user, _community, worker, _label):
    return user.has_perm("workforce.view_worker", worker)


def _list(user, _community, worker, _label):
    return user.has_perm("workforce.view_workers") and (
        workers.workers_visible_to(user).filter(pk=worker.pk).exists()
    )


def _assess(user, community, worker, label):
    team = Worker.objects.filter(community=community).filter(workers.in_post(datetime.date(2022, 12, 31)))  # fmt: skip
    return attempt_allowed(
        lambda: services.assessment_record(actor=user, community=community, year=2022,
                                           results={w.pk: "competent" for w in team}),  # fmt: skip
        label=label, counted=[WorkerAssessment.objects.all()],
    )  # fmt: skip


def _view_assessments(user, _community, worker, _label):
    return user.has_perm("workforce.view_assessments") and (
        assessment.results_visible_to(user).filter(worker=worker).exists()
    )


def _record_surge(user, community, worker, label):
    return attempt_allowed(
        lambda: services.surge_task_record(
            actor=user, community=community, kind="flood", reason="暴雨", instruction="区防指通知",
            started_on=datetime.date(2021, 6, 1), ended_on=datetime.date(2021, 6, 2),
            hours={worker.pk: "6.5"},
        ),  # fmt: skip
        label=label, counted=[SurgeTask.objects.all(), SurgeHours.objects.all()],
    )  # fmt: skip


def _approve_surge(user, community, _worker, label):
    task = SurgeTask.objects.get(community=community, reason="寒潮")
    return attempt_allowed(
        lambda: services.surge_task_approve(actor=user, task=task), label=label,
        counted=[SurgeTask.objects.filter(state="approved")],
    )  # fmt: skip


def _view_surge(user, community, _worker, _label):
    return user.has_perm("workforce.view_surge") and (
        surge.tasks_visible_to(user).filter(community=community).exists()
    )


D30 = datetime.date(2030, 1, 1)
DISTRICT_RULES = {
    "set_assessment_rule": (lambda user, district: services.assessment_rule_create(
        actor=user, district=district, effective_from=D30, **{
            k: v for k, v in defaults.ASSESSMENT_RULE.items() if k != "effective_from"}),
        AssessmentRule),
    "set_surge_rate": (lambda user, district: services.surge_rate_create(
        actor=user, district=district, name="补贴", hourly_fen=2500, source="依据",
        effective_from=D30), SurgeRate),
    "set_career_rule": (lambda user, district: services.career_rule_create(
        actor=user, district=district, name="晋升", min_years_in_post=3, assessments_needed=2,
        training_required=True, source="依据", effective_from=D30), CareerRule),
}  # fmt: skip

WORKER_ACTIONS = {
    "assess": _assess,
    "view_assessments": _view_assessments,
    "record_surge": _record_surge,
    "approve_surge": _approve_surge,
    "view_surge": _view_surge,
    "enrol_worker": _enrol,
    "add_contract": _contract,
    "start_posting": _posting,
    "fix_grade": lambda *a: _posting(*a, grade_fixed=5, grade_reason="套改"),
    "pause_progression": _pause,
    "view_worker": _view,
    "list_workers": _list,
}

test_matrix, test_auditor_writes_nothing = matrix_tests(EXPECTED, READS, attempt)


# ---------------------------------------------------------------- community workers: head or not

# A head keeps their community's records but their own file (they read it; the street or the
# district keeps it: test_leadership); any other community worker sees their own file and
# page, and their community's staffing figures (counts only).
KEEP = {"view_file", "api_file", "in_roster", "api_roster", "keep_file", "enrol",
        "record_surge", "view_surge", "view_staffing"}  # fmt: skip
OWN_ONLY = {"view_file", "api_file", "own_page", "view_staffing"}
CW_EXPECTED = {
    "community_worker:own": {
        "colleague": KEEP,
        "self": KEEP - {"keep_file"} | {"own_page"},
        "next": set(),
    },
    "cw:deputy": {"colleague": KEEP, "self": KEEP - {"keep_file"} | {"own_page"}, "next": set()},
    "cw:worker": {"colleague": {"view_staffing"}, "self": OWN_ONLY, "next": set()},
    "cw:left": {"colleague": {"view_staffing"}, "self": OWN_ONLY, "next": set()},
    "cw:unlinked": {"colleague": {"view_staffing"}, "next": set()},
}
CW_ACTIONS = sorted(KEEP | OWN_ONLY | {"view_pay", "view_assessments", "approve_surge"})
CW_CELLS = [
    (who, action, target)
    for who, targets in CW_EXPECTED.items()
    for target in targets
    for action in CW_ACTIONS
]


def _cw_target(world, who, target) -> Worker:
    own, _other = world
    if target == "self":
        return Worker.objects.get(person__account=own.users[who])
    return _worker(own.communities[0] if target == "colleague" else own.communities[1])


def _api(user, url):
    """The API's answer to ``user`` (a session, as a token would be): (status, JSON)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    response = client.get(url)
    return response.status_code, response.json()


CW_TRIES = {
    "view_file": lambda user, w, label: user.has_perm("workforce.view_worker", w),
    "api_file": lambda user, w, label: _api(user, f"/api/workforce/workers/{w.pk}")[0] == 200,
    "in_roster": lambda user, w, label: _list(user, w.community, w, label),
    "api_roster": lambda user, w, label: any(
        row["id"] == w.pk for row in _api(user, "/api/workforce/workers?page_size=200")[1]["items"]
    ),
    "own_page": lambda user, w, label: user.has_perm("workforce.view_own_record")
    and workers.own_record(user) == w,
    "keep_file": lambda user, w, label: attempt_allowed(
        lambda: services.qualification_add(actor=user, worker=w, level="assistant",
                                           certificate_number="CW-0001",
                                           obtained_on=datetime.date(2022, 6, 1)),
        label=label, counted=[Qualification.objects.all()],
    ),  # fmt: skip
    "enrol": lambda user, w, label: _enrol(user, w.community, w, label),
    "record_surge": lambda user, w, label: _record_surge(user, w.community, w, label),
    "view_surge": lambda user, w, label: _view_surge(user, w.community, w, label),
    "approve_surge": lambda user, w, label: _approve_surge(user, w.community, w, label),
    "view_assessments": lambda user, w, label: _view_assessments(user, w.community, w, label),
    "view_pay": lambda user, w, label: user.has_perm("workforce.view_pay")
    and any(r.row.worker.pk == w.pk
            for r in pay.pay_rows(user, w.community.district, datetime.date(2021, 6, 1))[2]),
    "view_staffing": lambda user, w, label: user.has_perm("workforce.view_staffing")
    and any(row.community.pk == w.community_id
            for row in selectors.staffing(user, w.community.district, datetime.date(2026, 12, 1))[1]),
}  # fmt: skip


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "action", "target"), CW_CELLS, ids=["-".join(c) for c in CW_CELLS])
def test_community_workers(world, who, action, target):
    """Head (正职, 副职) or not × the actions × a colleague's file, their own, the next
    community's worker (same street)."""
    user = world[0].users[who]
    worker = _cw_target(world, who, target)
    allowed = CW_TRIES[action](user, worker, f"{who} {target} {action}")
    assert bool(allowed) is (action in CW_EXPECTED[who][target])
