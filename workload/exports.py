"""Excel files generated from traces and tasks (openpyxl, through core.exports.SafeWorkbook: notes
and titles are typed by people, and never come back as formulas)."""

import io

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core import clock
from core.exports import SafeWorkbook

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
    workbook = SafeWorkbook()
    rows = [
        (
            clock.shown(t.at, "%Y-%m-%d %H:%M"),
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
        _("%(month)s台账") % {"month": f"{month:%Y-%m}"},
        [
            _("时间"), _("事件"), _("准入编号"), _("准入事项"), _("部门"), _("任务"),
            _("经办人"), _("用时（分钟）"), _("说明"),
        ],
        rows,
        [18, 14, 22, 30, 18, 30, 12, 12, 40],
    )  # fmt: skip
    total = len(rows) + 2
    sheet.cell(
        row=total + 1,
        column=1,
        value=_("%(community)s %(month)s工作台账")
        % {"community": community.name, "month": date_format(month, "YEAR_MONTH_FORMAT")},
    )
    sheet.cell(
        row=total + 2,
        column=1,
        value=_("由系统根据工作留痕自动生成于 %(time)s，不需手工填写。")
        % {"time": clock.shown(clock.now(), "%Y-%m-%d %H:%M")},
    )
    return _save(workbook)


def burden_workbook(*, months, communities, rows) -> bytes:
    workbook = SafeWorkbook()
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
                    r.meetings,
                    r.estimated_minutes,
                    r.logged_minutes,
                    r.refused_unadmitted,
                    r.index_hours,
                    r.service_minutes,
                    r.self_government_minutes,
                    _percent(r.administration_share),
                    _percent(r.service_share),
                    _percent(r.self_government_share),
                )
            )
    sheet = _sheet(
        workbook,
        _("社区负担指数"),
        [
            _("社区"), _("月份"), _("准入事项数"), _("任务数"), _("已完成"), _("报表"),
            _("督查检查考核"), _("会议"), _("预计用时（分钟）"), _("实际用时（分钟）"),
            _("拒绝未准入事项"), _("负担指数（小时）"), _("为民服务用时（分钟）"),
            _("居民自治用时（分钟）"), _("行政事务占比"), _("为民服务占比"), _("居民自治占比"),
        ],
        data,
        [22, 10, 12, 10, 10, 8, 14, 8, 16, 16, 16, 16, 18, 18, 14, 14, 14],
    )  # fmt: skip
    for column in range(15, 18):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            cell.number_format = "0%"
    return _save(workbook)


def _percent(share: int | None) -> float | None:
    """A share in per cent as the fraction Excel formats as a percentage (empty if unknown)."""
    return None if share is None else share / 100


def _save(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
