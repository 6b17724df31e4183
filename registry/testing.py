"""Builders for registry tests: the small district plus the streets and communities that the
sample department files name (夫子庙街道/钞库街社区 …), made through the real services."""

from pathlib import Path

import openpyxl

from core import services
from core.identifiers import grid_code
from core.models import Place, Role
from core.testing import PASSWORD, SmallDistrict, build_small_district

# The sample department files (copied from the shared samples; never read from there).
DATA = Path(__file__).parent / "tests" / "data"

SAMPLE_STREETS = {
    "夫子庙街道": ["钞库街社区", "龙门东社区", "江宁路社区"],
    "中华门街道": ["长干里社区", "雨花路社区"],
    "红花街道": ["红花社区", "宏运社区"],
}
GRIDS_PER_COMMUNITY = 9


def build_sample_district() -> SmallDistrict:
    """build_small_district() with the sample files' places, 公安分局 (ga) and 退役军人事务局
    (tyjr) departments, and a 公安 officer account at users["ga_officer"]."""
    d = build_small_district()
    root = d.root
    for s, (street_name, communities) in enumerate(SAMPLE_STREETS.items(), start=3):
        street = services.place_create(
            actor=root, parent=d.district, name=street_name, code=f"{d.district.code}{s:03d}"
        )
        for c, name in enumerate(communities, start=1):
            community = services.place_create(
                actor=root, parent=street, name=name, code=f"{street.code}{c:03d}"
            )
            for g in range(1, GRIDS_PER_COMMUNITY + 1):
                services.place_create(
                    actor=root, parent=community, name=f"{name}第{g}网格",
                    code=grid_code(community_code=community.code, sequence=g),
                )  # fmt: skip
    ga = services.department_create(
        actor=root, district=d.district, name="公安分局", short_code="ga"
    )
    tyjr = services.department_create(
        actor=root, district=d.district, name="退役军人事务局", short_code="tyjr"
    )
    d.departments.extend([ga, tyjr])
    person = services.person_register(
        actor=root, place=d.district, name="公安内勤", mobile="13900009991",
        username="ga-officer", password=PASSWORD, password_is_temporary=False,
        role=Role.DEPARTMENT_OFFICER, department=ga,
    )  # fmt: skip
    d.users["ga_officer"] = person.account
    d.logins["ga_officer"] = "ga-officer"
    chaoku = Place.objects.get(name="钞库街社区", district=d.district)
    worker = services.person_register(
        actor=root, place=chaoku, name="钞库街社工", mobile="13900009992",
        username="chaoku-worker", password=PASSWORD, password_is_temporary=False,
        role=Role.COMMUNITY_WORKER,
    )  # fmt: skip
    d.users["chaoku_worker"] = worker.account
    d.logins["chaoku_worker"] = "chaoku-worker"
    return d


def fixed_roster(folder: Path) -> Path:
    """The civil-affairs roster with its three bad rows corrected."""
    wb = openpyxl.load_workbook(DATA / "civil_affairs_allowance.xlsx")
    for row in wb.active.iter_rows(min_row=5):
        if row[5].value == "32010419350612001X":
            row[5].value = "320104193506120018"
        elif row[5].value == "3201041938021":
            row[5].value = "32010419380210002X"
        elif row[2].value == "不存在社区":
            row[2].value = "宏运社区"
            row[7].value = "13812345670"
    path = folder / "roster-fixed.xlsx"
    wb.save(path)
    return path
