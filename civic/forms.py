from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from civic.models import FundEntry, Incubation, SocialOrganisation
from core.money import YuanField

DATE = forms.DateInput(attrs={"type": "date"})


class AccountField(forms.CharField):
    """An account by its login name (None when there is no such active account: the service
    refuses it in words)."""

    def clean(self, value):
        name = super().clean(value)
        return get_user_model().objects.filter(username=name, is_active=True).first()


class OrgFileForm(forms.Form):
    community = forms.ModelChoiceField(label=_("社区"), queryset=None)
    name = forms.CharField(label=_("名称"), max_length=100)
    domain = forms.ChoiceField(label=_("服务领域"), choices=SocialOrganisation.Domain.choices)
    purpose = forms.CharField(
        label=_("宗旨与活动"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    uscc = forms.CharField(
        label=_("统一社会信用代码"), max_length=40, required=False,
        help_text=_("已登记注册的组织填写（18位）；备案类社区社会组织可不填。"),
    )  # fmt: skip

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class MemberForm(forms.Form):
    user = AccountField(
        label=_("账号"), max_length=150, help_text=_("须已在本社区授予“社会组织成员”角色。")
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("注销原因"), max_length=200)


class BaseForm(forms.Form):
    street = forms.ModelChoiceField(label=_("街道"), queryset=None)
    name = forms.CharField(label=_("名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200)
    spaces = forms.IntegerField(label=_("工位或场地数"), min_value=1, max_value=1000)

    def __init__(self, *args, streets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets


class IncubationForm(forms.Form):
    base = forms.ModelChoiceField(label=_("孵化基地"), queryset=None)
    mentor = forms.CharField(label=_("导师"), max_length=50)
    space = forms.CharField(label=_("场地"), max_length=100)
    rent_support_fen = YuanField(label=_("每月房租补贴（元）"))
    started_on = forms.DateField(label=_("入驻日期"), widget=DATE)

    def __init__(self, *args, bases, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base"].queryset = bases


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("阶段"), choices=Incubation.Stage.choices)


class ReportForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=1949, max_value=2200)
    activities = forms.CharField(
        label=_("年度活动"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    activity_count = forms.IntegerField(label=_("活动次数"), min_value=0)
    people_served = forms.IntegerField(label=_("服务人次"), min_value=0)
    income_fen = YuanField(label=_("收入（元）"))
    expense_fen = YuanField(label=_("支出（元）"))


class FundForm(forms.Form):
    place = forms.ModelChoiceField(label=_("设在"), queryset=None)
    name = forms.CharField(label=_("名称"), max_length=100)
    source = forms.CharField(label=_("资金来源"), max_length=200)

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places


class DepositForm(forms.Form):
    amount_fen = YuanField(label=_("金额（元）"))
    note = forms.CharField(label=_("说明"), max_length=200)


class PayForm(DepositForm):
    purpose = forms.ChoiceField(
        label=_("用途"),
        choices=[(p.value, p.label) for p in (FundEntry.Purpose.BASE, FundEntry.Purpose.TRAINING)],
    )


class CallForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=100)
    description = forms.CharField(
        label=_("说明"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    budget_fen = YuanField(label=_("总预算（元）"))
    max_grant_fen = YuanField(label=_("单个项目上限（元）"))
    closes_on = forms.DateField(label=_("截止日期"), widget=DATE)


class ApplicationForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("申报组织"), queryset=None, empty_label=None)
    title = forms.CharField(label=_("项目名称"), max_length=100)
    summary = forms.CharField(
        label=_("项目内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    requested_fen = YuanField(label=_("申请金额（元）"))

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class SeatForm(forms.Form):
    user = AccountField(label=_("评审账号"), max_length=150)


class ConflictForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("组织"), queryset=None)
    reason = forms.CharField(label=_("原因"), max_length=200)

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class ScoreForm(forms.Form):
    points = forms.IntegerField(label=_("评分（0—100）"), min_value=0, max_value=100)
    comment = forms.CharField(label=_("评语"), max_length=300, required=False)


class AwardForm(forms.Form):
    amount_fen = YuanField(label=_("资助金额（元）"))


class MilestoneForm(forms.Form):
    title = forms.CharField(label=_("节点"), max_length=100)
    due_on = forms.DateField(label=_("计划完成日期"), widget=DATE)
    amount_fen = YuanField(label=_("拨付金额（元）"))


class MilestoneReportForm(forms.Form):
    report = forms.CharField(
        label=_("进展报告"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


# ---------------------------------------------------------------- purchase-of-service contracts


class ContractSignForm(forms.Form):
    item = forms.ModelChoiceField(label=_("准入事项"), queryset=None)
    organisation = forms.ModelChoiceField(label=_("承接组织"), queryset=None)
    content = forms.CharField(
        label=_("服务内容"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    amount_fen = YuanField(label=_("合同金额（元）"))
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)

    def __init__(self, *args, items, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = items
        self.fields["organisation"].queryset = organisations


class DeliveryForm(forms.Form):
    day = forms.DateField(label=_("服务日期"), widget=DATE)
    content = forms.CharField(label=_("服务内容"), max_length=500)
    served = forms.IntegerField(label=_("服务人次"), min_value=0, max_value=100_000)
    result = forms.CharField(
        label=_("服务结果"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    submit_token = forms.CharField(widget=forms.HiddenInput, max_length=64)


class ContractRatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("评分"), coerce=int, choices=[(n, str(n)) for n in range(5, 0, -1)]
    )
    comment = forms.CharField(label=_("评价"), max_length=500, required=False)


class ContractEndForm(forms.Form):
    reason = forms.CharField(label=_("终止原因"), max_length=500)


STEP_FORMS = {"deliver": DeliveryForm, "rate": ContractRatingForm, "end": ContractEndForm}
