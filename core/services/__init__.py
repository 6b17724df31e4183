"""Every write in core. Each function checks permission, validates, writes and audits, atomically
(``core.clock.one_write``: one reading of the clock and one transaction per write).

One module per subject; callers use ``from core import services`` and the names below."""

from core.services.calendar import calendar_mark_year_entered, calendar_set_day
from core.services.people import (
    login_failed,
    login_succeeded,
    password_change,
    person_register,
    role_assign,
    role_end,
)
from core.services.places import (
    department_create,
    department_update,
    district_create,
    place_create,
    place_merge,
    place_move,
    place_update,
)
from core.services.second_factor import (
    second_factor_confirm,
    second_factor_enrol,
    second_factor_remove,
    second_factor_verify,
)
from core.services.signup import (
    account_link_approve,
    account_link_refuse,
    account_link_request,
    password_reset,
    reset_code_send,
    resident_signup,
    signup_code_send,
)
from core.services.sms_second_factor import sms_factor_enrol, sms_factor_send, sms_factor_verify
from core.services.tokens import (
    api_token_create,
    api_token_find,
    api_token_revoke,
    notifications_mark_read,
    notify,
    revoke_tokens_of,
)

__all__ = [
    "account_link_approve",
    "account_link_refuse",
    "account_link_request",
    "password_reset",
    "reset_code_send",
    "resident_signup",
    "signup_code_send",
    "sms_factor_enrol",
    "sms_factor_send",
    "sms_factor_verify",
    "api_token_create",
    "api_token_find",
    "api_token_revoke",
    "calendar_mark_year_entered",
    "calendar_set_day",
    "department_create",
    "department_update",
    "district_create",
    "login_failed",
    "login_succeeded",
    "notifications_mark_read",
    "notify",
    "password_change",
    "person_register",
    "place_create",
    "place_merge",
    "place_move",
    "place_update",
    "revoke_tokens_of",
    "role_assign",
    "role_end",
    "second_factor_confirm",
    "second_factor_enrol",
    "second_factor_remove",
    "second_factor_verify",
]
