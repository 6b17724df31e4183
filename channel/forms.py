from django import forms
from django.utils.translation import gettext_lazy as _

from channel.models import Post

WHEN = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DAY = forms.DateInput(attrs={"type": "date"})
WRITABLE = [(k.value, k.label) for k in Post.Kind if k != Post.Kind.DELIBERATION]


class PostForm(forms.Form):
    """A post; the event fields matter only for an event (the service says what is missing)."""

    community = forms.ModelChoiceField(label=_("社区"), queryset=None, empty_label=None)
    kind = forms.ChoiceField(label=_("类别"), choices=WRITABLE)
    title = forms.CharField(label=_("标题"), max_length=100)
    body = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 6}))
    contact = forms.CharField(
        label=_("联系方式"), max_length=100, required=False,
        help_text=_("便民服务必填：电话或地址"),
    )  # fmt: skip
    image = forms.FileField(
        label=_("图片（可不传）"), required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )  # fmt: skip
    location = forms.CharField(label=_("活动地点"), max_length=100, required=False)
    starts_at = forms.DateTimeField(label=_("活动开始时间"), required=False, widget=WHEN)
    signup_deadline = forms.DateTimeField(label=_("报名截止时间"), required=False, widget=WHEN)
    capacity = forms.IntegerField(label=_("名额"), required=False, min_value=1)

    def __init__(self, *args, communities=None, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["community"], self.fields["kind"]
        else:
            self.fields["community"].queryset = communities


class RuleForm(forms.Form):
    max_capacity = forms.IntegerField(label=_("单场活动名额上限"), min_value=1)
    cancel_hours = forms.IntegerField(label=_("活动开始前多少小时停止取消报名"), min_value=0)
    source = forms.CharField(label=_("政策依据"), max_length=300)
    effective_from = forms.DateField(label=_("生效日期"), widget=DAY)


def step_form(step, data=None) -> forms.Form:
    fields = {
        spec.name: forms.CharField(
            label=spec.label,
            required=spec.required,
            max_length=spec.max_length,
            widget=forms.Textarea(attrs={"rows": spec.rows}),
        )  # fmt: skip
        for spec in step.inputs
    }
    return type(f"{step.name.title()}Form", (forms.Form,), fields)(data)


def step_data(step, form) -> dict:
    return {spec.name: form.cleaned_data.get(spec.name, "") for spec in step.inputs}
