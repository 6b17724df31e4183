"""Checks the training services share."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import clock
from core.models import Place, PlaceLevel


def district(place) -> Place:
    if place is None or place.level != PlaceLevel.DISTRICT:
        raise ValidationError(_("培训规则按区设定，请选择区。"), code="not_a_district")
    return place


def number(value, label: str, low: int, high: int) -> int:
    try:
        n = None if isinstance(value, bool) else int(value)
    except (TypeError, ValueError):
        n = None
    if n is None or not low <= n <= high:
        raise ValidationError(_("%(label)s应为%(low)d到%(high)d之间的整数。"),
                              params={"label": label, "low": low, "high": high}, code="out_of_range")  # fmt: skip
    return n


def a_date(value, label: str) -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise ValidationError(_("请填写%(label)s。"), params={"label": label}, code="date")
    if value.year < 2000:
        raise ValidationError(_("%(label)s不能早于2000年。"), params={"label": label}, code="date")
    return value


def a_year(value) -> int:
    return number(value, _("年度"), 2000, clock.today().year + 1)


def a_choice(value, choices, label: str) -> str:
    if value not in choices.values:
        raise ValidationError(_("请选择%(label)s。"), params={"label": label}, code="choice")
    return value
