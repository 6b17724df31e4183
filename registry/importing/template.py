"""The blank Excel file a department fills to import: its columns as the importer recognises
them, the ID column already formatted as text (so Excel cannot cut the numbers to 15 digits),
the district's streets and communities spelled as the registry spells them, and how to fill it."""

import io

from django.utils.translation import gettext as _

from core.exports import SafeWorkbook
from core.models import Department, Place, PlaceLevel
from registry import defaults, services

# Rows formatted in advance: Excel keeps a column's text format for the cells below.
FORMATTED_ROWS = 2000
LEADING_KEYS = ("name", "id_number", "gender", "birth_date", "phone")
# Long digit strings Excel would otherwise turn into numbers (cut to 15 digits, or 0 dropped).
TEXT_KEYS = {"id_number", "phone", "household_no"}


def import_template(department: Department) -> io.BytesIO:
    district = department.district
    fields = services.ensure_fields(district)
    chosen = [fields[k] for k in LEADING_KEYS if k in fields]
    chosen += [f for f in fields.values() if f.owner_id == department.pk and f not in chosen]
    columns = [(defaults.STRUCTURAL["street"][0], ""), (defaults.STRUCTURAL["community"][0], "")]
    columns += [(f.label, f.key) for f in chosen]
    workbook = SafeWorkbook()
    sheet = workbook.active
    sheet.title = _("导入模板")
    sheet.append([title for title, _key in columns])
    for index, (title, key) in enumerate(columns, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, len(title) * 2 + 4)
        if key in TEXT_KEYS:
            for row in range(2, FORMATTED_ROWS + 2):
                sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"
    _instructions(workbook.create_sheet(_("填写说明")), department)
    _places(workbook.create_sheet(_("街道和社区名称")), district)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return out


def _instructions(sheet, department: Department) -> None:
    lines = [
        _("%(d)s导入模板") % {"d": department.name},
        _(
            "1. 一行一人；第一行是表头，请不要改动列名。可以删掉不用的列，也可以加列（检查时可指定映射）。"
        ),
        _(
            "2. 身份证号和电话列已设为“文本”格式：请直接粘贴号码，不要改成数字格式，否则Excel会把18位号码的后三位变成0。"
        ),
        _("3. 街道和社区名称请按“街道和社区名称”表填写，与系统一致才能对上。"),
        _("4. 日期写成2026-12-01或2026/12/01；是否类的列填“是”或“否”。"),
        _("5. 上传后系统先逐行检查，有错误会列出行号和原因；改正后整批导入，不会只导入一部分。"),
    ]
    for line in lines:
        sheet.append([line])
    sheet.column_dimensions["A"].width = 100


def _places(sheet, district: Place) -> None:
    sheet.append([_("街道"), _("社区")])
    communities = (
        Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY, is_active=True)
        .select_related("parent")
        .order_by("parent__code", "code")
    )
    for community in communities:
        sheet.append([community.parent.name, community.name])
    sheet.column_dimensions["A"].width = sheet.column_dimensions["B"].width = 20
