"""The rules of deliberation, each broken once: refused with a Chinese message naming the rule,
and nothing written (rows and audit events counted before and after)."""

import datetime
from contextlib import contextmanager

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from channel.models import Post
from core import clock
from core.models import AuditEvent, Role
from deliberation import services
from deliberation.models import (
    Decision,
    DecisionUpdate,
    DocumentVersion,
    Meeting,
    MeetingKind,
    Participant,
    Proposal,
    Support,
)
from deliberation.testing import held_meeting, noticed_meeting

pytestmark = pytest.mark.django_db
TABLES = [AuditEvent, Proposal, Support, Meeting, Participant, Decision, DecisionUpdate,
          DocumentVersion]  # fmt: skip


def _counts():
    return [m.objects.count() for m in TABLES]


@contextmanager
def refused(*words, error=ValidationError):
    before = _counts()
    with pytest.raises(error) as caught:
        yield caught
    text = " ".join(caught.value.messages) if error is ValidationError else str(caught.value)
    for word in words:
        assert word in text, text
    assert _counts() == before, "a refused write wrote something"


def _own(world):
    d = world[0]
    return d, d.communities[0], d.users[f"{Role.COMMUNITY_WORKER}:own"]


def test_a_resident_supports_once_and_the_threshold_puts_a_proposal_on_the_agenda(world):
    d, community, worker = _own(world)
    services.support_rule_create(actor=d.users[f"{Role.COORDINATOR}:own"], district=d.district,
                                 supports=2, source="街道议事规则第5条", effective_from=clock.today())  # fmt: skip
    proposal = services.proposal_file(actor=d.users["r1"], community=community,
                                      title="加装电梯", text="3幢加装电梯")  # fmt: skip
    assert proposal.threshold == 2
    services.proposal_support(actor=d.users["r1"], proposal=proposal)
    with refused("只能支持一次"):
        services.proposal_support(actor=d.users["r1"], proposal=proposal)
    draft = services.meeting_create(
        actor=worker, community=community, kind="deliberation", title="议事会", topic="电梯",
        venue="议事厅", starts_at=clock.now() + datetime.timedelta(days=9),
    )  # fmt: skip
    with refused("未达到列入议题所需的2人"):
        services.proposal_schedule(actor=worker, proposal=proposal, meeting=draft)
    proposal = services.proposal_support(actor=d.users["r2"], proposal=proposal)
    assert (proposal.state, proposal.supports_count) == ("qualified", 2)
    with refused("只有本社区的居民", error=PermissionDenied):
        services.proposal_support(actor=world[1].users["r3"], proposal=proposal)
    proposal = services.proposal_schedule(actor=worker, proposal=proposal, meeting=draft)
    assert proposal.state == "scheduled"
    assert list(draft.agenda.values_list("title", flat=True)) == ["加装电梯"]


def test_a_hearing_cannot_be_announced_inside_its_notice_period(world):
    d, community, worker = _own(world)
    meeting = services.meeting_create(
        actor=worker, community=community, kind=MeetingKind.HEARING, title="听证会",
        topic="停车收费", venue="议事厅", starts_at=clock.now() + datetime.timedelta(days=3),
    )  # fmt: skip
    with refused("请先列出会议议题"):
        services.meeting_notice(actor=worker, meeting=meeting)
    services.agenda_add(actor=worker, meeting=meeting, title="收费标准")
    with refused("听证会须提前7天公告", "本区默认设置"):
        services.meeting_notice(actor=worker, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.state == "draft" and meeting.noticed_at is None
    meeting.starts_at = clock.now() + datetime.timedelta(days=8)
    meeting.save()
    services.meeting_notice(actor=worker, meeting=meeting)
    meeting.refresh_from_db()
    assert meeting.state == "noticed" and meeting.terms["notice_days"] == 7
    with refused("尚未到公告的召开时间"):
        services.meeting_hold(actor=worker, meeting=meeting, attended=[], minutes="纪要")


def test_a_representatives_meeting_decides_only_with_its_quorum(world):
    d, community, worker = _own(world)
    reps = [d.users[k].person for k in ("r1", "r2", f"{Role.RESIDENT}:own")]
    short = held_meeting(actor=worker, community=community, people=reps,
                         kind=MeetingKind.REPRESENTATIVES, present=1)  # fmt: skip
    with refused("三分之二以上到会", "应到3人", "实到1人", "组织法"):
        services.decision_record(actor=worker, meeting=short, title="公约修订", text="修订",
                                 votes_for=1, votes_against=0, votes_abstain=0)  # fmt: skip
    full = held_meeting(actor=worker, community=community, people=reps,
                        kind=MeetingKind.REPRESENTATIVES, present=2)  # fmt: skip
    with refused("多于到会的2人"):
        services.decision_record(actor=worker, meeting=full, title="公约修订", text="修订",
                                 votes_for=2, votes_against=1, votes_abstain=0)  # fmt: skip
    rejected = services.decision_record(actor=worker, meeting=full, title="甲", text="甲",
                                        votes_for=1, votes_against=1, votes_abstain=0)  # fmt: skip
    assert rejected.status == "rejected"  # one of two is not more than half
    passed = services.decision_record(actor=worker, meeting=full, title="居民公约", text="公约",
                                      votes_for=2, votes_against=0, votes_abstain=0)  # fmt: skip
    assert (passed.status, passed.present, passed.base) == ("planned", 2, 3)
    with refused("未获通过"):
        services.document_adopt(actor=worker, decision=rejected, kind="convention",
                                title="居民公约", text="第一条")  # fmt: skip
    v1 = services.document_adopt(actor=worker, decision=passed, kind="convention",
                                 title="居民公约", text="第一条 爱护环境")  # fmt: skip
    assert v1.number == 1
    with refused("已经通过了一份"):
        services.document_adopt(actor=worker, decision=passed, kind="convention",
                                title="居民公约", text="第一条")  # fmt: skip
    again = services.decision_record(actor=worker, meeting=full, title="修订公约", text="修订",
                                     votes_for=2, votes_against=0, votes_abstain=0)  # fmt: skip
    v2 = services.document_adopt(actor=worker, decision=again, kind="convention",
                                 title="居民公约", text="第一条 爱护环境；第二条 文明养犬")  # fmt: skip
    assert (v2.number, v2.document_id) == (2, v1.document_id)


def test_a_hearing_decision_is_published_and_tracked_and_its_minutes_stay_as_published(world):
    d, community, worker = _own(world)
    people = [d.users[k].person for k in ("r1", "r2", "r3")]
    meeting = held_meeting(actor=worker, community=community, people=people, present=2)
    decision = services.decision_record(actor=worker, meeting=meeting, title="调整停车收费",
                                        text="每月150元", votes_for=2, votes_against=0,
                                        votes_abstain=0)  # fmt: skip
    nobody = held_meeting(actor=worker, community=community, people=people, present=0)
    with refused("过半数到会", "应到3人", "实到0人", "不能登记决定"):
        services.decision_record(actor=worker, meeting=nobody, title="x", text="x",
                                 votes_for=0, votes_against=0, votes_abstain=0)  # fmt: skip
    services.minutes_edit(actor=worker, meeting=meeting, minutes="纪要（修改）")
    services.meeting_publish(actor=worker, meeting=meeting)
    decision.refresh_from_db()
    assert decision.published_at is not None
    # Published in the community channel too (h2's channel app), once, readable by anyone.
    post = Post.objects.get(source=f"deliberation.decision:{decision.pk}")
    assert (post.community_id, post.kind, post.state) == (community.pk, "deliberation_result",
                                                          "published")  # fmt: skip
    assert "调整停车收费" in post.title and "赞成2" in post.body
    with refused("已经公布，不能再修改"):
        services.minutes_edit(actor=worker, meeting=meeting, minutes="改写")
    with refused("已经公布，不能再增加决定"):
        services.decision_record(actor=worker, meeting=meeting, title="x", text="x",
                                 votes_for=1, votes_against=0, votes_abstain=0)  # fmt: skip
    with refused("进度（%）应在0至99之间"):
        services.decision_progress(actor=worker, decision=decision, progress=100, text="完成")
    services.decision_progress(actor=worker, decision=decision, progress=40, text="已公示")
    done = services.decision_complete(actor=worker, decision=decision, text="已执行新标准")
    assert (done.status, done.progress, done.updates.count()) == ("done", 100, 2)
    with refused("只有待实施或实施中的决定"):
        services.decision_progress(actor=worker, decision=decision, progress=10, text="x")


def test_residents_register_once_and_only_for_announced_meetings(world):
    d, community, worker = _own(world)
    meeting = noticed_meeting(actor=worker, community=community)
    services.meeting_sign_up(actor=d.users["r3"], meeting=meeting)
    with refused("已经报名"):
        services.meeting_sign_up(actor=d.users["r3"], meeting=meeting)
    with refused("只有本社区的居民", error=PermissionDenied):
        services.meeting_sign_up(actor=world[1].users["r3"], meeting=meeting)
    with refused("不是本社区的居民代表"):
        services.participant_register(actor=worker, meeting=meeting, person=d.users["r3"].person,
                                      role="representative")  # fmt: skip
    rep = services.meeting_sign_up(actor=d.users["r1"], meeting=meeting)
    assert rep.role == "representative"
    with refused("须是本社区的居民"):
        services.participant_register(actor=worker, meeting=meeting,
                                      person=world[1].users["r1"].person, role="resident")  # fmt: skip
    with refused("到会人员须是本次会议已登记的参会人员"):
        services.meeting_hold(actor=worker, meeting=meeting, attended=[rep.pk + 10**6],
                              minutes="纪要")  # fmt: skip


def test_the_rules_are_rows_with_their_source(world):
    d = world[0]
    coordinator = d.users[f"{Role.COORDINATOR}:own"]
    with refused("分子应大于0且不大于分母"):
        services.meeting_rule_create(actor=coordinator, district=d.district, kind="hearing",
                                     notice_days=10, quorum=(3, 2, True), passing=(1, 2, False),
                                     source="x", effective_from=clock.today())  # fmt: skip
    with refused("政策依据不能为空"):
        services.meeting_rule_create(actor=coordinator, district=d.district, kind="hearing",
                                     notice_days=10, quorum=(1, 2, True), passing=(1, 2, False),
                                     source=" ", effective_from=clock.today())  # fmt: skip
    rule = services.meeting_rule_create(
        actor=coordinator, district=d.district, kind="hearing", notice_days=10,
        quorum=(1, 2, True), passing=(2, 3, True), source="区听证办法第8条",
        effective_from=clock.today(),
    )  # fmt: skip
    worker = d.users[f"{Role.COMMUNITY_WORKER}:own"]
    meeting = services.meeting_create(
        actor=worker, community=d.communities[0], kind="hearing", title="听证", topic="t",
        venue="v", starts_at=clock.now() + datetime.timedelta(days=8),
    )  # fmt: skip
    services.agenda_add(actor=worker, meeting=meeting, title="a")
    with refused("须提前10天公告", "区听证办法第8条"):
        services.meeting_notice(actor=worker, meeting=meeting)
    assert rule.pk
