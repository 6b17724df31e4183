from django import forms
from django.utils.translation import gettext_lazy as _

from workforce.models import StaffingRule


class StaffingRuleForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("计算方式"), choices=StaffingRule.Kind.choices)
    per_10k_residents = forms.IntegerField(
        label=_("每万名居民配备人数"), required=False, min_value=0,
        help_text=_("按常住人口计算时填写，如18。"),
    )  # fmt: skip
    bands = forms.CharField(
        label=_("户数分档"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("按户数分档时填写，每行“户数上限,人数”，如“2000,3”表示不足2000户配3人。"),
    )  # fmt: skip
    step_households = forms.IntegerField(
        label=_("超出最高档后每增加户数加1人"), required=False, min_value=0
    )
    cap = forms.IntegerField(label=_("上限（不填为不设）"), required=False, min_value=0)
    source = forms.CharField(label=_("政策依据"), max_length=300)
    effective_from = forms.DateField(
        label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_bands(self) -> list:
        rows = []
        for line in (self.cleaned_data.get("bands") or "").splitlines():
            parts = line.replace("，", ",").split(",")
            if line.strip():
                rows.append([p.strip() for p in parts])
        return rows
