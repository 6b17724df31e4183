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
from core.views.signup import account_link, account_links, password_reset, signup

__all__ = [
    "LoginView",
    "account",
    "account_link",
    "account_links",
    "audit_export",
    "audit_log",
    "calendar_page",
    "department_list",
    "healthz",
    "my_data_access",
    "notifications",
    "notifications_read_all",
    "password_reset",
    "person_detail",
    "person_list",
    "person_register",
    "place_detail",
    "place_list",
    "raise_not_found",
    "second_factor",
    "signup",
    "with_audit_of_export",
]
