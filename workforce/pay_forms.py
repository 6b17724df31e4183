"""The pay-scale form: a new scale from a date, typed as people read it (yuan a month per
grade, the floor as a percentage of the average wage, welfare items one a line), cleaned into
the service's keywords (fen, per mille, basis points); the service checks the rules."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workforce.models import Post
from workforce.worker_forms import DATE


def _number(text: str, line: str) -> Decimal:
    try:
        value = Decimal(text.replace(",", "").replace("，", "").strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0:
        raise ValidationError(_("“%(line)s”中的数字无法识别。"), params={"line": line})
    return value


def _lines(text: str):
    for line in (text or "").splitlines():
        if line.strip():
            yield (
                line.strip(),
                [
                    p.strip()
                    for p in line.replace("，", ",").replace("：", ",").replace(":", ",").split(",")
                ],
            )


class PayScaleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    amounts = forms.CharField(
        label=gettext_lazy("各等级月岗位工资"), widget=forms.Textarea(attrs={"rows": 8}),
        help_text=gettext_lazy("每行“等级,月工资（元）”，从1级起连续填写，如“1,6000”。"),
    )  # fmt: skip
    floor_chief = forms.DecimalField(label=gettext_lazy("正职保底比例（占上年平均工资的%）"), min_value=0, max_value=200, decimal_places=1)  # fmt: skip
    floor_deputy = forms.DecimalField(label=gettext_lazy("副职保底比例（%）"), min_value=0, max_value=200, decimal_places=1)  # fmt: skip
    floor_member = forms.DecimalField(label=gettext_lazy("委员保底比例（%）"), min_value=0, max_value=200, decimal_places=1, required=False)  # fmt: skip
    floor_other = forms.DecimalField(label=gettext_lazy("其他岗位保底比例（%）"), min_value=0, max_value=200, decimal_places=1)  # fmt: skip
    welfare = forms.CharField(
        label=gettext_lazy("福利项目"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("每行“名称,比例%”或“名称,每月金额元”，如“住房公积金,12%”“交通补贴,300元”。"),
    )  # fmt: skip
    source = forms.CharField(label=gettext_lazy("政策依据"), max_length=300)
    effective_from = forms.DateField(label=gettext_lazy("生效日期"), **DATE)

    @classmethod
    def starting_from(cls, scale):
        """The form filled with the scale in force, to edit into a new one."""
        if scale is None:
            return cls()
        shares = scale.floor_shares
        welfare = [
            f"{w['name']},{w['value'] / 100:g}%" if w["kind"] == "percent" else f"{w['name']},{Decimal(w['value']) / 100}元"
            for w in scale.welfare
        ]  # fmt: skip
        return cls(initial={
            "name": scale.name, "source": scale.source,
            "amounts": "\n".join(f"{g},{Decimal(f) / 100}" for g, f in sorted(scale.amounts.items(), key=lambda kv: int(kv[0]))),
            **{f"floor_{p}": Decimal(shares[p]) / 10 for p in Post.values if p in shares},
            "welfare": "\n".join(welfare),
        })  # fmt: skip

    def clean_amounts(self) -> dict:
        amounts = {}
        for line, parts in _lines(self.cleaned_data.get("amounts")):
            if len(parts) != 2:
                raise ValidationError(
                    _("“%(line)s”应写成“等级,月工资（元）”。"), params={"line": line}
                )
            amounts[parts[0]] = int(_number(parts[1], line) * 100)
        return amounts

    def clean_welfare(self) -> list:
        items = []
        for line, parts in _lines(self.cleaned_data.get("welfare")):
            if len(parts) != 2 or not parts[1]:
                raise ValidationError(
                    _("“%(line)s”应写成“名称,比例%%”或“名称,金额元”。"), params={"line": line}
                )
            value = parts[1]
            if value.endswith("%"):
                items.append(
                    {
                        "name": parts[0],
                        "kind": "percent",
                        "value": int(_number(value[:-1], line) * 100),
                    }
                )
            else:
                items.append(
                    {
                        "name": parts[0],
                        "kind": "fixed",
                        "value": int(_number(value.removesuffix("元"), line) * 100),
                    }
                )
        return items

    def values(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("floor_")}
        data["floor_shares"] = {
            p: int(self.cleaned_data[f"floor_{p}"] * 10)
            for p in Post.values
            if self.cleaned_data.get(f"floor_{p}") is not None
        }
        return data
