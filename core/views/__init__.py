"""Core pages. Thin: parse the form, call a service, show the result or the refusal
(core.refusals). One module per subject; core/urls.py uses the names below."""

from core.views.account import (
    LoginView,
    account,
    calendar_page,
    healthz,
    notifications,
    notifications_read_all,
    second_factor,
)
from core.views.audit import audit_export, audit_log, with_audit_of_export
from core.views.people import my_data_access, person_detail, person_list, person_register
from core.views.places import department_list, place_detail, place_list, raise_not_found

__all__ = [
    "LoginView",
    "account",
    "audit_export",
    "audit_log",
    "calendar_page",
    "department_list",
    "healthz",
    "my_data_access",
    "notifications",
    "notifications_read_all",
    "person_detail",
    "person_list",
    "person_register",
    "place_detail",
    "place_list",
    "raise_not_found",
    "second_factor",
    "with_audit_of_export",
]
