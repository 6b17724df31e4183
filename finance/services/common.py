"""What the finance services share: places, amounts, dates and the rules in force."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.models import Place, PlaceLevel
from finance.models import ApprovalRule, DisclosureRule


def community_of(place: Place) -> Place:
    if place is None or place.level != PlaceLevel.COMMUNITY:
        raise ValidationError(_("请选择社区。"), code="not_a_community")
    return place


def district_of(place: Place) -> Place:
    if place is None or place.level != PlaceLevel.DISTRICT:
        raise ValidationError(_("规则按区设定，请选择区。"), code="not_a_district")
    return place


def day(value, label: str) -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise ValidationError(_("请填写%(label)s。"), params={"label": label}, code="date")
    return value


def approval_rule(district_id: int, on: datetime.date) -> ApprovalRule | None:
    return ApprovalRule.objects.in_force(on, district_id=district_id)


def disclosure_rule(district_id: int, board: str, on: datetime.date) -> DisclosureRule | None:
    return DisclosureRule.objects.in_force(on, district_id=district_id, board=board)
