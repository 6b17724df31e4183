"""The deliberation pages' forms (the services check everything again)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.models import Person
from deliberation import selectors, steps
from deliberation.models import Document, MeetingKind, ParticipantRole

DAY = forms.DateInput(attrs={"type": "date"})
WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=100)
    text = forms.CharField(label=_("提议内容"), widget=forms.Textarea(attrs={"rows": 4}))


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("会议名称"), max_length=100)
    topic = forms.CharField(label=_("议事事项"), widget=forms.Textarea(attrs={"rows": 3}))
    venue = forms.CharField(label=_("地点"), max_length=100)
    starts_at = forms.DateTimeField(label=_("召开时间"), widget=WHEN)


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return person.name


class RepresentativeForm(forms.Form):
    person = PersonChoice(label=_("居民"), queryset=Person.objects.none())
    elected_on = forms.DateField(label=_("推选日期"), widget=DAY)
    term_ends_on = forms.DateField(label=_("任期届满"), widget=DAY)

    def __init__(self, *args, community, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = selectors.people_of(community)


class MeetingRuleForm(forms.Form):
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    notice_days = forms.IntegerField(label=_("提前公告天数"), min_value=0, max_value=60)
    quorum_num = forms.IntegerField(label=_("到会比例（分子）"), min_value=1, max_value=100)
    quorum_den = forms.IntegerField(label=_("到会比例（分母）"), min_value=1, max_value=100)
    quorum_inclusive = forms.BooleanField(label=_("到会比例含本数（以上）"), required=False)
    pass_num = forms.IntegerField(label=_("通过比例（分子）"), min_value=1, max_value=100)
    pass_den = forms.IntegerField(label=_("通过比例（分母）"), min_value=1, max_value=100)
    pass_inclusive = forms.BooleanField(label=_("通过比例含本数（以上）"), required=False)
    source = forms.CharField(label=_("政策依据"), max_length=300)
    effective_from = forms.DateField(label=_("生效日期"), widget=DAY)


class SupportRuleForm(forms.Form):
    supports = forms.IntegerField(label=_("列入议题所需支持人数"), min_value=1, max_value=10000)
    source = forms.CharField(label=_("政策依据"), max_length=300)
    effective_from = forms.DateField(label=_("生效日期"), widget=DAY)


def _choices_field(spec, choices, **extra) -> forms.Field:
    return forms.ChoiceField(label=spec.label, required=spec.required,
                             choices=[("", "—"), *choices], **extra)  # fmt: skip


def _step_field(spec, obj) -> forms.Field:  # noqa: PLR0911 - one branch per kind of input
    if spec.kind == steps.WHEN:
        return forms.DateTimeField(label=spec.label, required=spec.required, widget=WHEN)
    if spec.kind == steps.NUMBER:
        return forms.IntegerField(label=spec.label, required=spec.required, min_value=0)
    if spec.kind == steps.ROLE:
        return _choices_field(spec, ParticipantRole.choices)
    if spec.kind == steps.DOC_KIND:
        return _choices_field(spec, Document.Kind.choices)
    if spec.kind == steps.PERSON:
        people = selectors.people_of(obj.community)
        return _choices_field(spec, [(p.pk, p.name) for p in people[:500]])
    if spec.kind == steps.AGENDA:
        return _choices_field(spec, [(a.pk, a.title) for a in obj.agenda.all()])
    if spec.kind == steps.MEETING:
        drafts = selectors.meetings_visible_to_convener(obj.community)
        return _choices_field(spec, [(m.pk, m.title) for m in drafts])
    if spec.kind == steps.ATTENDANCE:
        return forms.MultipleChoiceField(
            label=spec.label, required=False, widget=forms.CheckboxSelectMultiple,
            choices=[(p.pk, f"{p.person.name}（{p.get_role_display()}）")
                     for p in obj.participants.select_related("person")],
        )  # fmt: skip
    max_length = spec.max_length
    widget = forms.TextInput() if spec.rows == 1 else forms.Textarea(attrs={"rows": spec.rows})
    return forms.CharField(label=spec.label, required=spec.required, help_text=spec.help,
                           max_length=max_length, widget=widget)  # fmt: skip


def step_form(step, obj, data=None) -> forms.Form:
    fields = {spec.name: _step_field(spec, obj) for spec in step.inputs}
    form_class = type(f"{step.name.title().replace('_', '')}Form", (forms.Form,), fields)
    initial = step.initial(obj) if step.initial and data is None else None
    return form_class(data, initial=initial, prefix=step.name)


def step_data(step, form) -> dict:
    """The cleaned form as the steps' cleaners take the raw input."""
    return steps.clean_input(step, {spec.name: form.cleaned_data.get(spec.name)
                                    for spec in step.inputs})  # fmt: skip
