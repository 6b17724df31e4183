"""Checks the workforce services share: dates, choices, a worker's place and its permission
(nobody keeps their own file; 正职 and 副职 posts are the street's and the district's)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
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


def not_own(actor, worker) -> None:
    """Nobody keeps their own record: the street or the district does."""
    from workforce.rules import is_the_worker

    if is_the_worker(actor, worker):
        raise PermissionDenied(
            _("本人的档案由街道或区里登记，您不能修改自己的档案，如有变动请联系街道。")
        )


def may_manage(actor, worker) -> None:
    """May add to ``worker``'s file: their community's keepers, the worker never."""
    not_own(actor, worker)
    require_perm(actor, "workforce.keep_worker", worker, _("您无权管理该社区的社区工作者。"))


def may_grant_leadership(actor, community, post: str) -> None:
    """Only the street or the district gives a 正职 or 副职 post; a head gives ordinary ones."""
    from workforce.workers import LEADERSHIP

    if post in LEADERSHIP:
        require_perm(actor, "workforce.set_leadership", community,
                     _("正职、副职岗位由街道或区里任免；社区负责人只能登记委员或其他岗位。"))  # fmt: skip


def may_change_leadership(actor, worker) -> None:
    """A worker holding 正职 or 副职 changes post, leaves or ends a term only by the street or
    the district."""
    from workforce.workers import holds_leadership

    if holds_leadership(worker, clock.today()) and not actor.has_perm(
        "workforce.set_leadership", worker.community
    ):
        raise PermissionDenied(
            _("该社区工作者现任正职或副职，其岗位变动、离职和提前离任由街道或区里办理。")
        )


def overlaps(start, end, other_start, other_end) -> bool:
    """Two spans of days, an end of None meaning open."""
    return (other_end is None or start <= other_end) and (end is None or other_start <= end)
