"""Heads cannot raise themselves or others (workforce.rules): 正职 and 副职 posts are given,
changed and ended only by the street for its streets and by the district; nobody keeps their
own file. A matrix of who × what × where, through the services: a refused write raises
PermissionDenied in Chinese and writes nothing (no row, no audit event: attempt_allowed).

Places: the heads' community (第1街道第1社区, "own") and a community of the second street
("other"). Each place holds an ordinary hired colleague (其他), a hired 副职 and an elected 副职
(neither linked to an account). Every account that acts is on file itself (the office roles
too, as hired 其他 in the street they serve), so "edit own file" is tried for every role.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from core.models import AuditEvent, Person, Role
from core.testing import attempt_allowed
from core.tests.matrix import two_districts
from core.tests.modules import rolled_back_after
from workforce import services
from workforce.models import Contract, Leave, Posting, Qualification, Term, Worker
from workforce.rules import forget_standing
from workforce.tests.conftest import new_on_file, on_file

D = datetime.date
ACTORS = {
    "admin": "admin:own",
    "coordinator": "coordinator:own",
    "coordinator_other_district": "coordinator:elsewhere",
    "street_own": "street_officer:own",
    "street_other": "street_officer:other",
    "head_chief": "community_worker:own",
    "head_deputy": "cw:deputy",
    "worker": "cw:worker",
    "auditor": "auditor:own",
}
# Where each office account is on file itself (a hired 其他), for "edit own file".
OFFICE_FILES = {"admin:own": 0, "coordinator:own": 0, "street_officer:own": 0,
                "street_officer:other": 2, "auditor:own": 0, "coordinator:elsewhere": 1}  # fmt: skip


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker):
        own, elsewhere = two_districts()
        services.grade_schemes_seed(actor=own.root, district=own.district)
        own.users["coordinator:elsewhere"] = elsewhere.users["coordinator:own"]
        for index in (0, 2):
            community = own.communities[index]
            _staff(own, community)
        community = own.communities[0]
        on_file(own, own.users["community_worker:own"], community)
        own.users["cw:deputy"] = new_on_file(own, community, username="cw-deputy", post="deputy")
        own.users["cw:worker"] = new_on_file(own, community, username="cw-worker", post="other")
        for key, index in OFFICE_FILES.items():
            _hire(own, own.communities[index], f"本人{key}", person=own.users[key].person)
        yield own


def _hire(d, community, name, *, post="other", person=None):
    return services.worker_enrol(
        actor=d.root, community=community, name=name, person=person, kind="hired",
        education="bachelor", service_start=D(2016, 1, 1), post=post,
        title="居委会副主任" if post == "deputy" else "社区专职工作者",
        starts_on=D(2020, 1, 1), contract_ends_on=D(2030, 12, 31),
    )  # fmt: skip


def _staff(d, community):
    _hire(d, community, f"普通{community.code}")
    _hire(d, community, f"副职聘用{community.code}", post="deputy")
    services.worker_enrol(
        actor=d.root, community=community, name=f"副职选任{community.code}", kind="elected",
        education="bachelor", service_start=D(2015, 1, 1), post="deputy", title="居委会副主任",
        starts_on=D(2021, 1, 1), body="committee", term_ends_on=D(2031, 12, 31),
    )  # fmt: skip


def _named(prefix, community) -> Worker:
    return Worker.objects.get(community=community, person__name=f"{prefix}{community.code}")


COUNTED = [Worker.objects.all(), Person.objects.all(), Posting.objects.all(), Contract.objects.all(),
           Term.objects.all(), Leave.objects.all(), Qualification.objects.all()]  # fmt: skip


def _grant_leadership(user, community):
    worker = _named("普通", community)
    return lambda: services.posting_start(
        actor=user, worker=worker, post="deputy", title="居委会副主任", starts_on=D(2024, 1, 1)
    )


def _enrol_leader(user, community):
    return lambda: services.worker_enrol(
        actor=user, community=community, name="新任书记", kind="elected", education="master",
        service_start=D(2018, 1, 1), post="chief", title="社区党组织书记",
        starts_on=D(2024, 1, 1), body="party", term_ends_on=D(2029, 12, 31),
    )  # fmt: skip


def _end_leadership_post(user, community):
    worker = _named("副职聘用", community)
    return lambda: services.posting_start(
        actor=user, worker=worker, post="other", title="网格员", starts_on=D(2024, 1, 1)
    )


def _exit_leader(user, community):
    contract = _named("副职聘用", community).contracts.get()
    return lambda: services.contract_exit(
        actor=user, contract=contract, exited_on=D(2024, 6, 30), reason="resigned"
    )


def _end_leader_term(user, community):
    term = _named("副职选任", community).terms.get()
    return lambda: services.term_end(actor=user, term=term, ended_on=D(2024, 6, 30))


def _grant_ordinary(user, community):
    worker = _named("普通", community)
    return lambda: services.posting_start(
        actor=user, worker=worker, post="member", title="居委会委员", starts_on=D(2024, 1, 1)
    )


def _enrol_ordinary(user, community):
    return lambda: services.worker_enrol(
        actor=user, community=community, name="新网格员", kind="hired", education="college",
        service_start=D(2024, 1, 1), post="other", title="网格员", starts_on=D(2024, 1, 1),
    )  # fmt: skip


def _edit_colleague(user, community):
    worker = _named("普通", community)
    return lambda: services.leave_add(
        actor=user, worker=worker, kind="personal", starts_on=D(2024, 5, 6), ends_on=D(2024, 5, 8)
    )


def _leave_for_leader(user, community):
    """Leave on a 副职 colleague's file: a record, not their post (a head may keep it)."""
    worker = _named("副职聘用", community)
    return lambda: services.leave_add(
        actor=user, worker=worker, kind="personal", starts_on=D(2024, 5, 6), ends_on=D(2024, 5, 8)
    )


ACTIONS = {
    "grant_leadership": _grant_leadership,
    "enrol_leader": _enrol_leader,
    "end_leadership_post": _end_leadership_post,
    "exit_leader": _exit_leader,
    "end_leader_term": _end_leader_term,
    "grant_ordinary": _grant_ordinary,
    "enrol_ordinary": _enrol_ordinary,
    "edit_colleague": _edit_colleague,
    "leave_for_leader": _leave_for_leader,
}
LEADERSHIP = {"grant_leadership", "enrol_leader", "end_leadership_post", "exit_leader",
              "end_leader_term"}  # fmt: skip
OFFICE_PLACES = {"admin": {"own", "other"}, "coordinator": {"own", "other"},
                 "coordinator_other_district": set(), "street_own": {"own"},
                 "street_other": {"other"}}  # fmt: skip
HEADS = {"head_chief", "head_deputy"}


def expected(role, action, place) -> bool:
    if role in OFFICE_PLACES:
        return place in OFFICE_PLACES[role]
    return role in HEADS and place == "own" and action not in LEADERSHIP


CELLS = [(r, a, p) for r in ACTORS for a in ACTIONS for p in ("own", "other")]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "action", "place"), CELLS, ids=["-".join(c) for c in CELLS])
def test_leadership_matrix(world, role, action, place):
    user = world.users[ACTORS[role]]
    forget_standing(user)
    community = world.communities[0 if place == "own" else 2]
    allowed = attempt_allowed(ACTIONS[action](user, community), label=f"{role} {action} {place}",
                              counted=COUNTED)  # fmt: skip
    assert allowed is expected(role, action, place)


OWN_EDITS = {
    "qualification": lambda user, w: services.qualification_add(
        actor=user, worker=w, level="assistant", certificate_number="OWN-0001",
        obtained_on=D(2022, 6, 1)),
    "leave": lambda user, w: services.leave_add(
        actor=user, worker=w, kind="personal", starts_on=D(2024, 5, 6), ends_on=D(2024, 5, 8)),
    "contract": lambda user, w: services.contract_add(
        actor=user, worker=w, starts_on=D(2031, 1, 1)),
    "term": lambda user, w: services.term_add(
        actor=user, worker=w, body="party", office="委员", starts_on=D(2032, 1, 1),
        ends_on=D(2036, 12, 31)),
    "ordinary_post": lambda user, w: services.posting_start(
        actor=user, worker=w, post="other", title="网格员", starts_on=D(2024, 1, 1)),
    "pause": lambda user, w: services.progression_pause_record(
        actor=user, worker=w, year=2020, reason="不称职"),
}  # fmt: skip
OWN_CELLS = [(r, e) for r in ACTORS for e in OWN_EDITS]


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "edit"), OWN_CELLS, ids=["-".join(c) for c in OWN_CELLS])
def test_nobody_edits_their_own_file(world, role, edit):
    """Every role, heads and the district included, is refused on their own file."""
    user = world.users[ACTORS[role]]
    forget_standing(user)
    mine = Worker.objects.get(person__account=user)
    allowed = attempt_allowed(lambda: OWN_EDITS[edit](user, mine), label=f"{role} own {edit}",
                              counted=COUNTED + [mine.pauses.all()])  # fmt: skip
    assert allowed is False


@pytest.mark.django_db
def test_the_refusals_say_why_in_chinese(world):
    head = world.users["cw:deputy"]
    forget_standing(head)
    community = world.communities[0]
    mine = Worker.objects.get(person__account=head)
    events = AuditEvent.objects.count()
    cases = [
        (_grant_leadership(head, community), "正职、副职岗位由街道或区里任免"),
        (_enrol_leader(head, community), "正职、副职岗位由街道或区里任免"),
        (_end_leadership_post(head, community), "现任正职或副职，其岗位变动、离职和提前离任由街道或区里办理"),
        (_exit_leader(head, community), "现任正职或副职"),
        (_end_leader_term(head, community), "现任正职或副职"),
        (lambda: OWN_EDITS["leave"](head, mine), "本人的档案由街道或区里登记"),
        (lambda: services.posting_start(actor=head, worker=mine, post="chief", title="书记",
                                        starts_on=D(2024, 1, 1)), "本人的档案由街道或区里登记"),
    ]  # fmt: skip
    for call, words in cases:
        with pytest.raises(PermissionDenied) as refused:
            call()
        assert words in str(refused.value)
    assert AuditEvent.objects.count() == events
    assert mine.postings.get().post == "deputy"


@pytest.mark.django_db
def test_nobody_enrols_themselves(world):
    """A street officer not yet on file cannot enrol themselves (even as 其他)."""
    from core import services as core_services

    officer = core_services.person_register(
        actor=world.root, place=world.streets[0], name="新街道干部", username="street-new",
        password="x-Linli-2026-x", password_is_temporary=False, role=Role.STREET_OFFICER,
    ).account  # fmt: skip
    call = lambda: services.worker_enrol(  # noqa: E731
        actor=officer, community=world.communities[0], person=officer.person, kind="hired",
        education="bachelor", service_start=D(2016, 1, 1), post="other", title="网格员",
        starts_on=D(2020, 1, 1),
    )  # fmt: skip
    with pytest.raises(PermissionDenied, match="不能为本人登记"):
        call()
    assert attempt_allowed(call, label="enrol self", counted=COUNTED) is False


@pytest.mark.django_db
def test_a_former_deputy_is_an_ordinary_colleague_again(world):
    """Once the street has ended a colleague's 副职 post, the head records their ordinary posts;
    until then the head is refused and nothing is written."""
    community = world.communities[0]
    colleague = _named("副职聘用", community)
    head = world.users["community_worker:own"]
    forget_standing(head)
    postings = Posting.objects.count()
    with pytest.raises(PermissionDenied, match="现任正职或副职"):
        services.posting_start(actor=head, worker=colleague, post="member", title="居委会委员",
                               starts_on=D(2024, 1, 1))  # fmt: skip
    assert Posting.objects.count() == postings
    services.posting_start(actor=world.users["street_officer:own"], worker=colleague,
                           post="other", title="社区专职工作者", starts_on=D(2024, 1, 1))  # fmt: skip
    posting = services.posting_start(actor=head, worker=colleague, post="member",
                                     title="居委会委员", starts_on=D(2025, 1, 1))  # fmt: skip
    assert posting.post == "member" and posting.created_by == head
