from django import forms
from django.utils.translation import gettext_lazy as _

from registry import defaults


class UploadForm(forms.Form):
    department = forms.ModelChoiceField(label=_("来源部门"), queryset=None)
    source_name = forms.CharField(
        label=_("数据来源名称"),
        max_length=100,
        help_text=_("如“高龄津贴发放名册”；同名来源沿用已保存的列映射。"),
    )
    file = forms.FileField(label=_("文件（.xlsx或.csv）"))

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        if departments.count() == 1:
            self.fields["department"].initial = departments.first()


class SettleForm(forms.Form):
    keep = forms.ChoiceField(
        label=_("核定结果"),
        choices=[("shown", _("保留现值")), ("challenger", _("采用新值"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("核定说明"), max_length=200, required=False)


class ReportRegisterForm(forms.Form):
    department = forms.ModelChoiceField(label=_("报表部门"), queryset=None)
    item = forms.TypedChoiceField(
        label=_("准入事项（报表/台账类）"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("要求社区填报的报表须先经区减负办准入（一表通）；只列出现行有效的报表类事项。"),
    )
    name = forms.CharField(label=_("报表名称"), max_length=100)
    fields = forms.MultipleChoiceField(
        label=_("从字段库选用（自动填写）"), required=False, widget=forms.CheckboxSelectMultiple
    )
    new_columns = forms.CharField(
        label=_("需社区新采集的列"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一列。字段库已有的信息会被拒绝，请直接从上面选用。"),
    )
    tags = forms.MultipleChoiceField(
        label=_("统计对象"), required=False, widget=forms.CheckboxSelectMultiple
    )
    min_age = forms.IntegerField(label=_("最小年龄"), required=False, min_value=0, max_value=150)

    def __init__(self, *args, departments, registry_fields, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        if departments.count() == 1:
            self.fields["department"].initial = departments.first()
        self.items = {item.pk: item for item in items}
        self.fields["item"].choices = [("", _("（请选择准入事项）"))] + [
            (item.pk, f"{item.number} {item.title}（{item.department.name}）") for item in items
        ]
        self.fields["fields"].choices = [
            (f.key, f"{f.label}（{f.owner_label}）") for f in registry_fields
        ]
        self.fields["tags"].choices = [
            *defaults.DERIVED_TAGS.items(),
            *[(f.key, f.label) for f in registry_fields if f.is_tag],
        ]


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("台账处理"),
        choices=[("kept", _("保留")), ("stopped", _("停用")), ("merged", _("合并"))],
    )
    merged_into = forms.ModelChoiceField(label=_("合并到"), queryset=None, required=False)
    note = forms.CharField(label=_("理由"), max_length=200, required=False)
    # Keeping a form registered before the gate: the admitted item of kind form it stands on.
    item = forms.ModelChoiceField(label=_("准入事项"), queryset=None, required=False)

    def __init__(self, *args, reports, items=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["merged_into"].queryset = reports
        self.fields["item"].queryset = items


class GrantForm(forms.Form):
    department = forms.ModelChoiceField(label=_("部门"), queryset=None)
    purpose = forms.CharField(label=_("共享用途"), max_length=100)
    fields = forms.MultipleChoiceField(label=_("授权字段"), widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, departments, registry_fields, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["fields"].choices = [(f.key, f.label) for f in registry_fields]


class OrganisationForm(forms.Form):
    community = forms.ModelChoiceField(label=_("所属社区"), queryset=None)
    name = forms.CharField(label=_("名称"), max_length=100)
    uscc_code = forms.CharField(label=_("统一社会信用代码"), max_length=30)
    kind = forms.CharField(label=_("类型"), max_length=20, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)

    def __init__(self, *args, communities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities


class BuildingForm(forms.Form):
    community = forms.ModelChoiceField(label=_("所属社区"), queryset=None)
    grid = forms.ModelChoiceField(label=_("所属网格"), queryset=None, required=False)
    address = forms.CharField(
        label=_("楼栋地址"), max_length=200, help_text=_("写到门牌号或幢（栋），如“中华路249号6幢”")
    )

    def __init__(self, *args, communities, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities
        self.fields["grid"].queryset = grids


class BuildingEditForm(forms.Form):
    address = forms.CharField(label=_("楼栋地址"), max_length=200)
    grid = forms.ModelChoiceField(label=_("所属网格"), queryset=None, required=False)

    def __init__(self, *args, grids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = grids


class HouseForm(forms.Form):
    unit = forms.CharField(label=_("单元"), max_length=10, required=False,
                           help_text=_("没有单元的楼栋留空"))  # fmt: skip
    number = forms.CharField(label=_("室号"), max_length=10, help_text=_("如“502”"))
