"""Helpers the civic services share."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.validation import (
    clean_text,  # noqa: F401 - re-exported for the modules
    require_perm,
)


def require(actor, perm: str, obj, message: str) -> None:
    require_perm(actor, perm, obj, message)


def choice(value, choices, label: str) -> str:
    if value not in choices.values:
        raise ValidationError(_("请选择%(label)s。"), params={"label": label}, code="choice")
    return value


def count(value, label: str, high: int = 10_000_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
        raise ValidationError(
            _("%(label)s应为0到%(high)d之间的整数。"), params={"label": label, "high": high},
            code="count",
        )  # fmt: skip
    return value
