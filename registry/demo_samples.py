"""Sample department files for trying imports on the demo district (registry/samples/).

The test files in registry/tests/data/ name the places of the tests' sample district (龙门东社区,
江宁路社区 …), which the demo district lacks: uploaded there, most of their rows failed for an
unknown community. The demo's samples are the same files with every place replaced by one of
the demo's own: the first community of a street (kept at every demo scale, tiny included) and a
grid number the demo's communities all have (each has at least seven). Their deliberate mistakes
stay (a cut ID number, a short one, a wrong phone number, an 18-digit household number), except
the invented community, which becomes a real one: its row still fails, for its phone number.

`write(folder)` makes both files; the committed copies are checked against it by
registry/tests/test_demo_samples.py, so they cannot drift from the demo's places.
"""

import csv
import io
import re
from pathlib import Path

import openpyxl

from core.demo import names
from core.exports import csv_writer, safe_cell

TEST_DATA = Path(__file__).parent / "tests" / "data"
SAMPLES = Path(__file__).parent / "samples"
POLICE = "demo_police_population_gbk.csv"
ROSTER = "demo_civil_affairs_allowance.xlsx"
FEWEST_GRIDS = 7  # core.demo.generate gives every community 7–12 grids


def _first_community(street: int) -> tuple[str, str]:
    """(street name, its first community's name) in the demo district."""
    street_name, stems = names.STREETS[street]
    return street_name, f"{stems[0]}社区"


# Each test community → the demo's (street, community), by index into core.demo.names.STREETS.
PLACES = {
    "钞库街社区": _first_community(0),  # 夫子庙街道
    "龙门东社区": _first_community(1),  # 双塘街道
    "长干里社区": _first_community(2),  # 中华门街道
    "江宁路社区": _first_community(3),  # 五老村街道
    "雨花路社区": _first_community(4),  # 洪武路街道
    "不存在社区": _first_community(5),  # 大光路街道 (the row keeps its bad phone number)
    "宏运社区": _first_community(10),  # 秦虹街道
    "红花社区": _first_community(11),  # 红花街道
}
GRID_RE = re.compile(r"^(?P<community>.+?社区)第0*(?P<seq>\d{1,2})网格$")


def demo_grid(text: str) -> str:
    """A test grid name (钞库街社区第07网格) as a grid of the demo (钞库街社区第7网格)."""
    m = GRID_RE.match(text)
    if not m or m["community"] not in PLACES:
        return text
    seq = (int(m["seq"]) - 1) % FEWEST_GRIDS + 1
    return f"{PLACES[m['community']][1]}第{seq}网格"


def police_file() -> bytes:
    """The police population file (GBK, CRLF) with the demo's grids."""
    text = (TEST_DATA / "police_population_gbk.csv").read_bytes().decode("gb18030")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    column = rows[0].index("所属网格")
    out = io.StringIO(newline="")
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow(rows[0])
    for row in rows[1:]:
        row[column] = demo_grid(row[column])
        writer.writerow(row)
    return out.getvalue().encode("gb18030")


def roster_workbook():
    """The civil-affairs allowance roster (the test file, loaded with openpyxl) with the demo's
    streets and communities written through core.exports.safe_cell, as every export's cells are."""
    workbook = openpyxl.load_workbook(TEST_DATA / "civil_affairs_allowance.xlsx")
    for street_cell, community_cell in workbook.active.iter_rows(min_row=5, min_col=2, max_col=3):
        place = PLACES.get(community_cell.value)
        if place is not None:
            street_cell.value, community_cell.value = (safe_cell(name) for name in place)
    return workbook


def write(folder: Path = SAMPLES) -> list[Path]:
    """Write both demo samples into `folder`; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    police = folder / POLICE
    police.write_bytes(police_file())
    roster = folder / ROSTER
    roster_workbook().save(roster)
    return [police, roster]
