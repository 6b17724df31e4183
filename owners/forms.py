from django import forms
from django.utils.translation import gettext_lazy as _

from owners.models import AreaBasis, Ballot, Choice, Decision, Matter

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class CompoundForm(forms.Form):
    community = forms.ModelChoiceField(label=_("社区"), queryset=None)
    name = forms.CharField(label=_("小区名称"), max_length=100)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class BuildingForm(forms.Form):
    building = forms.ModelChoiceField(label=_("楼栋"), queryset=None)

    def __init__(self, *args, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["building"].queryset = buildings


class PartForm(forms.Form):
    house = forms.ModelChoiceField(label=_("房屋"), queryset=None)
    area = forms.CharField(label=_("专有部分面积（平方米）"), max_length=12,
                           help_text=_("最多两位小数，如89.5。"))  # fmt: skip
    area_basis = forms.ChoiceField(
        label=_("面积依据"), choices=AreaBasis.choices,
        help_text=_("有不动产登记的按登记面积，未登记的按实测面积，未实测的按合同面积。"),
    )  # fmt: skip
    owner = forms.ModelChoiceField(label=_("业主"), queryset=None, required=False)
    developer_held = forms.BooleanField(label=_("建设单位未售出或未交付"), required=False)

    def __init__(self, *args, houses, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["house"].queryset = houses
        self.fields["owner"].queryset = people


class DecisionForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Decision.Kind.choices)
    matter = forms.ChoiceField(label=_("表决事项"), choices=Matter.choices)
    title = forms.CharField(label=_("标题"), max_length=100)
    text = forms.CharField(label=_("表决内容"), max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip


class EntryForm(forms.Form):
    entry = forms.ModelChoiceField(label=_("房屋"), queryset=None)

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entries


class ProxyForm(EntryForm):
    agent_name = forms.CharField(label=_("受托人"), max_length=50)
    document_no = forms.CharField(label=_("委托书编号"), max_length=40)
    signed_on = forms.DateField(label=_("委托日期"), **DATE)


class BallotForm(EntryForm):
    choice = forms.ChoiceField(label=_("表决意见"), choices=Choice.choices)
    channel = forms.ChoiceField(
        label=_("表决方式"),
        choices=[(Ballot.Channel.PAPER, Ballot.Channel.PAPER.label),
                 (Ballot.Channel.PROXY, Ballot.Channel.PROXY.label)],
    )  # fmt: skip


class CommitteeForm(forms.Form):
    guidance = forms.CharField(label=_("指导单位"), max_length=100,
                               help_text=_("如“某某街道党工委、某某社区党委”。"))  # fmt: skip
    formed_on = forms.DateField(label=_("筹备组成立日期"), **DATE)
    leader = forms.ModelChoiceField(label=_("筹备组组长"), queryset=None)
    members = forms.ModelMultipleChoiceField(label=_("筹备组成员"), queryset=None, required=False)

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = owners
        self.fields["members"].queryset = owners


class ElectForm(forms.Form):
    election = forms.ModelChoiceField(label=_("选举表决"), queryset=None)
    chair = forms.ModelChoiceField(label=_("主任"), queryset=None)
    members = forms.ModelMultipleChoiceField(label=_("委员"), queryset=None, required=False)
    term_start = forms.DateField(label=_("任期开始"), **DATE)
    term_end = forms.DateField(label=_("任期届满"), **DATE)

    def __init__(self, *args, owners, elections, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["election"].queryset = elections
        self.fields["chair"].queryset = owners
        self.fields["members"].queryset = owners


class FileForm(forms.Form):
    filed_on = forms.DateField(label=_("备案日期"), **DATE)


class ContractForm(forms.Form):
    company_name = forms.CharField(label=_("物业服务企业"), max_length=100)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    starts_on = forms.DateField(label=_("合同开始"), **DATE)
    ends_on = forms.DateField(label=_("合同届满"), **DATE)
    fee = forms.IntegerField(label=_("物业费（分/平方米·月）"), min_value=1,
                             help_text=_("如每平方米每月1.80元填180。"))  # fmt: skip


class RuleForm(forms.Form):
    matter = forms.ChoiceField(label=_("表决事项"), choices=Matter.choices)
    turnout_num = forms.IntegerField(label=_("参与表决比例（分子）"), min_value=1, max_value=100)
    turnout_den = forms.IntegerField(label=_("参与表决比例（分母）"), min_value=1, max_value=100)
    turnout_inclusive = forms.BooleanField(label=_("参与比例含本数（以上）"), required=False,
                                           initial=True)  # fmt: skip
    approval_num = forms.IntegerField(label=_("同意比例（分子）"), min_value=1, max_value=100)
    approval_den = forms.IntegerField(label=_("同意比例（分母）"), min_value=1, max_value=100)
    approval_inclusive = forms.BooleanField(
        label=_("同意比例含本数（以上）"), required=False,
        help_text=_("“以上”含本数，勾选；“过半数”不含本数，不勾选。"),
    )  # fmt: skip
    source = forms.CharField(label=_("政策依据"), max_length=300)
    effective_from = forms.DateField(label=_("生效日期"), **DATE)
