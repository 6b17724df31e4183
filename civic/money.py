"""Money in civic: integer fen everywhere; people type and read yuan (元)."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MAX_FEN = 10**12  # ten billion yuan: far above any fund


def fen(value, label: str, *, low: int = 1, high: int = MAX_FEN) -> int:
    """An amount in whole fen (never a float, never a bool), from low to high."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(_("%(label)s应为整数（分）。"), params={"label": label}, code="fen")
    if not low <= value <= high:
        raise ValidationError(
            _("%(label)s应在%(low)s元至%(high)s元之间。"),
            params={"label": label, "low": yuan(low), "high": yuan(high)}, code="fen_range",
        )  # fmt: skip
    return value


def yuan(amount_fen: int | None) -> str:
    if amount_fen is None:
        return ""
    sign = "-" if amount_fen < 0 else ""
    amount = abs(amount_fen)
    return f"{sign}{amount // 100:,}.{amount % 100:02d}"


class YuanField(forms.DecimalField):
    """Typed in yuan (two decimals at most), cleaned to integer fen."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal("0"))
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("help_text", gettext_lazy("单位：元，最多两位小数。"))
        super().__init__(**kwargs)

    def clean(self, value):
        amount = super().clean(value)
        if amount is None:
            return None
        try:
            return int((amount * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
        except InvalidOperation:  # pragma: no cover - DecimalField already refused it
            raise ValidationError(_("请填写金额。")) from None
