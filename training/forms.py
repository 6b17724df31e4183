"""Forms of the training pages: each names the service it feeds (its fields are the keywords).
Ranges are the services' to check, so a refusal names the rule in one place."""

from django import forms
from django.utils.translation import gettext_lazy as _

from training.models import Format, Plan

DATE = {"widget": forms.DateInput(attrs={"type": "date"})}


class RuleForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    annual_hours = forms.IntegerField(label=_("每年培训学时要求"))
    induction_months = forms.IntegerField(
        label=_("新入职认定期（月）"), help_text=_("参加社区工作不满该月数的，另须完成岗前培训。")
    )
    induction_hours = forms.IntegerField(label=_("岗前培训学时要求"))
    source = forms.CharField(label=_("政策依据"), max_length=300)
    effective_from = forms.DateField(label=_("生效日期"), **DATE)


class AreaForm(forms.Form):
    name = forms.CharField(label=_("内容领域"), max_length=40)
    source = forms.CharField(label=_("依据"), max_length=300)


class SurveyForm(forms.Form):
    year = forms.IntegerField(label=_("年度"))
    title = forms.CharField(label=_("标题"), max_length=100)
    closes_on = forms.DateField(label=_("截止日期"), **DATE)


class AnswerForm(forms.Form):
    areas = forms.ModelMultipleChoiceField(
        label=_("需要培训的内容"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    note = forms.CharField(label=_("其他需求"), max_length=200, required=False)

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["areas"].queryset = areas


class PlanForm(forms.Form):
    place = forms.ModelChoiceField(label=_("制定单位"), queryset=None)
    kind = forms.ChoiceField(label=_("类别"), choices=Plan.Kind.choices)
    year = forms.IntegerField(label=_("年度"))
    title = forms.CharField(label=_("名称"), max_length=100)

    def __init__(self, *args, places=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places


class CourseForm(forms.Form):
    plan = forms.ModelChoiceField(label=_("培训计划"), queryset=None)
    title = forms.CharField(label=_("课程名称"), max_length=100)
    area = forms.ModelChoiceField(label=_("内容领域"), queryset=None)
    format = forms.ChoiceField(label=_("形式"), choices=Format.choices)
    held_on = forms.DateField(label=_("举办日期"), **DATE)
    hours = forms.IntegerField(label=_("学时"))
    venue = forms.CharField(label=_("地点"), max_length=100)
    capacity = forms.IntegerField(label=_("名额"))

    def __init__(self, *args, plans=None, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["plan"].queryset = plans
        self.fields["area"].queryset = areas


class EnrolForm(forms.Form):
    worker = forms.ModelChoiceField(label=_("社区工作者"), queryset=None)

    def __init__(self, *args, workers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
        self.fields["worker"].label_from_instance = lambda w: (
            f"{w.person.name} · {w.community.name}"
        )


class AttendanceForm(forms.Form):
    worker = forms.ModelChoiceField(label=_("社区工作者"), queryset=None)
    hours = forms.IntegerField(
        label=_("计入学时"), required=False, help_text=_("不填按课程学时计。")
    )
    passed = forms.BooleanField(label=_("考核合格"), required=False, initial=True)

    def __init__(self, *args, workers=None, **kwargs):
        kwargs.setdefault("auto_id", "attend_%s")  # beside the enrolment form on one page
        super().__init__(*args, **kwargs)
        self.fields["worker"].queryset = workers
        self.fields["worker"].label_from_instance = lambda w: (
            f"{w.person.name} · {w.community.name}"
        )
