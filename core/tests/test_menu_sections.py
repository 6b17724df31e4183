"""A long menu is folded into sections by area (core.navigation.sections_for): a street officer's
two dozen entries fit one line on a desktop; a short menu stays as it is."""

import re

import pytest

from core.models import Role
from core.navigation import FLAT_UP_TO, entries_for, sections_for

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="nav"[^>]*>(.*?)</nav>', re.S)


def entry(name):
    return {"label": name, "url": f"/{name}/", "name": name}


def test_a_short_menu_is_not_folded():
    entries = [entry(f"services:e{i}") for i in range(FLAT_UP_TO)]
    assert sections_for(entries, None) == [{"entry": e} for e in entries]


def test_a_long_menu_is_folded_by_area():
    names = ["workbench", "services:home", "admission:catalogue", "registry:home",
             "workforce:staffing", "my_data", "civic:orgs", "owners:index", "audit_log", "calendar"]  # fmt: skip
    items = sections_for([entry(n) for n in names], "owners:index")
    shape = [
        i["entry"]["name"] if "entry" in i else [e["name"] for e in i["entries"]] for i in items
    ]
    assert shape == [
        "workbench",  # before every sectioned entry: leads
        ["services:home", "registry:home"],  # then the sections in the order of SECTIONS
        "admission:catalogue",  # a section of one entry is the entry itself
        "workforce:staffing",
        ["civic:orgs", "owners:index"],
        ["audit_log", "calendar"],
        "my_data",  # not in any section, after the first sectioned entry: last
    ]
    active = [i["label"] for i in items if i.get("active")]
    assert [str(a) for a in active] == ["共建共治"]


@pytest.mark.parametrize("role", [Role.STREET_OFFICER, Role.COORDINATOR, Role.ADMIN])
def test_staff_menus_with_many_entries_show_sections_and_every_entry(
    district_for_module, client, role
):
    user = district_for_module.users[f"{role}:own"]
    entries = entries_for(user)
    assert len(entries) > FLAT_UP_TO, "this role's menu is long enough to fold"
    client.force_login(user)
    (nav,) = NAV.findall(client.get("/").content.decode())
    assert nav.count("<details") >= 3
    assert nav.count("<summary>") == nav.count("<details")
    for e in entries:
        assert f'href="{e["url"]}"' in nav, e["name"]
    top_level = re.sub(r"<details.*?</details>", "", nav, flags=re.S)
    assert len(re.findall(r"<a href=", top_level)) <= FLAT_UP_TO


def test_a_resident_menu_is_flat(district_for_module, client):
    client.force_login(district_for_module.users[f"{Role.RESIDENT}:own"])
    (nav,) = NAV.findall(client.get("/").content.decode())
    assert "<details" not in nav
