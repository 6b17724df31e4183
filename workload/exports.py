"""Excel files generated from traces and tasks (openpyxl). Nothing here is typed by hand."""

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

HEADER_FONT = Font(bold=True)


def _sheet(workbook, title: str, header: list[str], rows, widths: list[int]):
    sheet = workbook.active
    sheet.title = title
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = HEADER_FONT
        cell.alignment = Alignment(vertical="center")
    for row in rows:
        sheet.append(row)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    return sheet


def ledger_workbook(*, community, month, traces) -> bytes:
    """The community's work ledger (台账) for a month, from its traces."""
    workbook = Workbook()
    rows = [
        (
            timezone.localtime(t.at).strftime("%Y-%m-%d %H:%M"),
            t.get_action_display(),
            t.item.number if t.item else "",
            t.item.title if t.item else "",
            t.department.name,
            t.task.title if t.task else "",
            t.actor_name,
            t.minutes,
            t.note,
        )
        for t in traces
    ]
    sheet = _sheet(
        workbook,
        f"{month:%Y-%m}台账",
        ["时间", "事件", "准入编号", "准入事项", "部门", "任务", "经办人", "用时（分钟）", "说明"],
        rows,
        [18, 14, 22, 30, 18, 30, 12, 12, 40],
    )
    total = len(rows) + 2
    sheet.cell(row=total + 1, column=1, value=f"{community.name} {month:%Y年%m月}工作台账")
    sheet.cell(
        row=total + 2,
        column=1,
        value=f"由系统根据工作留痕自动生成于 {timezone.localtime():%Y-%m-%d %H:%M}，不需手工填写。",
    )
    return _save(workbook)


def burden_workbook(*, months, communities, rows) -> bytes:
    workbook = Workbook()
    data = []
    for community in communities:
        for month in months:
            r = rows.get((community.pk, month))
            if r is None:
                continue
            data.append(
                (
                    community.name,
                    f"{month:%Y-%m}",
                    r.admitted_items,
                    r.tasks,
                    r.done,
                    r.forms,
                    r.inspections,
                    r.estimated_minutes,
                    r.logged_minutes,
                    r.refused_unadmitted,
                    r.index_hours,
                )  # fmt: skip
            )
    _sheet(
        workbook,
        "社区负担指数",
        [
            "社区", "月份", "准入事项数", "任务数", "已完成", "报表", "督查检查考核",
            "预计用时（分钟）", "实际用时（分钟）", "拒绝未准入事项", "负担指数（小时）",
        ],
        data,
        [22, 10, 12, 10, 10, 8, 14, 16, 16, 16, 16],
    )  # fmt: skip
    return _save(workbook)


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
