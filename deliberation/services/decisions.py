"""Decisions of a held meeting — counted only with its quorum present, passed by the rule's
share of those present — tracked to completion (status, progress %, updates) and, from a
居民代表会议, the residents' conventions and rules of procedure they adopt as new versions."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.clock import one_write
from core.validation import clean_int, clean_name, clean_text
from deliberation.models import (
    AgendaItem,
    Decision,
    DecisionUpdate,
    Document,
    DocumentVersion,
    Meeting,
    MeetingKind,
    ParticipantRole,
)
from deliberation.services.common import convener, require_state, share_met, share_text
from deliberation.services.meetings import locked
from deliberation.services.rules import representatives_in_office

D = Decision.Status
OPEN = (D.PLANNED, D.IN_PROGRESS)


def attendance(meeting: Meeting) -> tuple[int, int]:
    """(present, base) for the quorum: for a 居民代表会议 the representatives present of those in
    office on the day; for the others, the participants present of those registered."""
    if meeting.kind == MeetingKind.REPRESENTATIVES:
        day = timezone.localtime(meeting.starts_at).date()
        base = representatives_in_office(meeting.community_id, day).count()
        present = meeting.participants.filter(
            attended=True, role=ParticipantRole.REPRESENTATIVE
        ).count()
        return present, base
    return meeting.participants.filter(attended=True).count(), meeting.participants.count()


def _quorum(meeting: Meeting) -> tuple[int, int]:
    present, base = attendance(meeting)
    share = meeting.terms["quorum"]
    if not share_met(present, base, share):
        raise ValidationError(
            _("按规则（%(source)s），%(kind)s须有应到人数的%(share)s到会，决定才有效：应到%(base)d人，"
              "实到%(present)d人，不足法定人数，不能登记决定。"),
            params={"source": meeting.terms.get("source", ""), "kind": MeetingKind(meeting.kind).label,
                    "share": share_text(share), "base": base, "present": present},
            code="no_quorum",
        )  # fmt: skip
    return present, base


def _votes(votes_for, votes_against, votes_abstain, present: int) -> tuple[int, int, int]:
    cast = (
        clean_int(votes_for, _("赞成票"), 0, 100000),
        clean_int(votes_against, _("反对票"), 0, 100000),
        clean_int(votes_abstain, _("弃权票"), 0, 100000),
    )
    if sum(cast) > present:
        raise ValidationError(_("赞成、反对、弃权共%(sum)d票，多于到会的%(present)d人。"),
                              params={"sum": sum(cast), "present": present}, code="votes")  # fmt: skip
    return cast


@one_write
def decision_record(
    *, actor, meeting: Meeting, title: str, text: str, votes_for, votes_against, votes_abstain,
    agenda_item: AgendaItem | None = None,
) -> Decision:  # fmt: skip
    """A decision of a held meeting: refused without the quorum of its rule; passed when the
    votes for reach the rule's share of those present (else recorded as not passed)."""
    meeting = locked(meeting)
    convener(actor, meeting)
    if meeting.state == Meeting.State.PUBLISHED:
        raise ValidationError(_("会议纪要和决定已经公布，不能再增加决定。"), code="published")
    require_state(meeting, Meeting.State.HELD, message=_("会议召开后才能登记决定。"))
    if agenda_item is not None and agenda_item.meeting_id != meeting.pk:
        raise ValidationError(_("所选议题不是本次会议的议题。"), code="agenda_item")
    present, base = _quorum(meeting)
    cast = _votes(votes_for, votes_against, votes_abstain, present)
    passed = share_met(cast[0], present, meeting.terms["passing"])
    decision = Decision.objects.create(
        district_id=meeting.district_id, community_id=meeting.community_id, meeting=meeting,
        agenda_item=agenda_item, title=clean_name(title, _("决定事项")),
        text=clean_text(text, _("决定内容"), limit=8000), votes_for=cast[0],
        votes_against=cast[1], votes_abstain=cast[2], present=present, base=base,
        status=D.PLANNED if passed else D.REJECTED, decided_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="deliberation.decision_record", obj=decision,
                 changes={"votes": list(cast), "present": present, "base": base,
                          "passed": passed})  # fmt: skip
    return decision


def _locked(decision: Decision) -> Decision:
    return Decision.objects.select_for_update().select_related("meeting").get(pk=decision.pk)


def _update(actor, decision: Decision, status: str, progress: int, text: str) -> Decision:
    decision.status, decision.progress = status, progress
    decision.save(update_fields=["status", "progress", "updated_at"])
    DecisionUpdate.objects.create(decision=decision, status=status, progress=progress, text=text,
                                  by=actor)  # fmt: skip
    audit.record(actor=actor, action="deliberation.decision_update", obj=decision,
                 changes={"status": status, "progress": progress})  # fmt: skip
    return decision


@one_write
def decision_progress(*, actor, decision: Decision, progress, text: str) -> Decision:
    """How far the decision is carried out (0–99 %; 100 % is completing it)."""
    decision = _locked(decision)
    convener(actor, decision)
    require_state(decision, *OPEN, message=_("只有待实施或实施中的决定可以更新进度。"))
    progress = clean_int(progress, _("进度（%）"), 0, 99)
    text = clean_text(text, _("进展情况"), limit=2000)
    return _update(actor, decision, D.IN_PROGRESS, progress, text)


@one_write
def decision_complete(*, actor, decision: Decision, text: str) -> Decision:
    decision = _locked(decision)
    convener(actor, decision)
    require_state(decision, *OPEN, message=_("只有待实施或实施中的决定可以办结。"))
    return _update(actor, decision, D.DONE, 100, clean_text(text, _("完成情况"), limit=2000))


@one_write
def decision_drop(*, actor, decision: Decision, text: str) -> Decision:
    decision = _locked(decision)
    convener(actor, decision)
    require_state(decision, *OPEN, message=_("只有待实施或实施中的决定可以说明未能实施。"))
    text = clean_text(text, _("未能实施的原因"), limit=2000)
    return _update(actor, decision, D.DROPPED, decision.progress, text)


@one_write
def document_adopt(
    *, actor, decision: Decision, kind: str, title: str, text: str
) -> DocumentVersion:
    """A residents' convention or rules of procedure, adopted (a new version) by a decision
    that passed at a 居民代表会议 (组织法 art. 15: conventions are the residents' meeting's)."""
    decision = _locked(decision)
    convener(actor, decision)
    if kind not in Document.Kind.values:
        raise ValidationError(_("请选择居民公约或议事规则。"), code="kind")
    if decision.meeting.kind != MeetingKind.REPRESENTATIVES:
        raise ValidationError(
            _("居民公约和议事规则须由居民代表会议讨论通过。"), code="meeting_kind"
        )
    if not decision.passed:
        raise ValidationError(_("这项决定未获通过，不能据此通过公约或规则。"), code="rejected")
    if DocumentVersion.objects.filter(decision=decision).exists():
        raise ValidationError(_("这项决定已经通过了一份公约或规则。"), code="duplicate")
    title = clean_name(title, _("名称"))
    text = clean_text(text, _("条文"), limit=20000)
    document, _created = Document.objects.get_or_create(
        community_id=decision.community_id, kind=kind, title=title,
        defaults={"district_id": decision.district_id},
    )  # fmt: skip
    last = document.versions.order_by("-number").first()
    version = DocumentVersion.objects.create(
        document=document, number=(last.number + 1) if last else 1, text=text, decision=decision,
        adopted_on=timezone.localtime(decision.meeting.held_at or decision.decided_at).date(),
        created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="deliberation.document_adopt", obj=document,
                 changes={"kind": kind, "version": version.number, "decision": decision.pk})  # fmt: skip
    return version
