"""Forms of the services pages; the services do the real checking."""

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from services.models import Applicant, Category, FieldType, Level, Rating


def answer_field(spec: dict) -> forms.Field:
    label, required, help_text = spec["label"], spec["required"], spec.get("help", "")
    datatype = spec["datatype"]
    common = {"label": label, "required": required, "help_text": help_text}
    if datatype == FieldType.SINGLE:
        return forms.ChoiceField(choices=[("", "——"), *spec["values"]], **common)
    if datatype == FieldType.MULTI:
        return forms.MultipleChoiceField(
            choices=spec["values"], widget=forms.CheckboxSelectMultiple, **common
        )
    if datatype == FieldType.TEXT:
        return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
    if datatype == FieldType.NUMBER:
        return forms.CharField(widget=forms.TextInput(attrs={"inputmode": "decimal"}), **common)
    if datatype == FieldType.DATETIME:
        return forms.CharField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common
        )
    return forms.CharField(max_length=200, **common)


class RequestForm(forms.Form):
    """Submit a request: the item's own fields, then the problem, the place and a photo."""

    client_key = forms.CharField(widget=forms.HiddenInput, required=False)
    category = forms.ChoiceField(
        label=_("类别"), choices=Category.choices, initial=Category.HELP, required=False
    )
    title = forms.CharField(label=_("标题"), max_length=100, required=False)
    description = forms.CharField(
        label=_("诉求内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("请描述问题、时间和具体位置")}),
    )
    place = forms.ModelChoiceField(label=_("所在社区/网格"), queryset=None, empty_label=None)
    address = forms.CharField(
        label=_("详细地址"), max_length=200, required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：某某小区3栋2单元门口")}),
    )  # fmt: skip
    # A pin on the map fills these; they can also be typed. The service checks the ranges.
    lat = forms.CharField(
        label=_("纬度"), required=False, max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "32.0415"}),
    )  # fmt: skip
    long = forms.CharField(
        label=_("经度"), required=False, max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "118.7946"}),
    )  # fmt: skip
    photo = forms.FileField(
        label=_("照片"),
        required=False,
        help_text=_("JPG、PNG、GIF 或 WebP，不超过5MB"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )

    def __init__(self, *args, item=None, places=None, intake=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.fields["place"].queryset = places
        self.fields["place"].label_from_instance = lambda p: p.name
        if not self.is_bound:
            self.initial.setdefault("client_key", uuid.uuid4().hex)
        if item is not None:
            del self.fields["category"]
            self.fields["title"].widget = forms.HiddenInput()
        specs = list(item.fields) if item is not None else []
        answer_fields = {f"a_{spec['code']}": answer_field(spec) for spec in specs}
        # The item's own fields come first, then the free description.
        ordered = {}
        for name, field in self.fields.items():
            if name == "description":
                ordered.update(answer_fields)
            ordered[name] = field
        self.fields = ordered
        if intake:
            self.fields["resident_mobile"] = forms.CharField(
                label=_("居民手机号"), required=False, max_length=20,
                help_text=_("已登记的居民填手机号即可关联；未登记的填下面的联系人"),
            )  # fmt: skip
            self.fields["contact_name"] = forms.CharField(
                label=_("联系人"), required=False, max_length=50
            )
            self.fields["contact_phone"] = forms.CharField(
                label=_("联系电话"), required=False, max_length=20
            )

    def answers(self) -> dict:
        data = self.cleaned_data
        return {
            name[2:]: value
            for name, value in data.items()
            if name.startswith("a_") and value not in (None, "", [])
        }


class RateForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("您的评价"), choices=Rating.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("评价说明"), required=False, max_length=500,
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": _("不满意时请说明原因")}),
    )  # fmt: skip


class ItemForm(forms.Form):
    """Edit a catalogue item; the typed fields are edited as JSON (a list of field specs)."""

    name = forms.CharField(label=_("事项名称"), max_length=100)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices)
    group = forms.CharField(label=_("领域"), max_length=50, required=False)
    keywords = forms.CharField(label=_("关键词"), max_length=200, required=False)
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    materials = forms.CharField(
        label=_("所需材料"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    lead_department = forms.ModelChoiceField(label=_("主办部门"), queryset=None)
    co_departments = forms.ModelMultipleChoiceField(
        label=_("协办部门"), queryset=None, required=False
    )
    acceptance_days = forms.IntegerField(label=_("受理时限（工作日）"), min_value=0, max_value=5)
    deadline_days = forms.IntegerField(label=_("办理时限（工作日）"), min_value=0, max_value=60)
    applicant = forms.ChoiceField(label=_("申请人"), choices=Applicant.choices)
    handling_level = forms.ChoiceField(
        label=_("处置层级"), choices=Level.choices, initial=Level.DEPARTMENT, required=False,
        help_text=_("诉求先由哪一级处置；处置不了的逐级上报"),
    )  # fmt: skip
    sensitive = forms.BooleanField(
        label=_("涉及个人情况"),
        required=False,
        help_text=_(
            "如困难救助、养老、残疾、健康、欠薪：对外公开的接口不显示该事项的名称和主办部门"
        ),
    )
    fields_json = forms.JSONField(
        label=_("表单字段（JSON）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "code"}),
        help_text=_(
            '如 [{"code": "age", "label": "年龄", "datatype": "number", "required": true}]'
        ),
    )
    is_active = forms.BooleanField(label=_("有效"), required=False)

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead_department"].queryset = departments
        self.fields["co_departments"].queryset = departments

    def clean_handling_level(self):
        return self.cleaned_data.get("handling_level") or Level.DEPARTMENT


class ItemNewForm(ItemForm):
    """A new catalogue item: the same fields as editing, plus its code (fixed once created)."""

    code = forms.CharField(
        label=_("事项编码"),
        max_length=32,
        help_text=_("字母、数字、- 和 _，如 CG-010；创建后不能修改"),
    )
    field_order = ["code", "name", "category"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deadline_days"].required = False
        self.fields["deadline_days"].help_text = _("不填则按类别的默认时限")
        del self.fields["is_active"]


class Open311KeyForm(forms.Form):
    name = forms.CharField(label=_("第三方应用名称"), max_length=100)
