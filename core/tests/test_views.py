"""Core pages through the HTTP stack: scoping, bad input, and what is written."""

import pytest
from django.urls import reverse

from core.models import AuditEvent, Person, Place, Role
from core.testing import PASSWORD, build_small_district


@pytest.fixture
def d(db):
    return build_small_district()


def logged_in(client, d, key):
    assert client.login(username=d.logins[key], password=PASSWORD)
    return client


STAFF_PAGES = ["workbench", "place_list", "department_list", "person_list", "account", "my_data"]


@pytest.mark.parametrize("role", list(Role))
def test_every_role_gets_pages_without_errors(client, d, role):
    logged_in(client, d, f"{role}:own")
    for name in STAFF_PAGES + ["notifications", "audit_log", "calendar"]:
        response = client.get(reverse(name))
        assert response.status_code in (200, 403), (name, response.status_code)
    allowed = {
        "audit_log": role in {Role.ADMIN, Role.AUDITOR},
        "calendar": role == Role.ADMIN,
        "person_list": role not in {Role.RESIDENT, Role.SOCIAL_ORG_MEMBER, Role.SUPERVISION_MEMBER},
    }
    for name, ok in allowed.items():
        assert client.get(reverse(name)).status_code == (200 if ok else 403), name


def test_anonymous_is_sent_to_login(client, d):
    response = client.get(reverse("place_list"))
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_place_outside_scope_is_not_found(client, d):
    logged_in(client, d, "street_officer:own")
    assert client.get(reverse("place_detail", args=[d.communities[0].pk])).status_code == 200
    assert client.get(reverse("place_detail", args=[d.communities[2].pk])).status_code == 404
    assert client.get(reverse("place_detail", args=[999999])).status_code == 404
    listed = client.get(reverse("place_list"), {"level": "community"}).content.decode()
    assert d.communities[0].name in listed and d.communities[2].name not in listed


def test_invalid_child_code_shows_the_reason_and_writes_nothing(client, d):
    logged_in(client, d, "coordinator:own")
    before = (Place.objects.count(), AuditEvent.objects.count())
    response = client.post(
        reverse("place_detail", args=[d.streets[0].pk]),
        {
            "action": "add_child",
            "name": "新社区",
            "code": "12345",
            "population": 1,
            "households": 1,
        },
    )
    assert response.status_code == 200
    assert "社区代码应为12位数字" in response.content.decode()
    assert (Place.objects.count(), AuditEvent.objects.count()) == before


def test_add_child_then_history_shows_it(client, d):
    logged_in(client, d, "coordinator:own")
    code = d.streets[0].code + "050"
    response = client.post(
        reverse("place_detail", args=[d.streets[0].pk]),
        {"action": "add_child", "name": "新社区", "code": code, "population": 10, "households": 4},
        follow=True,
    )
    assert "已新建" in response.content.decode()
    place = Place.objects.get(code=code)
    assert place.parent == d.streets[0] and place.events.filter(kind="created").exists()


def test_street_officer_cannot_post_to_another_street(client, d):
    logged_in(client, d, "street_officer:own")
    target = d.communities[2]
    response = client.post(
        reverse("place_detail", args=[target.pk]),
        {"action": "update", "name": "改名", "population": 1, "households": 1},
    )
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.name != "改名"


def test_garbage_form_input_is_refused_not_crashed(client, d):
    logged_in(client, d, "admin:own")
    url = reverse("place_detail", args=[d.grids[0].pk])
    for data in (
        {"action": "update", "name": "", "population": "x", "households": "-1"},
        {"action": "move", "new_parent": "999999", "new_code": ""},
        {"action": "merge", "into": "abc"},
        {"action": "nonsense"},
    ):
        assert client.post(url, data).status_code == 200
    assert client.get(reverse("place_list"), {"page": "abc", "level": "<x>"}).status_code == 200
    assert client.get(reverse("audit_log"), {"since": "not-a-date"}).status_code == 200
    assert client.get(reverse("calendar"), {"year": "99999999"}).status_code == 200
    response = client.post(reverse("calendar"), {"action": "set_day", "date": "2026-02-30"})
    assert "日期格式不正确" in response.content.decode()


def test_register_person_page_refuses_bad_id_and_keeps_nothing(client, d):
    logged_in(client, d, "community_worker:own")
    count = Person.objects.count()
    response = client.post(
        reverse("person_register"),
        {"place": d.communities[0].pk, "name": "张三", "id_number": "320104195001011230"},
    )
    assert "校验位不正确" in response.content.decode()
    assert Person.objects.count() == count
    # a place outside the worker's community is not even offered
    response = client.post(reverse("person_register"), {"place": d.communities[2].pk, "name": "x"})
    assert "选择一个有效的选项" in response.content.decode() or "Select a valid choice" in (
        response.content.decode()
    )
    assert Person.objects.count() == count


def test_people_list_is_masked_and_scoped(client, d):
    from core import services

    services.person_register(
        actor=d.root, place=d.grids[0], name="赵六", id_number="320104198507153818"
    )
    services.person_register(actor=d.root, place=d.grids[4], name="钱七")
    logged_in(client, d, "grid_worker:own")
    page = client.get(reverse("person_list")).content.decode()
    assert "赵六" in page and "320104********3818" in page and "320104198507153818" not in page
    assert "钱七" not in page
    # exact search by full ID number works through the keyed hash
    found = client.get(reverse("person_list"), {"q": "320104198507153818"}).content.decode()
    assert "赵六" in found


def test_reveal_on_page_is_logged_and_resident_sees_who_read(client, d):
    from core import services

    person = services.person_register(
        actor=d.root,
        place=d.grids[0],
        name="孙八",
        id_number="320104198507153818",
        mobile="13912345678",
        password=PASSWORD,
        password_is_temporary=False,
        role=Role.RESIDENT,
    )
    logged_in(client, d, "community_worker:own")
    page = client.post(
        reverse("person_detail", args=[person.pk]),
        {"action": "reveal", "field": "id_number", "purpose": "低保复核"},
    ).content.decode()
    assert "320104198507153818" in page
    client.logout()
    assert client.login(username="13912345678", password=PASSWORD)
    mine = client.get(reverse("my_data")).content.decode()
    assert "低保复核" in mine


def test_auditor_exports_only_their_street(client, d):
    logged_in(client, d, "auditor:own")
    body = b"".join(client.get(reverse("audit_export")).streaming_content).decode("utf-8-sig")
    assert d.communities[0].name in body
    assert d.communities[2].name not in body
    assert AuditEvent.objects.filter(action="audit.export").exists()


def test_api_token_is_shown_once(client, d):
    logged_in(client, d, "admin:own")
    data = {"action": "token", "name": "对接", "scope": "write", "days": "90"}
    page = client.post(reverse("account"), data).content.decode()
    assert "ll_" in page
    again = client.get(reverse("account")).content.decode()
    assert "只显示这一次" not in again


def test_department_rename_and_deactivate(client, d):
    department = d.departments[0]
    logged_in(client, d, "street_officer:own")
    response = client.post(
        reverse("department_list"),
        {"action": "update", "department": department.pk, "name": "x", "is_active": "0"},
    )
    assert response.status_code == 403
    client.logout()
    logged_in(client, d, "coordinator:own")
    response = client.post(
        reverse("department_list"),
        {"action": "update", "department": department.pk, "name": d.departments[1].name},
    )
    assert "已有名为" in response.content.decode()
    client.post(
        reverse("department_list"),
        {"action": "update", "department": department.pk, "name": "民政局（新）", "is_active": "0"},
    )
    department.refresh_from_db()
    assert (department.name, department.is_active) == ("民政局（新）", False)


def test_place_numbers_are_grouped_by_thousands(client, d):
    # build_small_district: the district has 20,000 people in 8,000 households.
    logged_in(client, d, "coordinator:own")
    listed = client.get(reverse("place_list")).content.decode()
    assert ">20,000<" in listed and ">8,000<" in listed and ">20000<" not in listed
    detail = client.get(reverse("place_detail", args=[d.district.pk])).content.decode()
    assert "<dd>20,000</dd>" in detail
