"""Forms only parse input; the services validate and decide. (An order's steps build their
forms from their inputs: timebank.steps.)"""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from core.collation import in_pinyin_order
from timebank.models import Account, AccountKind, Category, Payer


class NeedForm(forms.Form):
    title = forms.CharField(label=_("需要什么帮助"), max_length=100)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    minutes = forms.IntegerField(
        label=_("预计时长（分钟）"), min_value=1, max_value=480, initial=60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip
    wanted_at = forms.DateTimeField(
        label=_("希望服务时间"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )  # fmt: skip
    payer = forms.ChoiceField(label=_("时间由谁支付"), choices=Payer.choices, initial=Payer.NONE)
    detail = forms.CharField(
        label=_("补充说明"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip


class ProxyNeedForm(NeedForm):
    """A community worker posts a need for a resident (e.g. an elder without a phone)."""

    recipient = forms.ModelChoiceField(label=_("服务对象"), queryset=None)
    contact_mobile = forms.CharField(
        label=_("家属手机号（可选，由家属确认服务）"), required=False, max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )  # fmt: skip
    field_order = ["recipient", "contact_mobile", "title", "category", "minutes", "wanted_at",
                   "payer", "detail"]  # fmt: skip

    def __init__(self, *args, accounts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = accounts
        self.fields["recipient"].label_from_instance = lambda a: f"{a.name}（{a.place}）"


class LedgerForm(forms.Form):
    """A counter operation on one account; `key` is minted when the form is shown, so a double
    submit or a browser retry posts once."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=255)
    minutes = forms.IntegerField(
        label=_("时长（分钟）"), min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip


class WithdrawForm(LedgerForm):
    memo = forms.CharField(label=_("兑换的服务"), max_length=200)


class TransferForm(LedgerForm):
    target = forms.ModelChoiceField(label=_("受赠亲属"), queryset=None)
    relation = forms.CharField(label=_("亲属关系（已核实）"), max_length=60)

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = targets
        self.fields["target"].label_from_instance = lambda a: f"{a.name}（{a.place}）"


class DonateForm(LedgerForm):
    fund = forms.ModelChoiceField(label=_("捐给"), queryset=None)

    def __init__(self, *args, funds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].queryset = funds


def ledger_forms(user, account, data=None) -> dict:
    """The counter forms a worker may use on this account (none for anyone else)."""
    if not user.has_perm("timebank.record", account.place) or account.is_closed:
        return {}
    initial = {"key": uuid.uuid4().hex}
    forms = {}
    if account.kind in (AccountKind.MEMBER, AccountKind.FUND):
        forms["withdraw"] = WithdrawForm(data, initial=initial, prefix="w")
    if account.kind == AccountKind.MEMBER:
        targets = (
            Account.objects.filter(
                district=account.district, kind=AccountKind.MEMBER, is_closed=False
            )
            .exclude(pk=account.pk)
            .select_related("place")
            .order_by(in_pinyin_order("name"))
        )
        forms["transfer"] = TransferForm(data, initial=initial, prefix="t", targets=targets)
    if account.kind in (AccountKind.MEMBER, AccountKind.TEAM):
        funds = Account.objects.filter(
            district=account.district, kind=AccountKind.FUND, is_closed=False
        ).order_by(in_pinyin_order("name"))
        forms["donate"] = DonateForm(data, initial=initial, prefix="g", funds=funds)
    return forms


class OpenAccountForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("账户类型"),
        choices=[("team", _("志愿团队账户")), ("fund", _("社区公益基金账户"))],
    )
    name = forms.CharField(label=_("名称"), max_length=100)


WEEKDAYS = [("1", _("周一")), ("2", _("周二")), ("3", _("周三")), ("4", _("周四")),
            ("5", _("周五")), ("6", _("周六")), ("7", _("周日"))]  # fmt: skip


class OfferForm(forms.Form):
    """A resident offers a kind of help, with skills and when they are free."""

    title = forms.CharField(label=_("我能提供的帮助"), max_length=100)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    skills = forms.CharField(
        label=_("技能（可选，用逗号分隔）"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("如：理发，修水管，智能手机")}),
    )  # fmt: skip
    minutes = forms.IntegerField(
        label=_("每次可服务（分钟）"), min_value=1, max_value=480, initial=60,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )  # fmt: skip
    weekdays = forms.MultipleChoiceField(
        label=_("可服务的星期（不选为任何一天）"), choices=WEEKDAYS, required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "inline-choices"}),
    )  # fmt: skip
    start_time = forms.TimeField(
        label=_("从"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label=_("到"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    detail = forms.CharField(
        label=_("补充说明"), required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip

    def clean_weekdays(self):
        return "".join(self.cleaned_data.get("weekdays") or [])
