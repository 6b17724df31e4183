"""Forms of the inspections, meetings and documents page (they only parse; services decide)."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from admission.forms import SMALL
from admission.models import CapKind, CapPer, SentDown
from core.forms import CommunitiesMixin, communities_field

DATE = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class _Token(forms.Form):
    submit_token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submit_token", uuid.uuid4().hex)


class CapForm(forms.Form):
    kind = forms.ChoiceField(label=_("类别"), choices=CapKind.choices)
    per = forms.ChoiceField(label=_("计算范围"), choices=CapPer.choices)
    yearly_limit = forms.IntegerField(label=_("年度上限"), min_value=0, max_value=10_000)
    source = forms.CharField(label=_("政策依据"), max_length=300)
    effective_from = forms.DateField(label=_("生效日期"), widget=DATE)


class PlanForm(forms.Form):
    department = forms.ModelChoiceField(label=_("报送单位"), queryset=None)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        from core.models import Department

        self.fields["department"].queryset = Department.objects.filter(pk__in=[u.pk for u in units])


class InspectionForm(_Token):
    community = forms.ModelChoiceField(label=_("被检查社区"), queryset=None)
    items = forms.ModelMultipleChoiceField(
        label=_("本次检查的准入事项（选两项以上即联合检查）"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    held_on = forms.DateField(label=_("检查日期"), widget=DATE)

    def __init__(self, *args, communities=None, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["items"].queryset = items


class RatingForm(forms.Form):
    inspection = forms.IntegerField(widget=forms.HiddenInput)
    score = forms.TypedChoiceField(
        label=_("评分"), coerce=int, choices=[(n, str(n)) for n in range(5, 0, -1)]
    )
    burden_free = forms.BooleanField(
        label=_("未要求准备迎检材料"), required=False, initial=True,
        widget=forms.CheckboxInput(attrs=SMALL),
    )  # fmt: skip
    comment = forms.CharField(label=_("评价说明"), max_length=500, required=False)


class SentDownForm(CommunitiesMixin, _Token):
    kind = forms.ChoiceField(label=_("类别"), choices=SentDown.Kind.choices)
    department = forms.ModelChoiceField(label=_("发出单位"), queryset=None)
    title = forms.CharField(label=_("标题"), max_length=200)
    day = forms.DateField(label=_("日期"), widget=DATE)
    length_chars = forms.IntegerField(
        label=_("文件字数"), required=False, min_value=0, max_value=1_000_000
    )
    special_topic = forms.BooleanField(
        label=_("专项工作文件（上限4000字）"), required=False,
        widget=forms.CheckboxInput(attrs=SMALL),
    )  # fmt: skip
    minutes = forms.IntegerField(
        label=_("会议时长（分钟）"), required=False, min_value=0, max_value=24 * 60
    )
    item = forms.ModelChoiceField(label=_("会议对应的准入事项"), queryset=None, required=False)
    all_communities = forms.BooleanField(
        label=_("全部可选社区"), required=False, widget=forms.CheckboxInput(attrs=SMALL)
    )
    communities = communities_field(_("涉及社区"), _("要求参会或收文的社区。"))

    def __init__(self, *args, units=(), items=None, **kwargs):
        super().__init__(*args, **kwargs)
        from core.models import Department

        self.fields["department"].queryset = Department.objects.filter(pk__in=[u.pk for u in units])
        self.fields["item"].queryset = items
        self.fields["item"].empty_label = _("（文件不需要）")
