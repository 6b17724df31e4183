"""Forms of the worker pages: each names the service it feeds (its fields are the keywords)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from workforce.models import Contract, Education, Leave, Post, SocialWorkLevel, Term, Worker

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class EnrolForm(forms.Form):
    community = forms.ModelChoiceField(label=_("社区"), queryset=None)
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("身份证号"), max_length=18, required=False,
        help_text=_("已登记的人员按身份证号关联，不重复登记。"),
    )  # fmt: skip
    mobile = forms.CharField(label=_("手机号"), max_length=11, required=False)
    kind = forms.ChoiceField(label=_("类别"), choices=Worker.Kind.choices)
    education = forms.ChoiceField(label=_("学历"), choices=Education.choices)
    service_start = forms.DateField(label=_("参加社区工作时间"), **DATE)
    post = forms.ChoiceField(label=_("岗位"), choices=Post.choices)
    title = forms.CharField(label=_("职务名称"), max_length=40, help_text=_("如：社区居委会主任、网格员。"))  # fmt: skip
    starts_on = forms.DateField(label=_("任职日期（合同或任期开始）"), **DATE)
    contract_ends_on = forms.DateField(label=_("合同终止日期（聘用，不填为无固定期限）"), required=False, **DATE)  # fmt: skip
    probation_months = forms.IntegerField(label=_("试用期（月，聘用）"), required=False, min_value=0, max_value=6)  # fmt: skip
    body = forms.ChoiceField(label=_("组织（选任）"), choices=[("", "—"), *Term.Body.choices], required=False)  # fmt: skip
    term_ends_on = forms.DateField(label=_("任期届满日期（选任）"), required=False, **DATE)

    def __init__(self, *args, communities=None, posts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        if posts is not None:  # the posts the user may give (正职、副职 only by street/district)
            self.fields["post"].choices = posts


class ContractForm(forms.Form):
    starts_on = forms.DateField(label=_("合同起始日期"), **DATE)
    ends_on = forms.DateField(label=_("合同终止日期（不填为无固定期限）"), required=False, **DATE)
    probation_months = forms.IntegerField(label=_("试用期（月）"), required=False, min_value=0, max_value=6)  # fmt: skip


class ExitForm(forms.Form):
    contract = forms.ModelChoiceField(label=_("合同"), queryset=None)
    exited_on = forms.DateField(label=_("离职日期"), **DATE)
    reason = forms.ChoiceField(label=_("离职原因"), choices=Contract.Exit.choices)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, contracts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].queryset = contracts
        self.fields["contract"].label_from_instance = lambda c: c.starts_on.isoformat()


class TermForm(forms.Form):
    body = forms.ChoiceField(label=_("组织"), choices=Term.Body.choices)
    office = forms.CharField(label=_("职务"), max_length=30)
    starts_on = forms.DateField(label=_("任期开始"), **DATE)
    ends_on = forms.DateField(label=_("任期届满"), **DATE)


class LeaveForm(forms.Form):
    kind = forms.ChoiceField(label=_("假别"), choices=Leave.Kind.choices)
    starts_on = forms.DateField(label=_("开始日期"), **DATE)
    ends_on = forms.DateField(label=_("结束日期"), **DATE)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class QualificationForm(forms.Form):
    level = forms.ChoiceField(label=_("职业资格等级"), choices=SocialWorkLevel.choices)
    certificate_number = forms.CharField(label=_("证书编号"), max_length=40)
    obtained_on = forms.DateField(label=_("取得日期"), **DATE)


class PostingForm(forms.Form):
    post = forms.ChoiceField(label=_("岗位"), choices=Post.choices)
    title = forms.CharField(label=_("职务名称"), max_length=40)
    starts_on = forms.DateField(label=_("任职日期"), **DATE)
    grade_fixed = forms.IntegerField(
        label=_("核定岗位等级（区里办理，可不填）"), required=False,
        help_text=_("不填则按岗位等级规则计算；填写须在该岗位的等级范围内。"),
    )  # fmt: skip
    grade_reason = forms.CharField(label=_("核定理由"), max_length=200, required=False)

    def __init__(self, *args, posts=None, fixes_grade=True, **kwargs):
        super().__init__(*args, **kwargs)
        if posts is not None:  # the posts the user may give (正职、副职 only by street/district)
            self.fields["post"].choices = posts
        if not fixes_grade:  # a grade set by decision is the district's
            del self.fields["grade_fixed"], self.fields["grade_reason"]


class PauseForm(forms.Form):
    year = forms.IntegerField(label=_("年度"))
    reason = forms.CharField(label=_("原因"), max_length=200, help_text=_("如：年度考核不称职、受到处分。"))  # fmt: skip


class GradeSchemeForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100, initial="三岗十八级")
    ranges = forms.CharField(
        label=_("各岗位等级范围"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("每行“岗位,最低级,最高级”，岗位写正职、副职、委员或其他，如“正职,7,18”。"),
    )  # fmt: skip
    years_per_grade = forms.IntegerField(label=_("每晋升一级所需年限"), initial=3)
    degree_years = forms.CharField(
        label=_("学历折算年限"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行“学历,年数”，如“大学本科,3”。"),
    )  # fmt: skip
    certificate_grades = forms.CharField(
        label=_("职业资格加级"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行“等级,级数”，如“社会工作师,2”。"),
    )  # fmt: skip
    source = forms.CharField(label=_("政策依据"), max_length=300)
    effective_from = forms.DateField(label=_("生效日期"), **DATE)

    @staticmethod
    def _pairs(text: str, choices, width: int) -> dict:
        """Lines "label,number[,number]" into {choice value: number(s)}; unknown labels kept
        as written, so the service refuses them in words."""
        by_label = {str(label): value for value, label in choices.choices}
        table = {}
        for line in (text or "").splitlines():
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if not line.strip():
                continue
            key = by_label.get(parts[0], parts[0])
            numbers = parts[1:] if len(parts) == width + 1 else [None] * width
            table[key] = numbers if width > 1 else numbers[0]
        return table

    def clean_ranges(self):
        return self._pairs(self.cleaned_data.get("ranges"), Post, 2)

    def clean_degree_years(self):
        return self._pairs(self.cleaned_data.get("degree_years"), Education, 1)

    def clean_certificate_grades(self):
        return self._pairs(self.cleaned_data.get("certificate_grades"), SocialWorkLevel, 1)


class CareerRuleForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    min_years_in_post = forms.IntegerField(label=_("现岗位最少年限"), min_value=0, max_value=20)
    assessments_needed = forms.IntegerField(label=_("须连续称职以上的年度数"), min_value=0, max_value=10)  # fmt: skip
    training_required = forms.BooleanField(label=_("须完成当年培训学时"), required=False)
    source = forms.CharField(label=_("政策依据"), max_length=300)
    effective_from = forms.DateField(label=_("生效日期"), **DATE)
