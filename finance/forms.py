"""Forms only parse input (money typed in yuan becomes fen); the services validate and decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.money import YuanField
from finance.models import Board, Cadence, Category, Income

DATE = forms.DateInput(attrs={"type": "date"})


class BudgetForm(forms.Form):
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    amount_fen = YuanField(label=_("年度预算（元）"))


class IncomeForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("收入类型"), choices=[(Income.Kind.GRANT, Income.Kind.GRANT.label),
                                      (Income.Kind.OTHER, Income.Kind.OTHER.label)],
    )  # fmt: skip
    amount_fen = YuanField(label=_("金额（元）"))
    received_on = forms.DateField(label=_("到账日期"), widget=DATE)
    payer = forms.CharField(label=_("拨付单位"), max_length=200)
    note = forms.CharField(label=_("说明"), max_length=300, required=False)


class SpendingForm(forms.Form):
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    amount_fen = YuanField(label=_("金额（元）"))
    spent_on = forms.DateField(label=_("支付日期"), widget=DATE)
    payee = forms.CharField(label=_("收款方"), max_length=200)
    purpose = forms.CharField(label=_("用途"), max_length=300)
    receipt = forms.FileField(
        label=_("票据照片"), required=False,
        help_text=_("JPEG、PNG、GIF或WebP图片，不超过8MB；没有票据的支出会提示街道。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )  # fmt: skip
    over_budget_reason = forms.CharField(
        label=_("超预算理由"), max_length=300, required=False,
        help_text=_("超出本类别年度预算时必填。"),
    )  # fmt: skip


class ReceiptForm(forms.Form):
    receipt = forms.FileField(
        label=_("票据照片"), widget=forms.ClearableFileInput(attrs={"accept": "image/*"})
    )


class ApprovalRuleForm(forms.Form):
    two_person_above_fen = YuanField(label=_("两人审批起点（元）"))
    split_days = forms.IntegerField(label=_("拆分支付观察天数"), min_value=1, max_value=365)
    split_margin_percent = forms.IntegerField(
        label=_("“略低于起点”的幅度（%）"), min_value=1, max_value=99
    )
    source = forms.CharField(label=_("依据"), max_length=300)
    effective_from = forms.DateField(label=_("生效日期"), widget=DATE)


class PrepareForm(forms.Form):
    board = forms.ChoiceField(label=_("公开栏"), choices=Board.choices)
    period_start = forms.DateField(
        label=_("公开期起始日"), widget=DATE,
        help_text=_("按月公开填某月1日；按季度公开填1月、4月、7月或10月的1日。"),
    )  # fmt: skip
    note = forms.CharField(
        label=_("补充说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("党务公开须填写本期公开事项。"),
    )  # fmt: skip


class NoteForm(forms.Form):
    note = forms.CharField(label=_("意见"), max_length=300, required=False)


class DisclosureRuleForm(forms.Form):
    board = forms.ChoiceField(label=_("公开栏"), choices=Board.choices)
    cadence = forms.ChoiceField(label=_("公开周期"), choices=Cadence.choices)
    due_days = forms.IntegerField(label=_("期满后几日内公开"), min_value=1, max_value=60)
    source = forms.CharField(label=_("依据"), max_length=300)
    effective_from = forms.DateField(
        label=_("生效日期"), widget=DATE, help_text=_("须为某月1日；之前的规则保留备查。")
    )


class FundingRuleForm(forms.Form):
    floor_score = forms.IntegerField(label=_("起拨分数"), min_value=0, max_value=99)
    full_fen = YuanField(label=_("满分拨款（元）"))
    source = forms.CharField(label=_("政策依据"), max_length=300)
    effective_from = forms.DateField(label=_("生效日期"), widget=DATE)


class GrantsPayForm(forms.Form):
    year = forms.IntegerField(label=_("考核年度"), min_value=2000, max_value=2100)
