"""Every role × every deliberation action × own place / other place (core.tests.matrix).

Own targets are the first community (under the first street, where the "own" accounts are);
other targets are a community of the second street, or of the other district for district
roles. Residents act only in their own community; its community workers convene; the street
and auditors read; the district's administrators and coordinators set the rules. A read is
checked in both forms (the queryset and the predicate must agree); a refused write writes
nothing (the audit log and the tables are counted)."""

import datetime

from core import clock
from core.models import Role
from core.testing import ROLE_HOME_LEVEL, attempt_allowed, deny_unless
from core.tests.matrix import matrix_tests
from deliberation import selectors, services
from deliberation.models import Decision, Meeting, Participant, Proposal, Representative, Support
from deliberation.testing import held_meeting, noticed_meeting

R = Role
CW = f"{R.COMMUNITY_WORKER}:own"
WRITERS = {R.COMMUNITY_WORKER}
READERS = {R.COMMUNITY_WORKER, R.STREET_OFFICER, R.AUDITOR}
EXPECTED = {
    "file_proposal": {R.RESIDENT},
    "support": {R.RESIDENT},
    "sign_up": {R.RESIDENT},
    "create_meeting": WRITERS,
    "notice": WRITERS,
    "register": WRITERS,
    "hold": WRITERS,
    "decide": WRITERS,
    "publish": WRITERS,
    "track_decision": WRITERS,
    "adopt_convention": WRITERS,
    "add_representative": WRITERS,
    "schedule_proposal": WRITERS,
    "set_rules": {R.ADMIN, R.COORDINATOR},
    "view_noticed_meeting": READERS | {R.RESIDENT},
    "view_draft_meeting": READERS,
    "view_proposal": READERS | {R.RESIDENT},
    "view_unpublished_decision": READERS,
    "view_published_decision": READERS | {R.RESIDENT},
}
READS = {a for a in EXPECTED if a.startswith("view_")}
COUNTED = [Proposal.objects.all(), Support.objects.all(), Meeting.objects.all(),
           Participant.objects.all(), Decision.objects.all(), Representative.objects.all()]  # fmt: skip


def _target(world, role, side):
    """(district world, community, its worker, a resident of it who files)."""
    own, other = world
    if side == "own":
        return own, own.communities[0], own.users[CW], own.users["r1"]
    if ROLE_HOME_LEVEL[role] == "district":
        return other, other.communities[0], other.users[CW], other.users["r1"]
    return (
        own,
        own.communities[2],
        own.users[f"{R.COMMUNITY_WORKER}:other"],
        own.users[f"{R.RESIDENT}:other"],
    )


def _later():
    return clock.now() + datetime.timedelta(days=30)


def _held(community, worker, filer, kind="hearing"):
    return held_meeting(actor=worker, community=community, people=[filer.person], kind=kind)


def _decided(community, worker, filer, kind="hearing"):
    meeting = _held(community, worker, filer, kind)
    return services.decision_record(actor=worker, meeting=meeting, title="决定", text="内容",
                                    votes_for=1, votes_against=0, votes_abstain=0)  # fmt: skip


def _reps_meeting(d, community, worker, filer):
    if not Representative.objects.filter(community=community, person=filer.person).exists():
        services.representative_add(actor=worker, community=community, person=filer.person,
                                    elected_on=clock.today() - datetime.timedelta(days=30),
                                    term_ends_on=clock.today() + datetime.timedelta(days=900))  # fmt: skip
    reps = [r.person for r in services.representatives_in_office(community.pk, clock.today())]
    meeting = held_meeting(actor=worker, community=community, people=reps, kind="representatives")
    return services.decision_record(actor=worker, meeting=meeting, title="公约", text="公约",
                                    votes_for=len(reps), votes_against=0, votes_abstain=0)  # fmt: skip


def _draft(community, worker):
    meeting = services.meeting_create(actor=worker, community=community, kind="deliberation",
                                      title="议事会", topic="t", venue="v", starts_at=_later())  # fmt: skip
    services.agenda_add(actor=worker, meeting=meeting, title="议题")
    return meeting


def _qualified(d, community, filer):
    proposal = services.proposal_file(actor=filer, community=community, title="提议", text="内容")
    Proposal.objects.filter(pk=proposal.pk).update(state="qualified")
    proposal.refresh_from_db()
    return proposal


def _actions(user, d, community, worker, filer):
    person = filer.person
    newcomer = d.users["r3"].person if community == d.communities[0] else person  # not yet a rep
    return {
        "file_proposal": lambda: services.proposal_file(actor=user, community=community,
                                                        title="提议", text="内容"),
        "support": (lambda: services.proposal_file(actor=filer, community=community, title="提议",
                                                   text="内容"),
                    lambda p: services.proposal_support(actor=user, proposal=p)),
        "sign_up": (lambda: noticed_meeting(actor=worker, community=community),
                    lambda m: services.meeting_sign_up(actor=user, meeting=m)),
        "create_meeting": lambda: services.meeting_create(
            actor=user, community=community, kind="hearing", title="听证", topic="t", venue="v",
            starts_at=_later()),
        "notice": (lambda: _draft(community, worker),
                   lambda m: services.meeting_notice(actor=user, meeting=m)),
        "register": (lambda: noticed_meeting(actor=worker, community=community),
                     lambda m: services.participant_register(actor=user, meeting=m, person=person,
                                                             role="resident")),
        "hold": (lambda: noticed_meeting(actor=worker, community=community),
                 lambda m: services.meeting_hold(actor=user, meeting=m, attended=[],
                                                 minutes="纪要")),
        "decide": (lambda: _held(community, worker, filer),
                   lambda m: services.decision_record(actor=user, meeting=m, title="决定",
                                                      text="内容", votes_for=1, votes_against=0,
                                                      votes_abstain=0)),
        "publish": (lambda: _held(community, worker, filer),
                    lambda m: services.meeting_publish(actor=user, meeting=m)),
        "track_decision": (lambda: _decided(community, worker, filer),
                           lambda x: services.decision_progress(actor=user, decision=x,
                                                                progress=50, text="进展")),
        "adopt_convention": (lambda: _reps_meeting(d, community, worker, filer),
                             lambda x: services.document_adopt(actor=user, decision=x,
                                                               kind="convention", title="居民公约",
                                                               text="条文")),
        "add_representative": lambda: services.representative_add(
            actor=user, community=community, person=newcomer,
            elected_on=clock.today(), term_ends_on=clock.today() + datetime.timedelta(days=900)),
        "schedule_proposal": (lambda: (_qualified(d, community, filer), _draft(community, worker)),
                              lambda pm: services.proposal_schedule(actor=user, proposal=pm[0],
                                                                    meeting=pm[1])),
        "set_rules": lambda: services.support_rule_create(
            actor=user, district=d.district, supports=5, source="测试",
            effective_from=datetime.date(2031, 1, 1)),
    }  # fmt: skip


def _read(user, queryset, perm, label):
    def check(obj):
        listed = queryset.filter(pk=obj.pk).exists()
        assert listed == user.has_perm(perm, obj), f"{label}: queryset and predicate disagree"
        deny_unless(listed)

    return check


def _reads(user, community, worker, filer):
    def published():
        decision = _decided(community, worker, filer)
        services.meeting_publish(actor=worker, meeting=decision.meeting)
        decision.refresh_from_db()
        return decision

    return {
        "view_noticed_meeting": (lambda: noticed_meeting(actor=worker, community=community),
                                 selectors.meetings_visible_to(user), "deliberation.view_meeting"),
        "view_draft_meeting": (lambda: _draft(community, worker),
                               selectors.meetings_visible_to(user), "deliberation.view_meeting"),
        "view_proposal": (lambda: services.proposal_file(actor=filer, community=community,
                                                         title="提议", text="内容"),
                          selectors.proposals_visible_to(user), "deliberation.view_proposal"),
        "view_unpublished_decision": (lambda: _decided(community, worker, filer),
                                      selectors.decisions_visible_to(user),
                                      "deliberation.view_decision"),
        "view_published_decision": (published, selectors.decisions_visible_to(user),
                                    "deliberation.view_decision"),
    }  # fmt: skip


def attempt(world, role, side, action) -> bool:
    own, _other = world
    user = own.users[f"{role}:own"]
    label = f"{role} {side} {action}"
    d, community, worker, filer = _target(world, role, side)
    if action in READS:
        prepare, queryset, perm = _reads(user, community, worker, filer)[action]
        return attempt_allowed(_read(user, queryset, perm, label), prepare=prepare, label=label)
    call = _actions(user, d, community, worker, filer)[action]
    prepare, act = call if isinstance(call, tuple) else (None, call)
    return attempt_allowed(act, prepare=prepare, label=label, counted=COUNTED)


test_matrix, test_auditor_writes_nothing = matrix_tests(EXPECTED, READS, attempt)
