"""Buildings and houses in a browser: a community worker, on a phone, finds the buildings of
their community by grid, registers a building (first with an address that is not one) and a
house in it; the building page lists houses, households and who lives there."""

import pytest

from core.models import Place
from core.testing import PASSWORD
from registry.models import Building, House
from registry.testing import DATA, build_sample_district
from registry.tests.conftest import import_file
from tests.browser.conftest import DESKTOP, PHONE, log_in, screenshots, submit

shot = screenshots()


@pytest.fixture
def district(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    d = build_sample_district()
    police = (DATA / "police_population_gbk.csv").read_bytes()
    police = police.rstrip(b"\r\n").rsplit(b"\r\n", 1)[0] + b"\r\n"  # minus its bad last line
    import_file(d, d.users["ga_officer"], "ga", "population.csv", police, "实有人口")
    return d


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_find_register_and_read_buildings(district, new_page, viewport):
    d = district
    page = new_page(viewport=viewport)
    log_in(page, d.logins["chaoku_worker"], PASSWORD)
    page.goto("/registry/buildings/")
    grid = Place.objects.get(name="钞库街社区第7网格")
    page.select_option("select[name=grid]", str(grid.pk))
    submit(page, "form.filters button")  # (the old page lists #buildings too)
    table = page.locator("#buildings").inner_text()
    assert "中华路249号6幢" in table and "建康路52号15幢" not in table
    shot(page, f"registry-buildings-{viewport['width']}")

    page.select_option("#id_community", label="钞库街社区")
    page.fill("#id_address", "长乐路")
    page.click("button.primary")
    assert "门牌号" in page.locator(".form-errors").inner_text()
    assert not Building.objects.filter(address="长乐路").exists()
    page.fill("#id_address", "长乐路88号2幢")
    page.click("button.primary")
    page.wait_for_url("**/registry/buildings/*/")
    page.fill("#id_unit", "3")
    page.fill("#id_number", "1201")
    page.click("form:has(input[value=house]) button")
    page.wait_for_selector("#houses >> text=3单元1201室")
    assert House.objects.filter(address="长乐路88号2幢3单元1201室").exists()

    page.goto(f"/registry/buildings/{Building.objects.get(address__endswith='中华路249号6幢').pk}/")
    houses = page.locator("#houses").inner_text()
    assert "817室" in houses and "周芳平" in houses and "3201040000001" in houses
    shot(page, f"registry-building-{viewport['width']}")
