"""The service catalogue: items, their typed form fields and the default catalogue."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit
from core.clock import one_write
from core.models import Department, Place
from core.validation import require_perm as _require
from services.models import Applicant, Category, FieldType, Level, ServiceItem
from services.services.common import DEFAULT_DEADLINE_DAYS, _check_departments, _days, _text

FIELD_TYPES = {choice.value for choice in FieldType}


def clean_fields(fields) -> list[dict]:
    """Validate typed form field definitions; codes unique, lists carry their values."""
    if not isinstance(fields, list):
        raise ValidationError(_("表单字段格式不正确。"))
    cleaned, codes = [], set()
    for order, spec in enumerate(fields, start=1):
        if not isinstance(spec, dict):
            raise ValidationError(_("表单字段格式不正确。"))
        code = str(spec.get("code", "")).strip()
        if not code or not code.replace("_", "").isalnum() or not code.isascii() or len(code) > 32:
            raise ValidationError(_("字段编码应为1–32位字母、数字或下划线。"))
        if code in codes:
            raise ValidationError(_("字段编码“%(code)s”重复。"), params={"code": code})
        codes.add(code)
        datatype = spec.get("datatype", FieldType.STRING)
        if datatype not in FIELD_TYPES:
            raise ValidationError(_("字段类型“%(type)s”不受支持。"), params={"type": datatype})
        values = [[str(k), str(n)] for k, n in spec.get("values", [])]
        if datatype in (FieldType.SINGLE, FieldType.MULTI) and not values:
            raise ValidationError(_("选择类字段“%(code)s”需要给出选项。"), params={"code": code})
        cleaned.append(
            {
                "code": code,
                "label": _text(spec.get("label"), _("字段名称"), max_length=100),
                "datatype": datatype,
                "required": bool(spec.get("required", False)),
                "order": order,
                "help": str(spec.get("help", ""))[:200],
                "values": values,
            }
        )
    return cleaned


def _departments(district: Place, lead: Department, co) -> list[Department]:
    return _check_departments(
        district.pk, lead, co, lead_refusal=_("主办部门应为本区有效的职能部门。")
    )


@one_write
def item_create(
    *,
    actor,
    district: Place,
    code: str,
    name: str,
    category: str,
    lead_department: Department,
    co_departments=(),
    description: str = "",
    group: str = "",
    keywords: str = "",
    materials: str = "",
    fields=(),
    acceptance_days: int = 1,
    deadline_days: int | None = None,
    applicant: str = Applicant.ANYONE,
    sensitive: bool = False,
    handling_level: str = Level.DEPARTMENT,
) -> ServiceItem:
    """A catalogue item (version 1). ``sensitive``: about a person's circumstances, so the public
    outputs do not name it for a request (see ServiceItem.sensitive)."""
    _require(actor, "services.manage_catalogue", district)
    code = _text(code, _("事项编码"), max_length=32)
    if not code.isascii() or not code.replace("-", "").replace("_", "").isalnum():
        raise ValidationError(_("事项编码只能包含字母、数字、- 和 _。"))
    clean = _cleaners()
    category, applicant = clean["category"](category), clean["applicant"](applicant)
    handling_level = clean["handling_level"](handling_level)
    co = _departments(district, lead_department, co_departments)
    if ServiceItem.objects.filter(district=district, code=code).exists():
        raise ValidationError(_("事项编码“%(code)s”已存在。"), params={"code": code})
    item = ServiceItem.objects.create(
        district=district,
        code=code,
        name=clean["name"](name),
        description=clean["description"](description),
        category=category,
        group=clean["group"](group),
        keywords=clean["keywords"](keywords),
        lead_department=lead_department,
        materials=clean["materials"](materials),
        fields=clean["fields"](fields),
        acceptance_days=clean["acceptance_days"](acceptance_days),
        deadline_days=clean["deadline_days"](
            DEFAULT_DEADLINE_DAYS[category] if deadline_days is None else deadline_days
        ),
        applicant=applicant,
        sensitive=bool(sensitive),
        handling_level=handling_level,
    )
    item.co_departments.set(co)
    audit.record(
        actor=actor,
        action="services.item_create",
        obj=item,
        changes={"code": code, "name": item.name, "lead": lead_department.name},
        place=district,
    )
    return item


ITEM_FIELDS = {
    "name", "description", "category", "group", "keywords", "lead_department",
    "co_departments", "materials", "fields", "acceptance_days", "deadline_days",
    "applicant", "is_active", "sensitive", "handling_level",
}  # fmt: skip


def _one_of(choices, refusal):
    def check(value):
        if value not in choices.values:
            raise ValidationError(refusal)
        return value

    return check


def _words(label, max_length: int = 4000, required: bool = False):
    """A text field of an item: text (not a number or a list), at most ``max_length``."""

    def check(value):
        if value is not None and not isinstance(value, str):
            raise ValidationError(_("%(label)s应为文字。"), params={"label": label})
        return _text(value, label, required=required, max_length=max_length)

    return check


def _yes_or_no(label):
    def check(value):
        if not isinstance(value, bool):
            raise ValidationError(_("%(label)s应为“是”或“否”。"), params={"label": label})
        return value

    return check


def _cleaners() -> dict:
    """How item_create and item_update clean each field, in the order item_update checks them
    (the first refusal is the one shown)."""
    return {
        "name": _words(_("事项名称"), max_length=100, required=True),
        "category": _one_of(Category, _("请选择事项类别。")),
        "description": _words(_("说明")),
        "group": _words(_("领域"), max_length=50),
        "keywords": _words(_("关键词"), max_length=200),
        "materials": _words(_("所需材料")),
        "fields": lambda value: clean_fields(list(value) if isinstance(value, tuple) else value),
        "deadline_days": lambda value: _days(value, _("办理时限"), 0, 60),
        "acceptance_days": lambda value: _days(value, _("受理时限"), 0, 5),
        "applicant": _one_of(Applicant, _("请选择申请人范围。")),
        "is_active": _yes_or_no(_("有效")),
        "sensitive": bool,
        "handling_level": _one_of(Level, _("请选择处置层级。")),
    }


def _updated_co(item: ServiceItem, changes: dict, co):
    """The co-handling departments after the change, checked against the (new) lead; None when
    neither they nor the lead change."""
    if co is None and "lead_department" not in changes:
        return None
    lead = changes.get("lead_department", item.lead_department)
    return _departments(item.district, lead, co if co is not None else item.co_departments.all())


@one_write
def item_update(*, actor, item: ServiceItem, **changes) -> ServiceItem:
    """Change an item; the version goes up, requests keep the version they were filed under."""
    item = ServiceItem.objects.select_for_update().get(pk=item.pk)
    _require(actor, "services.manage_catalogue", item.district)
    unknown = set(changes) - ITEM_FIELDS
    if unknown:
        raise ValidationError(
            _("不能修改这些字段：%(f)s"), params={"f": ", ".join(sorted(unknown))}
        )
    co = changes.pop("co_departments", None)
    for name, clean in _cleaners().items():
        if name in changes:
            changes[name] = clean(changes[name])
    co = _updated_co(item, changes, co)
    diff = audit.diff(item, **changes)
    if co is not None:
        old = sorted(d.name for d in item.co_departments.all())
        new = sorted(d.name for d in co)
        if old != new:
            diff["co_departments"] = [old, new]
    if not diff:
        return item
    for name, value in changes.items():
        setattr(item, name, value)
    item.version += 1
    item.save()
    if co is not None:
        item.co_departments.set(co)
    audit.record(
        actor=actor, action="services.item_update", obj=item, changes=diff, place=item.district
    )
    return item


@one_write
def catalogue_seed(*, actor, district: Place) -> list[ServiceItem]:
    """Add the default catalogue items whose lead department exists in the district."""
    from services.catalogue_defaults import DEFAULT_ITEMS

    _require(actor, "services.manage_catalogue", district)
    departments = {d.short_code: d for d in Department.objects.filter(district=district)}
    created = []
    for spec in DEFAULT_ITEMS:
        lead = departments.get(spec["lead"])
        if (
            lead is None
            or ServiceItem.objects.filter(district=district, code=spec["code"]).exists()
        ):
            continue
        co = [departments[c] for c in spec.get("co", ()) if c in departments]
        created.append(
            item_create(
                actor=actor,
                district=district,
                code=spec["code"],
                name=spec["name"],
                category=spec["category"],
                group=spec.get("group", ""),
                keywords=spec.get("keywords", ""),
                description=spec.get("description", ""),
                materials=spec.get("materials", ""),
                lead_department=lead,
                co_departments=co,
                fields=spec.get("fields", ()),
                deadline_days=spec.get("days"),
                applicant=spec.get("applicant", Applicant.ANYONE),
                sensitive=spec.get("sensitive", False),
                handling_level=spec.get("level", Level.DEPARTMENT),
            )
        )
    return created
