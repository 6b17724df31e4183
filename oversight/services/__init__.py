"""Every write of oversight (callers write ``from oversight import services``)."""

from oversight.services.accountability import (
    DISTINCTIONS,
    case_close,
    case_follow_up,
    case_open,
    case_reply,
    case_viewed,
    rectification_order,
    rectification_report,
    reminder_issue,
    reminder_reply,
    rule_in_force,
    sanction_rule_create,
    sanction_rules_seed,
    tolerance_apply,
    tolerance_judge,
)
from oversight.services.assessment import (
    objection_answer,
    objection_file,
    results_compute,
    scheme_approve,
    scheme_draft,
)
from oversight.services.surveys import survey_answer, survey_rule_create, survey_send

__all__ = [
    "DISTINCTIONS", "case_close", "case_follow_up", "case_open", "case_reply", "case_viewed",
    "objection_answer", "objection_file", "rectification_order", "rectification_report",
    "reminder_issue", "reminder_reply", "results_compute", "rule_in_force", "sanction_rule_create", "sanction_rules_seed",
    "scheme_approve", "scheme_draft", "survey_answer", "survey_rule_create", "survey_send", "tolerance_apply", "tolerance_judge",
]  # fmt: skip
