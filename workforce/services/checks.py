"""Checks the workforce services share: dates, choices, a worker's place and its permission."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import clock
from core.validation import require_perm

EARLIEST = datetime.date(1950, 1, 1)


def a_date(value, label: str, *, required: bool = True, not_future: bool = False):
    if value in (None, "") and not required:
        return None
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise ValidationError(_("请填写%(label)s。"), params={"label": label}, code="date")
    if value < EARLIEST:
        raise ValidationError(_("%(label)s不能早于1950年。"), params={"label": label}, code="date")
    if not_future and value > clock.today():
        raise ValidationError(
            _("%(label)s不能晚于今天。"), params={"label": label}, code="future_date"
        )
    return value


def after(first: datetime.date, last: datetime.date | None, message: str) -> None:
    """``last`` (if any) is on or after ``first``."""
    if last is not None and last < first:
        raise ValidationError(message, code="date_order")


def a_choice(value, choices, label: str) -> str:
    if value not in choices.values:
        raise ValidationError(_("请选择%(label)s。"), params={"label": label}, code="choice")
    return value


def may_manage(actor, worker) -> None:
    require_perm(actor, "workforce.manage_workers", worker.community,
                 _("您无权管理该社区的社区工作者。"))  # fmt: skip


def overlaps(start, end, other_start, other_end) -> bool:
    """Two spans of days, an end of None meaning open."""
    return (other_end is None or start <= other_end) and (end is None or other_start <= end)
