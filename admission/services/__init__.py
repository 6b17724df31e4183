"""Every write of the admission gate. Keyword-only, atomic, permission-checked, audited.

A package by job: the lists (``lists``), the review settings (``policy``), the automatic checks
of an application (``checks``), requests from the department's side and the coordinator's
preparation (``requests``), the joint meeting's decisions and the admitted catalogue
(``decisions``), certificates (``certificates``). Everything is re-exported here, so callers
keep writing ``from admission import services`` and ``services.request_submit(...)``.
"""

from admission.services._common import local_today
from admission.services.caps import (
    DEFAULT_CAPS,
    cap_in_force,
    cap_set,
    caps_in_force,
    clean_criteria,
)
from admission.services.certificates import certificate_answer
from admission.services.checks import (
    MAX_FORM_FIELDS,
    OVERLAP_THRESHOLD,
    TASK_MATCH,
    TASK_REFUSE_BELOW,
    bigrams,
    check_application,
    clean_form_fields,
    field_key,
    form_overlaps,
    negative_match,
    normalise,
    similarity,
    task_match,
)
from admission.services.decisions import (
    MIN_MEETING_ATTENDEES,
    MIN_MEETING_DEPARTMENTS,
    Decision,
    item_is_usable,
    item_withdraw,
    meeting_record,
    request_decide,
)
from admission.services.form_gate import form_item_check, form_link
from admission.services.inspections import (
    inspection_rate,
    inspection_record,
    plan_approve,
    plan_file,
)
from admission.services.lists import (
    KEY_PATTERN,
    entries_in_force,
    list_draft_start,
    list_entry_remove,
    list_entry_save,
    list_publish,
    lists_seed,
    version_in_force,
)
from admission.services.policy import DEFAULT_REVIEW_WORKING_DAYS, policy_set, review_working_days
from admission.services.requests import (
    request_amend,
    request_appeal,
    request_prepare,
    request_submit,
    request_withdraw,
)
from admission.services.sent_down import sent_down_register

__all__ = [
    "DEFAULT_CAPS",
    "cap_in_force",
    "cap_set",
    "caps_in_force",
    "clean_criteria",
    "inspection_rate",
    "inspection_record",
    "plan_approve",
    "plan_file",
    "sent_down_register",
    "DEFAULT_REVIEW_WORKING_DAYS",
    "KEY_PATTERN",
    "MAX_FORM_FIELDS",
    "MIN_MEETING_ATTENDEES",
    "MIN_MEETING_DEPARTMENTS",
    "OVERLAP_THRESHOLD",
    "TASK_MATCH",
    "TASK_REFUSE_BELOW",
    "Decision",
    "bigrams",
    "certificate_answer",
    "check_application",
    "clean_form_fields",
    "entries_in_force",
    "form_item_check",
    "form_link",
    "field_key",
    "form_overlaps",
    "item_is_usable",
    "item_withdraw",
    "list_draft_start",
    "list_entry_remove",
    "list_entry_save",
    "list_publish",
    "lists_seed",
    "local_today",
    "meeting_record",
    "negative_match",
    "normalise",
    "policy_set",
    "request_amend",
    "request_appeal",
    "request_decide",
    "request_prepare",
    "request_submit",
    "request_withdraw",
    "review_working_days",
    "similarity",
    "task_match",
    "version_in_force",
]
