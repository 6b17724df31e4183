"""core.money: the one formatter, validator and form field for amounts."""

import pytest
from django import forms
from django.core.exceptions import ValidationError

from core import money


@pytest.mark.parametrize(
    ("fen", "text"),
    [(0, "0.00"), (5, "0.05"), (120050, "1,200.50"), (-120050, "-1,200.50"), (None, "")],
)
def test_yuan(fen, text):
    assert money.yuan(fen) == text


@pytest.mark.parametrize(
    ("fen", "text"), [(120050, "¥1,200.50"), (-5, "-¥0.05"), ("x", "—"), (None, "—")]
)
def test_yuan_sign(fen, text):
    assert money.yuan_sign(fen) == text


@pytest.mark.parametrize(
    ("value", "code"),
    [(0, "fen_range"), (-1, "fen_range"), (1.5, "fen"), (True, "fen"), ("5", "fen")],
)
def test_fen_refuses(value, code):
    with pytest.raises(ValidationError) as refused:
        money.fen(value, "金额")
    assert refused.value.code == code


def test_fen_bounds_are_inclusive():
    assert money.fen(0, "金额", low=0) == 0
    assert money.fen(money.MAX_FEN, "金额") == money.MAX_FEN


class AmountForm(forms.Form):
    amount = money.YuanField(required=False)
    capped = money.YuanField(required=False, empty_fen=0, max_fen=100_00)


@pytest.mark.parametrize(
    ("typed", "fen"), [("1200", 120000), ("1,200.5", 120050), ("1，200.05", 120005), ("", None)]
)
def test_yuan_field_cleans_to_fen(typed, fen):
    form = AmountForm({"amount": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == fen
    assert form.cleaned_data["capped"] == 0


@pytest.mark.parametrize("typed", ["abc", "-1", "1.234", "NaN", "Infinity"])
def test_yuan_field_refuses_in_chinese(typed):
    form = AmountForm({"amount": typed})
    assert not form.is_valid()
    assert "金额" in form.errors["amount"][0]


def test_yuan_field_cap_names_the_cap():
    form = AmountForm({"capped": "100.01"})
    assert not form.is_valid()
    assert form.errors["capped"] == ["金额不能超过100元。"]
