"""Forms only parse input; the services validate and decide."""

import datetime
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import CommunitiesMixin, communities_field
from workload.models import RefusedWork, TimeLog


class DispatchForm(CommunitiesMixin, forms.Form):
    dispatch_token = forms.CharField(widget=forms.HiddenInput)
    title = forms.CharField(label=_("任务名称"), max_length=200)
    description = forms.CharField(
        label=_("要求"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    all_communities = forms.BooleanField(
        label=_("准入范围内的全部社区"),
        required=False,
        widget=forms.CheckboxInput(
            attrs={"style": "width:1.25rem;height:1.25rem;min-height:0;margin:0"}
        ),
    )
    communities = communities_field(
        _("社区"), _("只能选择准入范围内的社区；可按街道整街勾选，或输入名称筛选后勾选。")
    )
    due_in_working_days = forms.IntegerField(
        label=_("完成期限（工作日）"), min_value=1, max_value=250, initial=10
    )
    mismatch_reason = forms.CharField(
        label=_("与准入事项不完全相符的理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "任务名称和要求须与准入事项一致。系统核对相符度：明显不符的不能派发；"
            "部分相符的须在此说明理由，区减负办可见。"
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("dispatch_token", uuid.uuid4().hex)


class CompleteForm(forms.Form):
    minutes_spent = forms.IntegerField(label=_("实际用时（分钟）"), min_value=0, max_value=100000)
    result = forms.CharField(
        label=_("办理情况"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RefuseTaskForm(forms.Form):
    reason = forms.CharField(label=_("拒绝理由"), widget=forms.Textarea(attrs={"rows": 2}))


STREET_OFFICE = "street"


class UnadmittedForm(forms.Form):
    """``pusher``: a department's id, or STREET_OFFICE for the community's own street office;
    ``cleaned_data`` gives the service its ``department`` or ``street_office``."""

    community = forms.ModelChoiceField(label=_("社区"), queryset=None)
    pusher = forms.ChoiceField(label=_("派活单位（职能部门或街道办事处）"))
    channel = forms.ChoiceField(label=_("方式"), choices=RefusedWork.Channel.choices)
    description = forms.CharField(label=_("被要求做的事"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, communities=None, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.departments = departments
        self.fields["pusher"].choices = [("", "---------")] + [
            (str(d.pk), d.name) for d in departments
        ] + [(STREET_OFFICE, _("本街道办事处"))]  # fmt: skip
        if communities is not None and communities.count() == 1:
            self.initial.setdefault("community", communities.first().pk)

    def clean(self):
        data = super().clean()
        pusher = data.pop("pusher", "")
        data["street_office"] = pusher == STREET_OFFICE
        data["department"] = (
            None if pusher in ("", STREET_OFFICE) else self.departments.filter(pk=pusher).first()
        )
        return data


class TimeLogForm(forms.Form):
    submit_token = forms.CharField(widget=forms.HiddenInput)
    community = forms.ModelChoiceField(label=_("社区"), queryset=None)
    category = forms.ChoiceField(
        label=_("类别"),
        choices=TimeLog.Category.choices,
        widget=forms.RadioSelect(
            attrs={"style": "width:1.25rem;height:1.25rem;min-height:0;margin:0 .45rem 0 0"}
        ),
    )
    day = forms.DateField(
        label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    minutes = forms.IntegerField(label=_("用时（分钟）"), min_value=1, max_value=1440)
    note = forms.CharField(label=_("做了什么"), max_length=200)

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        if communities is not None and communities.count() == 1:
            self.initial.setdefault("community", communities.first().pk)
        if not self.is_bound:
            self.initial.setdefault("submit_token", uuid.uuid4().hex)


def parse_month(value: str, default: datetime.date) -> datetime.date:
    """'2026-11' → 2026-11-01; anything else → `default`'s month."""
    try:
        year, month = (int(part) for part in (value or "").split("-")[:2])
        return datetime.date(year, month, 1)
    except (TypeError, ValueError):
        return default.replace(day=1)
