"""The oversight pages' forms (the services check everything again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import STAFF_ROLES, Person, Place, Role, RoleAssignment
from oversight import indicators, steps
from oversight.models import Grade, Reminder, Result, Sanction, Survey

SMALL = {"class": "inline"}


def staff_people(district):
    """People with a staff account at a place of the district (whom the chain may concern)."""
    accounts = (
        RoleAssignment.objects.active()
        .filter(role__in=STAFF_ROLES - {Role.AUDITOR}, place__path__startswith=district.path)
        .values("user_id")
    )
    return Person.objects.filter(account_id__in=accounts).order_by("name", "pk")


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person.name}（{person.place.name if person.place_id else ''}）"


class ReminderForm(forms.Form):
    person = PersonChoice(label=_("对象"), queryset=Person.objects.none())
    kind = forms.ChoiceField(label=_("方式"), choices=Reminder.Kind.choices)
    facts = forms.CharField(label=_("事由"), widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff_people(district).select_related("place")


class CaseForm(forms.Form):
    person = PersonChoice(label=_("被问责人"), queryset=Person.objects.none())
    sanction = forms.ChoiceField(label=_("问责方式"), choices=Sanction.choices)
    facts = forms.CharField(label=_("事实"), widget=forms.Textarea(attrs={"rows": 3}))
    rule_broken = forms.CharField(label=_("违反的规定"), max_length=300)
    decision = forms.CharField(label=_("问责决定"), widget=forms.Textarea(attrs={"rows": 3}))
    reminder = forms.ModelChoiceField(
        label=_("此前的提醒"), queryset=Reminder.objects.none(), required=False,
        help_text=_("不选时取对本人最近的一次提醒；规则要求先提醒而没有提醒的，不能作出问责决定。"),
    )  # fmt: skip

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = staff_people(district).select_related("place")
        self.fields["reminder"].queryset = Reminder.objects.filter(
            district=district
        ).select_related("person")
        self.fields["reminder"].label_from_instance = lambda r: (
            f"{r.person.name} · {r.get_kind_display()} · {r.issued_on:%Y-%m-%d}"
        )


class SanctionRuleForm(forms.Form):
    sanction = forms.ChoiceField(label=_("问责方式"), choices=Sanction.choices)
    requires_reminder = forms.BooleanField(label=_("须先谈话提醒、函询或诫勉"), required=False)
    months_in_force = forms.IntegerField(label=_("影响期（月）"), min_value=1, max_value=60)
    source = forms.CharField(label=_("依据"), max_length=300)
    effective_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(label=_("说明"), widget=forms.Textarea(attrs={"rows": 3}))


class SchemeForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    name = forms.CharField(label=_("名称"), max_length=100)
    source = forms.CharField(label=_("依据"), max_length=300)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for indicator in indicators.INDICATORS:
            self.fields[f"w_{indicator.key}"] = forms.IntegerField(
                label=_("%(label)s权重（%%）") % {"label": indicator.label}, min_value=0,
                max_value=100, help_text=indicator.formula,
            )  # fmt: skip

    def weights(self) -> dict:
        return {i.key: self.cleaned_data[f"w_{i.key}"] for i in indicators.INDICATORS}


class ObjectionForm(forms.Form):
    objection = forms.CharField(label=_("异议理由"), widget=forms.Textarea(attrs={"rows": 4}))


class AnswerForm(forms.Form):
    kind = forms.ChoiceField(label=_("答复结论"), choices=Result.Answer.choices,
                             widget=forms.RadioSelect(attrs=SMALL))  # fmt: skip
    adjusted_score = forms.DecimalField(label=_("调整后得分"), required=False, min_value=0,
                                        max_value=100, decimal_places=1)  # fmt: skip
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 3}))


def _step_field(spec) -> forms.Field:
    if spec.kind == steps.DATE:
        return forms.DateField(label=spec.label, required=spec.required,
                               widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    if spec.kind == steps.YES_NO:
        return forms.TypedChoiceField(
            label=spec.label, coerce=lambda v: v == "yes", widget=forms.RadioSelect(attrs=SMALL),
            choices=[("yes", _("予以容错")), ("no", _("不予容错"))],
        )  # fmt: skip
    if spec.kind == steps.GROUNDS:
        return forms.MultipleChoiceField(
            label=spec.label, choices=list(steps.DISTINCTION_LABELS.items()),
            widget=forms.CheckboxSelectMultiple, required=False,
        )  # fmt: skip
    return forms.CharField(label=spec.label, required=spec.required, help_text=spec.help,
                           widget=forms.Textarea(attrs={"rows": spec.rows}))  # fmt: skip


def step_form(step, data=None) -> forms.Form:
    fields = {spec.name: _step_field(spec) for spec in step.inputs}
    return type(f"{step.name.title().replace('_', '')}Form", (forms.Form,), fields)(data)


def step_data(step, form) -> dict:
    return {spec.name: form.cleaned_data.get(spec.name) for spec in step.inputs}


def indicators_defaults() -> dict:
    from oversight import defaults

    return dict(defaults.WEIGHTS)


class SurveySendForm(forms.Form):
    community = forms.ModelChoiceField(label=_("社区"), queryset=Place.objects.none())
    kind = forms.ChoiceField(label=_("类别"), choices=Survey.Kind.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    closes_on = forms.DateField(label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class SurveyRuleForm(forms.Form):
    points_satisfied = forms.IntegerField(label=_("满意得分"), min_value=0, max_value=100)
    points_basic = forms.IntegerField(label=_("基本满意得分"), min_value=0, max_value=100)
    points_unsatisfied = forms.IntegerField(label=_("不满意得分"), min_value=0, max_value=100)
    min_answers = forms.IntegerField(label=_("最少有效答卷"), min_value=1, max_value=10000)
    source = forms.CharField(label=_("政策依据"), max_length=300)
    effective_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )


def survey_answer_form(survey, data=None) -> forms.Form:
    """One radio group per question (满意 / 基本满意 / 不满意), all required."""
    fields = {
        f"q{i}": forms.ChoiceField(
            label=_(question), choices=Grade.choices, widget=forms.RadioSelect
        )  # fmt: skip
        for i, question in enumerate(survey.questions)
    }
    return type("SurveyAnswerForm", (forms.Form,), fields)(data)
