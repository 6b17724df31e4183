"""Residents' proposals: filed and supported by the community's residents (one support each);
at the threshold of the support rule in force when filed they reach the agenda, where the
community's workers put them on a meeting's agenda or decline them with a reason."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Place
from core.validation import clean_name, clean_text
from core.validation import require_perm as _require
from deliberation.models import AgendaItem, Meeting, Proposal, Support
from deliberation.services.common import (
    community_place,
    convener,
    person_of,
    require_state,
    resident,
    support_rule_in_force,
)

P = Proposal.State


def _locked(proposal: Proposal) -> Proposal:
    return Proposal.objects.select_for_update().select_related("community").get(pk=proposal.pk)


@one_write
def proposal_file(*, actor, community: Place, title: str, text: str) -> Proposal:
    """A resident's proposal, under the support threshold in force today (copied onto it)."""
    community = community_place(community)
    resident(actor, community)
    person = person_of(actor)
    title = clean_name(title, _("标题"))
    text = clean_text(text, _("提议内容"), limit=4000)
    rule = support_rule_in_force(community.district_id, clock.today())
    if rule is None:
        raise ValidationError(_("本区还没有设定议题支持人数规则，暂不能提出提议。"), code="no_rule")
    proposal = Proposal.objects.create(
        district_id=community.district_id, community=community, title=title, text=text,
        proposer=person, rule=rule, threshold=rule.supports,
    )  # fmt: skip
    audit.record(actor=actor, action="deliberation.proposal_file", obj=proposal,
                 changes={"title": title, "threshold": rule.supports})  # fmt: skip
    return proposal


@one_write
def proposal_support(*, actor, proposal: Proposal) -> Proposal:
    """One resident's support; the proposal reaches the agenda at its threshold."""
    proposal = _locked(proposal)
    resident(actor, proposal)
    person = person_of(actor)
    require_state(proposal, P.OPEN, P.QUALIFIED, message=_("这项提议已不再征集支持。"))
    if Support.objects.filter(proposal=proposal, person=person).exists():
        raise ValidationError(_("您已经支持过这项提议，每位居民只能支持一次。"), code="twice")
    Support.objects.create(proposal=proposal, person=person)
    proposal.supports_count += 1
    fields = ["supports_count"]
    if proposal.state == P.OPEN and proposal.supports_count >= proposal.threshold:
        proposal.state, proposal.qualified_at = P.QUALIFIED, clock.now()
        fields += ["state", "qualified_at"]
    proposal.save(update_fields=fields)
    audit.record(actor=actor, action="deliberation.proposal_support", obj=proposal,
                 changes={"supports": proposal.supports_count, "state": proposal.state})  # fmt: skip
    return proposal


@one_write
def proposal_decline(*, actor, proposal: Proposal, reason: str) -> Proposal:
    proposal = _locked(proposal)
    convener(actor, proposal)
    require_state(proposal, P.OPEN, P.QUALIFIED, message=_("这项提议已经处理过了。"))
    proposal.reason = clean_text(reason, _("不予列入的理由"), limit=2000)
    proposal.state = P.DECLINED
    proposal.save(update_fields=["reason", "state"])
    audit.record(actor=actor, action="deliberation.proposal_decline", obj=proposal)
    return proposal


@one_write
def proposal_withdraw(*, actor, proposal: Proposal, reason: str = "") -> Proposal:
    proposal = _locked(proposal)
    _require(actor, "deliberation.withdraw", proposal, _("只有提议人可以撤回提议。"))
    require_state(proposal, P.OPEN, P.QUALIFIED, message=_("这项提议已经处理过了。"))
    proposal.reason = clean_text(reason, _("撤回说明"), required=False, limit=2000)
    proposal.state = P.WITHDRAWN
    proposal.save(update_fields=["reason", "state"])
    audit.record(actor=actor, action="deliberation.proposal_withdraw", obj=proposal)
    return proposal


@one_write
def proposal_schedule(*, actor, proposal: Proposal, meeting: Meeting | None) -> Proposal:
    """Put a proposal that reached its threshold on the agenda of a meeting being prepared."""
    proposal = _locked(proposal)
    convener(actor, proposal)
    if proposal.state == P.OPEN:
        raise ValidationError(
            _("这项提议有%(n)d人支持，未达到列入议题所需的%(need)d人。"),
            params={"n": proposal.supports_count, "need": proposal.threshold}, code="threshold",
        )  # fmt: skip
    require_state(proposal, P.QUALIFIED, message=_("这项提议已经处理过了。"))
    if meeting is None or meeting.community_id != proposal.community_id:
        raise ValidationError(_("请选择本社区的一次会议。"), code="meeting")
    if meeting.state != Meeting.State.DRAFT:
        raise ValidationError(_("会议公告后不能再增加议题。"), code="noticed")
    position = meeting.agenda.count() + 1
    AgendaItem.objects.create(meeting=meeting, position=position, title=proposal.title,
                              proposal=proposal)  # fmt: skip
    proposal.state, proposal.meeting = P.SCHEDULED, meeting
    proposal.save(update_fields=["state", "meeting"])
    audit.record(actor=actor, action="deliberation.proposal_schedule", obj=proposal,
                 changes={"meeting": meeting.pk})  # fmt: skip
    return proposal
