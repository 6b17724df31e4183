"""Every write of deliberation (callers write ``from deliberation import services``)."""

from deliberation.services.decisions import (
    attendance,
    decision_complete,
    decision_drop,
    decision_progress,
    decision_record,
    document_adopt,
)
from deliberation.services.meetings import (
    agenda_add,
    meeting_cancel,
    meeting_create,
    meeting_hold,
    meeting_notice,
    meeting_publish,
    meeting_reschedule,
    meeting_sign_up,
    minutes_edit,
    participant_register,
)
from deliberation.services.proposals import (
    proposal_decline,
    proposal_file,
    proposal_schedule,
    proposal_support,
    proposal_withdraw,
)
from deliberation.services.rules import (
    meeting_rule_create,
    representative_add,
    representative_end,
    representatives_in_office,
    rules_seed,
    support_rule_create,
)

__all__ = [
    "agenda_add", "attendance", "decision_complete", "decision_drop", "decision_progress",
    "decision_record", "document_adopt", "meeting_cancel", "meeting_create", "meeting_hold",
    "meeting_notice", "meeting_reschedule", "meeting_publish", "meeting_rule_create", "meeting_sign_up", "minutes_edit",
    "participant_register", "proposal_decline", "proposal_file", "proposal_schedule",
    "proposal_support", "proposal_withdraw", "representative_add", "representative_end",
    "representatives_in_office", "rules_seed", "support_rule_create",
]  # fmt: skip
