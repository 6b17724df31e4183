"""Money: integer fen everywhere in the database and the services; people type and read yuan (元).

One formatter, one validator and one form field for every app, so an amount reads the same on
every page and a typed amount is refused for the same reasons everywhere.
"""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_FEN = 10**12  # ten billion yuan: far above any community's or district's amount


def yuan(amount_fen: int | None) -> str:
    """Integer fen as yuan with thousands separators: 120050 → "1,200.50"; None → ""."""
    if amount_fen is None:
        return ""
    sign = "-" if amount_fen < 0 else ""
    amount = abs(int(amount_fen))
    return f"{sign}{amount // 100:,}.{amount % 100:02d}"


def yuan_sign(amount_fen) -> str:
    """For pages: "¥1,200.50", or "—" when there is no amount."""
    try:
        amount = int(amount_fen)
    except (TypeError, ValueError):
        return "—"
    text = yuan(amount)
    return f"-¥{text[1:]}" if amount < 0 else f"¥{text}"


def fen(value, label: str, *, low: int = 1, high: int = MAX_FEN) -> int:
    """An amount in whole fen (never a float, never a bool), from ``low`` to ``high``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(_("%(label)s应为整数（分）。"), params={"label": label}, code="fen")
    if not low <= value <= high:
        raise ValidationError(
            _("%(label)s应在%(low)s元至%(high)s元之间。"),
            params={"label": label, "low": yuan(low), "high": yuan(high)}, code="fen_range",
        )  # fmt: skip
    return value


class YuanField(forms.CharField):
    """Money typed in yuan (commas allowed, two decimals at most), cleaned to integer fen.
    An empty box gives ``empty_fen`` (None unless the form says otherwise)."""

    def __init__(self, *, empty_fen=None, max_fen: int = MAX_FEN, **kwargs):
        self.empty_fen = empty_fen
        self.max_fen = max_fen
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value).replace(",", "").replace("，", "").strip()
        if not value:
            return self.empty_fen
        try:
            amount = Decimal(value)
        except InvalidOperation:
            raise forms.ValidationError(_("请输入金额（元），如 1200 或 1200.50。")) from None
        if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:
            raise forms.ValidationError(_("金额应为非负数，最多两位小数。"))
        amount_fen = int(amount * 100)
        if amount_fen > self.max_fen:
            raise forms.ValidationError(
                _("金额不能超过%(max)s元。") % {"max": yuan(self.max_fen).split(".")[0]}
            )
        return amount_fen
