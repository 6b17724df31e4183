"""The yearly evaluation of a compound's property companies (物业服务企业年度评价), for the
owners' committee and the community: per company and year, the requests routed to it, the share
closed by the deadline, the share returned to the community and the residents' satisfaction
(满意率: 满意 and 基本满意 among the rated), read from the routed rows (services.selectors)."""

import datetime
from dataclasses import dataclass
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from owners.models import Compound, PropertyCompany
from services import selectors as request_selectors


@dataclass
class Row:
    company: str
    routed: int
    closed: int
    on_time: int
    returned: int
    rated: int
    satisfied: int

    @staticmethod
    def share(part: int, whole: int) -> str:
        return f"{part * 100 / whole:.1f}%" if whole else "—"

    @property
    def on_time_share(self) -> str:
        return self.share(self.on_time, self.closed)

    @property
    def returned_share(self) -> str:
        return self.share(self.returned, self.routed)

    @property
    def satisfaction(self) -> str:
        return self.share(self.satisfied, self.rated)


def rows_for(compound: Compound, year: int) -> list[Row]:
    zone = timezone.get_default_timezone()  # Beijing time: a year starts at its local midnight
    start = datetime.datetime(year, 1, 1, tzinfo=zone)
    end = datetime.datetime(year + 1, 1, 1, tzinfo=zone)
    figures = request_selectors.property_figures(compound_id=compound.pk, start=start, end=end)
    names = dict(PropertyCompany.objects.filter(pk__in=figures).values_list("pk", "name"))
    return [Row(names.get(pk, str(pk)), **counts) for pk, counts in sorted(figures.items())]


COLUMNS = (
    ("company", gettext_noop("物业服务企业")),
    ("routed", gettext_noop("转办诉求")),
    ("closed", gettext_noop("办结")),
    ("on_time_share", gettext_noop("按期办结率")),
    ("returned_share", gettext_noop("退回率")),
    ("rated", gettext_noop("评价数")),
    ("satisfaction", gettext_noop("满意率")),
)


def workbook(compound: Compound, year: int, rows: list[Row]) -> bytes:
    from core.exports import SafeWorkbook

    book = SafeWorkbook()
    sheet = book.active
    sheet.title = _("物业年度评价")
    sheet.append([f"{compound.name} {year}"])
    sheet.append([_(label) for _key, label in COLUMNS])
    for row in rows:
        sheet.append([getattr(row, key) for key, _label in COLUMNS])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
