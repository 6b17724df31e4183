"""Forms only parse input; the services validate and decide."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from admission import selectors, steps
from admission.models import Frequency, JointMeeting, WorkKind
from admission.services import Decision
from core.forms import CommunitiesMixin, communities_field
from core.money import YuanField

# The shared stylesheet sizes every input to the full width; tick boxes and radios stay small.
SMALL = {
    "style": "width:1.25rem;height:1.25rem;min-height:0;margin:0 .45rem 0 0;vertical-align:middle"
}


DECISIONS = [
    (Decision.APPROVE, _("准入")),
    (Decision.APPROVE_WITH_CONDITIONS, _("附条件准入")),
    (Decision.REFUSE, _("不予准入")),
]


class EntryForm(forms.Form):
    key = forms.CharField(label=_("编号"), max_length=32)
    title = forms.CharField(label=_("事项名称"), max_length=200)
    category = forms.CharField(label=_("类别"), max_length=100, required=False)
    legal_basis = forms.CharField(
        label=_("法律政策依据"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    department = forms.ModelChoiceField(label=_("责任部门"), queryset=None, required=False)
    handled_by = forms.CharField(label=_("办理机关（证明事项）"), max_length=200, required=False)
    keywords = forms.CharField(
        label=_("匹配关键词（负面清单，逗号分隔）"), max_length=300, required=False
    )

    def __init__(self, *args, departments=None, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        if categories:
            self.fields["category"] = forms.ChoiceField(label=_("类别"), choices=categories)


class PublishForm(forms.Form):
    effective_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    source = forms.CharField(label=_("依据（文号）"), max_length=300, required=False)
    note = forms.CharField(
        label=_("修订说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RequestForm(CommunitiesMixin, forms.Form):
    submit_token = forms.CharField(widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=_("类型"), choices=WorkKind.choices)
    title = forms.CharField(label=_("事项名称"), max_length=200)
    description = forms.CharField(
        label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    cited_entry = forms.ModelChoiceField(
        label=_("对应清单事项（依法履职/依法协助）"), queryset=None, required=False
    )
    legal_basis = forms.CharField(
        label=_("法律政策依据"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("写明法律、法规或政策文件名称和条款。"),
    )
    form_fields = forms.CharField(
        label=_("报表字段（报表/台账类必填）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("要求社区填写的栏目，每行一个或用顿号分隔；系统会与本区已登记的报表比对。"),
    )
    materials = forms.CharField(
        label=_("所需材料（督查检查考核类，一次性告知）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一项；系统从已有台账调取，社区不另行准备迎检材料。"),
    )
    criteria = forms.CharField(
        label=_("检查考核标准（督查检查考核类）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一条；开会发文、拍照留痕、学习笔记不能作为标准。"),
    )
    all_communities = forms.BooleanField(
        label=_("全区所有社区"), required=False, widget=forms.CheckboxInput(attrs=SMALL)
    )
    communities = communities_field(
        _("涉及社区"), _("可按街道整街勾选，或输入名称筛选后勾选；也可勾选上面的“全区所有社区”。")
    )
    frequency = forms.ChoiceField(label=_("频次"), choices=Frequency.choices)
    minutes_per_community = forms.IntegerField(
        label=_("每社区每次预计用时（分钟）"), min_value=1, max_value=100000
    )
    funding = YuanField(
        empty_fen=0,
        label=_("随事转移经费（元）"),
        required=False,
        help_text=_("费随事转：随这项工作拨付给社区的经费总额。"),
    )
    period_start = forms.DateField(
        label=_("起始日期"), widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("截止日期"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, entries=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cited_entry"].queryset = entries
        self.fields["cited_entry"].empty_label = _("（不引用清单事项）")
        if not self.is_bound:
            self.initial.setdefault("submit_token", uuid.uuid4().hex)


class MeetingForm(forms.Form):
    submit_token = forms.CharField(widget=forms.HiddenInput)
    held_on = forms.DateField(
        label=_("会议日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    departments = forms.ModelMultipleChoiceField(
        label=_("参会部门"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple(attrs=SMALL),
        help_text=_("至少两个部门。"),
    )
    attendees = forms.CharField(
        label=_("出席人员"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一人，可写单位和职务；至少三人。"),
    )
    note = forms.CharField(
        label=_("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departments"].queryset = departments
        if not self.is_bound:
            self.initial.setdefault("submit_token", uuid.uuid4().hex)


class DecisionForm(forms.Form):
    request = forms.ModelChoiceField(label=_("审议的申请"), queryset=None)
    decision = forms.ChoiceField(
        label=_("审核结论"),
        choices=DECISIONS,
        widget=forms.RadioSelect(attrs=SMALL),
    )
    conditions = forms.CharField(
        label=_("附加条件"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    reasons = forms.CharField(
        label=_("理由（不予准入时必填，向所有社区公开）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, requests=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["request"].queryset = requests
        self.fields["request"].empty_label = _("（请选择）")


class PolicyForm(forms.Form):
    review_working_days = forms.IntegerField(
        label=_("审核期限（工作日）"), min_value=1, max_value=60
    )


class CertificateForm(forms.Form):
    community = forms.ModelChoiceField(label=_("社区"), queryset=None)
    entry = forms.ModelChoiceField(label=_("需要的证明"), queryset=None)
    subject_name = forms.CharField(
        label=_("证明对象姓名（出具时填写）"), max_length=50, required=False
    )
    purpose = forms.CharField(label=_("用途"), max_length=200, required=False)

    def __init__(self, *args, communities=None, entries=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["entry"].queryset = entries
        self.fields["entry"].empty_label = _("（请选择）")
        if communities is not None and communities.count() == 1:
            self.initial.setdefault("community", communities.first().pk)


# ---------------------------------------------------------------- the steps of a request


def _step_field(spec: steps.Input, request) -> forms.Field:
    """The form field of one input of a step (admission.steps), as the page shows it."""
    if spec.kind == steps.ENTRY:
        entry = forms.ModelChoiceField(
            label=spec.label, queryset=selectors.citable_entries(request.district), required=False
        )
        entry.empty_label = _("（不引用清单事项）")
        return entry
    if spec.kind == steps.FEN:
        return YuanField(label=spec.label, required=spec.required, empty_fen=0)
    if spec.kind == steps.MEETING:
        meetings = JointMeeting.objects.filter(district=request.district)
        return forms.ModelChoiceField(label=spec.label, queryset=meetings)
    if spec.kind == steps.DECISION:
        return forms.ChoiceField(
            label=spec.label, choices=DECISIONS, widget=forms.RadioSelect(attrs=SMALL)
        )
    # TEXT and FIELDS: the service checks the text and says what is wrong
    return forms.CharField(
        label=spec.label, required=spec.required, help_text=spec.help,
        widget=forms.Textarea(attrs={"rows": spec.rows}),
    )  # fmt: skip


def step_form(step: steps.Step, request, data=None) -> forms.Form:
    """The page's form for one step of an admission request, from the step's inputs."""
    fields = {spec.form_name: _step_field(spec, request) for spec in step.inputs}
    form_class = type(f"{step.name.title().replace('_', '')}Form", (forms.Form,), fields)
    initial = step.initial(request) if step.initial and data is None else None
    return form_class(data, initial=initial)


def step_data(step: steps.Step, form: forms.Form) -> dict:
    """A step form's cleaned values by the step's input names (None where a value is not valid:
    the service then says what is wrong)."""
    return {spec.name: form.cleaned_data.get(spec.form_name) for spec in step.inputs}
