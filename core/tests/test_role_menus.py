"""Each role sees its own world (issue #21, item 7): the main menu shows a role only what it can
use, and every link the menu shows opens for that role (role × menu link → 200)."""

import re

import pytest

from core.models import Role

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav class="nav"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"[^>]*>([^<]*)</a>')

# What a role does not use, so its menu does not offer it.
NOT_IN_MENU = {
    Role.RESIDENT: {"辖区", "事项清单", "人员", "共享数据", "职能部门", "成效一览"},
    Role.SOCIAL_ORG_MEMBER: {"辖区", "事项清单", "人员", "共享数据", "职能部门", "成效一览"},
    Role.GRID_WORKER: {"辖区", "成效一览"},
    Role.COMMUNITY_WORKER: {"成效一览"},
    Role.DEPARTMENT_OFFICER: {"成效一览"},
}
# And what it does.
IN_MENU = {
    Role.RESIDENT: {"工作台", "诉求", "时间银行", "开证明", "我的信息"},
    Role.GRID_WORKER: {"人员", "共享数据", "诉求"},
    Role.COMMUNITY_WORKER: {"辖区", "事项清单", "人员", "共享数据", "社区任务"},
    Role.ADMIN: {"辖区", "事项清单", "操作记录", "工作日历", "成效一览"},
    Role.COORDINATOR: {"成效一览"},
    Role.STREET_OFFICER: {"成效一览"},
    Role.AUDITOR: {"成效一览"},
}
# Roles whose account page offers API tokens (people who script against the API).
API_TOKEN_ROLES = {
    Role.ADMIN,
    Role.COORDINATOR,
    Role.DEPARTMENT_OFFICER,
    Role.STREET_OFFICER,
    Role.COMMUNITY_WORKER,
    Role.AUDITOR,
    Role.OVERSIGHT_OFFICER,
}


def menu_of(client) -> dict[str, str]:
    """The main menu's entries on the workbench: text → address."""
    page = client.get("/").content.decode()
    (nav,) = NAV.findall(page)
    return {text.strip(): href for href, text in LINK.findall(nav)}


@pytest.mark.parametrize("role", [*Role, "root"])
def test_every_menu_link_opens_for_the_role(district_for_module, client, role):
    d = district_for_module
    user = d.root if role == "root" else d.users[f"{role}:own"]
    client.force_login(user)
    menu = menu_of(client)
    assert menu, role
    refused = {}
    for text, href in menu.items():
        status = client.get(href).status_code
        if status != 200:
            refused[text] = (href, status)
    assert not refused, f"{role}: menu links that do not open: {refused}"
    assert not NOT_IN_MENU.get(role, set()) & set(menu), (role, sorted(menu))
    assert IN_MENU.get(role, set()) <= set(menu), (role, sorted(menu))


@pytest.mark.parametrize("role", list(Role))
def test_api_tokens_offered_to_the_roles_that_script(district_for_module, client, role):
    client.force_login(district_for_module.users[f"{role}:own"])
    page = client.get("/account/").content.decode()
    assert ("API 令牌" in page) == (role in API_TOKEN_ROLES), role


@pytest.mark.parametrize("role", list(Role))
def test_submit_links_open_for_the_role(district_for_module, client, role):
    """我要反映 and 按此事项提交诉求 are offered only where the submit page opens (an auditor
    saw them and was refused)."""
    from services import services as request_services
    from services.models import ServiceItem

    d = district_for_module
    if not ServiceItem.objects.filter(district=d.district).exists():
        request_services.catalogue_seed(actor=d.root, district=d.district)
    item = ServiceItem.objects.filter(district=d.district).first()
    client.force_login(d.users[f"{role}:own"])
    pages = ["/services/", f"/services/catalogue/{item.pk}/"]
    links = []
    for page in pages:
        response = client.get(page)
        if response.status_code == 200:
            html = response.content.decode().replace("&amp;", "&")
            links += re.findall(r'href="(/services/new/[^"]*)"', html)
    refused = [link for link in links if client.get(link).status_code != 200]
    assert not refused, (role, refused)
