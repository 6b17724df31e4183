"""What the finance services share: places, amounts, dates and the rules in force."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.models import Place, PlaceLevel
from finance.models import ApprovalRule, DisclosureRule

MAX_FEN = 10**12  # ten billion yuan: anything above is a typing error


def community_of(place: Place) -> Place:
    if place is None or place.level != PlaceLevel.COMMUNITY:
        raise ValidationError(_("请选择社区。"), code="not_a_community")
    return place


def district_of(place: Place) -> Place:
    if place is None or place.level != PlaceLevel.DISTRICT:
        raise ValidationError(_("规则按区设定，请选择区。"), code="not_a_district")
    return place


def fen(value, label: str, *, positive: bool = True) -> int:
    """An amount in integer fen (never a float, never a bool)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            _("%(label)s须为以分计的整数。"), params={"label": label}, code="amount"
        )
    if value < (1 if positive else 0) or value > MAX_FEN:
        raise ValidationError(
            _("%(label)s应大于0且不超过100亿元。") if positive else _("%(label)s不能为负数。"),
            params={"label": label}, code="amount",
        )  # fmt: skip
    return value


def day(value, label: str) -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise ValidationError(_("请填写%(label)s。"), params={"label": label}, code="date")
    return value


def approval_rule(district_id: int, on: datetime.date) -> ApprovalRule | None:
    return (
        ApprovalRule.objects.filter(district_id=district_id, effective_from__lte=on)
        .order_by("-effective_from", "-id")
        .first()
    )


def disclosure_rule(district_id: int, board: str, on: datetime.date) -> DisclosureRule | None:
    return (
        DisclosureRule.objects.filter(district_id=district_id, board=board, effective_from__lte=on)
        .order_by("-effective_from", "-id")
        .first()
    )


def yuan(amount_fen: int) -> str:
    return f"{amount_fen // 100:,}.{amount_fen % 100:02d}"
