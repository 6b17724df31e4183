"""Builders for registry tests: the small district plus the streets and communities that the
sample department files name (夫子庙街道/钞库街社区 …), made through the real services."""

from core import services
from core.identifiers import grid_code
from core.models import Place, Role
from core.testing import PASSWORD, SmallDistrict, build_small_district

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
        username="ga-officer", password=PASSWORD, role=Role.DEPARTMENT_OFFICER, department=ga,
    )  # fmt: skip
    d.users["ga_officer"] = person.account
    d.logins["ga_officer"] = "ga-officer"
    chaoku = Place.objects.get(name="钞库街社区", district=d.district)
    worker = services.person_register(
        actor=root, place=chaoku, name="钞库街社工", mobile="13900009992",
        username="chaoku-worker", password=PASSWORD, role=Role.COMMUNITY_WORKER,
    )  # fmt: skip
    d.users["chaoku_worker"] = worker.account
    d.logins["chaoku_worker"] = "chaoku-worker"
    return d
