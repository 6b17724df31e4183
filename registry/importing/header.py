"""Finding the header of a department's file and mapping its columns to registry fields; the
district's communities and grids by the names a file writes them with."""

import itertools
import re
from collections.abc import Iterator

from django.utils.translation import gettext as _

from core.identifiers import to_halfwidth
from core.models import Place, PlaceLevel
from registry import defaults, services
from registry.importing.reading import FileRejected, cell_text

HEADER_SCAN = 12
GRID_RE = re.compile(r"^(?P<community>.+?社区)第0*(?P<seq>\d{1,2})网格$")


def known_names(district: Place) -> dict[str, str]:
    """Every column title the registry recognises → field or structural key."""
    names = {}
    for key, titles in defaults.STRUCTURAL.items():
        for title in titles:
            names[title] = key
    for field in services.ensure_fields(district).values():
        for n in field.names():
            names[re.sub(r"\s+", "", to_halfwidth(n))] = field.key
    return names


def find_header(
    rows: Iterator[list], district: Place, saved: dict | None = None
) -> tuple[list[str], int, Iterator]:
    """(column titles, line number of the first data row, remaining rows).

    Skips a merged title row and filler rows (填报单位…); joins a two-row header whose top row
    has merged group cells ("老人基本信息" over 姓名/性别/…).
    """
    names = {**known_names(district), **(saved or {})}
    buffer = list(itertools.islice(rows, HEADER_SCAN))
    for index, row in enumerate(buffer):
        cells = [cell_text(c) for c in row]
        if sum(1 for c in cells if c in names) < 2:
            continue
        below = [cell_text(c) for c in buffer[index + 1]] if index + 1 < len(buffer) else []
        if _names_the_columns_below(cells, below, names):
            titles, first_data = _joined(cells, below), index + 2
        else:
            titles, first_data = cells, index + 1
        return titles, first_data + 1, itertools.chain(buffer[first_data:], rows)
    raise FileRejected(
        _("在前%(n)d行中没有找到表头（至少应有“姓名”“公民身份号码”等两个可识别的列名）。")
        % {"n": HEADER_SCAN}
    )


def _names_the_columns_below(cells: list[str], below: list[str], names: dict) -> bool:
    """Whether the row below is the lower row of a two-row header: every cell it fills is a
    known title, under a cell of the upper row that is empty or not a known title itself (a
    merged group cell such as "老人基本信息")."""
    filled = [i for i, c in enumerate(below) if c]
    return bool(filled) and all(
        below[i] in names and (i >= len(cells) or not cells[i] or cells[i] not in names)
        for i in filled
    )


def _joined(cells: list[str], below: list[str]) -> list[str]:
    """The titles of a two-row header: the lower row's title where it has one, else the upper's."""
    width = max(len(cells), len(below))
    cells, below = cells + [""] * (width - len(cells)), below + [""] * (width - len(below))
    return [lower or upper for upper, lower in zip(cells, below, strict=True)]


def mapping_for(titles: list[str], saved: dict, district: Place) -> dict[int, str]:
    names = known_names(district)
    result = {}
    for i, title in enumerate(titles):
        if not title:
            continue
        key = saved.get(title, names.get(title, ""))
        if key and key != "ignore":
            result[i] = key
    return result


class Places:
    """Communities and grids of a district, by name, loaded once per import."""

    def __init__(self, district: Place):
        places = Place.objects.filter(district=district, is_active=True).exclude(level="district")
        self.by_id = {p.pk: p for p in places}
        self.communities: dict[str, Place] = {}
        self.grids: dict[tuple[int, int], Place] = {}
        self.streets: dict[str, Place] = {}
        for p in self.by_id.values():
            if p.level == PlaceLevel.COMMUNITY:
                self.communities.setdefault(p.name, p)
            elif p.level == PlaceLevel.STREET:
                self.streets[p.name] = p
            elif p.level == PlaceLevel.GRID:
                self.grids[(p.parent_id, int(p.code[-2:]))] = p

    def community(self, name: str) -> Place | None:
        name = cell_text(name)
        return self.communities.get(name) or self.communities.get(name + "社区")

    def grid(self, text: str) -> tuple[Place | None, Place | None]:
        m = GRID_RE.match(cell_text(text))
        if not m:
            return None, None
        community = self.community(m["community"])
        if community is None:
            return None, None
        return community, self.grids.get((community.pk, int(m["seq"])))

    def of_row(self, data: dict) -> tuple[Place | None, Place | None]:
        """The community and grid a staged row names (by id, as the dry run found them)."""
        community = self.by_id.get(data["community"]) if data["community"] else None
        grid = self.by_id.get(data["grid"]) if data["grid"] else None
        return community, grid
