"""查找诉求 (issue #14 item 3): who finds what (roles × places), each filter, absurd filters
refused in words on the page and the API, keyset paging, saved searches, the Excel export."""

import datetime
from io import BytesIO

import openpyxl
import pytest
from django.db import transaction
from django.urls import reverse

from core import clock
from core import services as core_services
from core.models import AuditEvent
from services import search
from services import services as request_services
from services.models import SavedSearch, ServiceRequest, State
from services.services import searches
from services.tests.conftest import build_world

pytestmark = pytest.mark.django_db

WORD = "井盖松动"


@pytest.fixture(scope="module")
def other(django_db_setup, django_db_blocker, world):
    """A second district, with its own request carrying the same word."""
    with django_db_blocker.unblock(), transaction.atomic():
        o = build_world(code="320106", name="邻区")
        request_services.request_submit(
            actor=o.resident, place=o.d.grids[0], description=f"{WORD}，邻区",
            resident=o.resident.person,
        )  # fmt: skip
        yield o
        transaction.set_rollback(True)


def _bearer(user):
    _token, secret = core_services.api_token_create(actor=user, name="t", scope="write")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _file(world, grid, text=WORD, **kwargs):
    return request_services.request_submit(
        actor=world.resident, place=grid, description=text, resident=world.resident.person,
        **kwargs,
    )  # fmt: skip


def _found(user, **raw) -> set[int]:
    query = search.clean_query(user, raw)
    assert not query.errors, query.errors
    return set(search.search(user, query).values_list("pk", flat=True))


def test_each_role_finds_only_what_it_may_see(world, other):
    """roles × places of two streets and two districts: found ⇔ has_perm(view_request)."""
    d = world.d
    mine = _file(world, d.grids[0])  # street 1
    theirs = _file(world, d.grids[-1])  # street 2
    candidates = [mine, theirs, *ServiceRequest.objects.filter(district=other.d.district)]
    for key, user in {**d.users, "root": d.root}.items():
        if not search.may_search(user):
            assert key.startswith(
                ("resident", "social_org_member", "oversight_officer", "supervision_member",
                 "property_staff")
            ), key  # fmt: skip
            continue
        found = _found(user, q=WORD)
        for r in candidates:
            assert (r.pk in found) == user.has_perm("services.view_request", r), (key, r.pk)
    assert _found(d.users["street_officer:own"], q=WORD) & {mine.pk, theirs.pk} == {mine.pk}
    assert _found(d.users["street_officer:other"], q=WORD) & {mine.pk, theirs.pk} == {theirs.pk}
    assert not _found(d.users["coordinator:own"], q=WORD) & set(
        ServiceRequest.objects.filter(district=other.d.district).values_list("pk", flat=True)
    )


def test_residents_have_no_search(client, world):
    client.force_login(world.resident)
    assert client.get(reverse("services:search")).status_code == 403
    answer = client.get("/api/services/search?q=x", **_bearer(world.resident))
    assert answer.status_code == 403
    page = client.get(reverse("services:home")).content.decode()
    assert 'id="search-link"' not in page
    client.force_login(world.dispatcher)
    assert 'id="search-link"' in client.get(reverse("services:home")).content.decode()


def test_each_filter(world):
    d, dispatcher = world.d, world.dispatcher
    base = _file(world, d.grids[1], "楼道灯坏了", item=world.items["CG-002"])
    intake = request_services.request_submit(
        actor=d.users["community_worker:own"], place=d.grids[0], description="代办：路面塌陷",
        channel="staff", contact_name="王先生", contact_phone="025-8888 1234",
    )  # fmt: skip
    request_services.request_accept_dispatch(
        actor=dispatcher, request=base, department=d.departments[1]
    )
    assert intake.contact_phone_hash and "8888" not in intake.contact_phone_hash
    assert _found(dispatcher, number=base.number) == {base.pk}
    assert _found(dispatcher, number=str(base.pk)) == {base.pk}
    mobile = d.logins["resident:own"]
    assert base.pk in _found(dispatcher, phone=mobile)
    assert intake.pk not in _found(dispatcher, phone=mobile)
    assert _found(dispatcher, phone="02588881234") == {intake.pk}
    assert _found(dispatcher, q="楼道 灯坏") == {base.pk}
    assert base.pk in _found(dispatcher, item=str(world.items["CG-002"].pk))
    assert intake.pk not in _found(dispatcher, item=str(world.items["CG-002"].pk))
    assert base.pk in _found(dispatcher, department=str(d.departments[1].pk))
    assert intake.pk not in _found(dispatcher, department=str(d.departments[1].pk))
    assert {base.pk, intake.pk} <= _found(dispatcher, place=str(d.communities[0].pk))
    assert base.pk not in _found(dispatcher, place=str(d.grids[0].pk))
    assert base.pk in _found(dispatcher, state=[State.DISPATCHED, State.HANDLING])
    assert base.pk in _found(dispatcher, state="dispatched,handling")  # the pager's form
    assert intake.pk not in _found(dispatcher, state=[State.DISPATCHED])
    assert _found(dispatcher, channel="staff", q="塌陷") == {intake.pk}
    today = clock.today()
    assert base.pk in _found(dispatcher, **{"from": today.isoformat(), "to": today.isoformat()})
    tomorrow = (today + datetime.timedelta(days=1)).isoformat()
    assert base.pk not in _found(dispatcher, **{"from": tomorrow})


ABSURD = [
    ({"from": "2026-03-02", "to": "2026-03-01"}, "结束日期不能早于开始日期"),
    ({"state": "flying"}, "未知的办理状态"),
    ({"q": "字" * 10_000}, "关键词过长"),
    ({"q": "a b c d e f"}, "关键词最多5个"),
    ({"after": "eyJub3QiOiAiYSBjdXJzb3IifQ=="}, "翻页参数无效"),
    ({"after": "%%%garbage"}, "翻页参数无效"),
    ({"number": "SR12x"}, "诉求编号应为"),
    ({"number": "9" * 30}, "诉求编号应为"),
    ({"phone": "12"}, "电话号码应为"),
    ({"from": "2026-02-30"}, "不是有效日期"),
    ({"to": "yesterday"}, "不是有效日期"),
    ({"channel": "fax"}, "未知的渠道"),
    ({"item": "-1"}, "有效的服务事项"),
    ({"department": "99999999"}, "没有这个部门"),
    ({"place": "1e9"}, "有效的地点"),
]


@pytest.mark.parametrize(("raw", "message"), ABSURD)
def test_absurd_filters_are_refused_in_words(client, world, raw, message):
    dispatcher = world.dispatcher
    query = search.clean_query(dispatcher, raw)
    assert any(message in e for e in query.errors), query.errors
    assert not search.search(dispatcher, query).exists()
    client.force_login(dispatcher)
    page = client.get(reverse("services:search"), raw)
    assert page.status_code == 200 and message in page.content.decode()
    answer = client.get("/api/services/search", raw, **_bearer(dispatcher))
    assert answer.status_code == 422 and message in str(answer.json()), answer.json()


def test_another_districts_item_and_a_nul_are_refused(client, world, other):
    dispatcher = world.dispatcher
    query = search.clean_query(dispatcher, {"item": str(other.items["CG-002"].pk)})
    assert query.errors == ("没有这个服务事项，或不在您所在的区。",)
    client.force_login(dispatcher)
    assert client.get(reverse("services:search"), {"channel": "h5\x00"}).status_code == 400
    answer = client.get(
        "/api/services/search", {"channel": "h5\x00", "q": "a\x00"},
        **_bearer(dispatcher),
    )  # fmt: skip
    assert answer.status_code == 422


def test_keyset_pages_newest_first_forward_and_back(client, world):
    made = [_file(world, world.d.grids[2], f"翻页测试{i}") for i in range(7)]
    user = world.dispatcher
    query = search.clean_query(user, {"q": "翻页测试"})
    first = search.page(user, query, size=3)
    assert [r.pk for r in first] == [r.pk for r in made[::-1][:3]] and first.is_first
    second = search.page(
        user, search.clean_query(user, {"q": "翻页测试", "after": first.next_cursor}), size=3
    )
    third = search.page(
        user, search.clean_query(user, {"q": "翻页测试", "after": second.next_cursor}), size=3
    )
    seen = [r.pk for page in (first, second, third) for r in page]
    assert seen == [r.pk for r in made[::-1]] and not third.next_cursor
    back = search.page(
        user, search.clean_query(user, {"q": "翻页测试", "before": third.previous_cursor}), size=3
    )
    assert [r.pk for r in back] == [r.pk for r in second]
    # The page's links carry the filters and the cursor.
    client.force_login(user)
    html = client.get(reverse("services:search"), {"q": "翻页测试"}).content.decode()
    assert made[-1].number in html and made[0].number not in html or len(made) <= 50
    api = client.get("/api/services/search", {"q": "翻页测试", "size": 3}, **_bearer(user)).json()
    assert [i["id"] for i in api["items"]] == [r.pk for r in made[::-1][:3]]
    nxt = client.get(
        "/api/services/search",
        {"q": "翻页测试", "size": 3, "after": api["next_cursor"]}, **_bearer(user),
    ).json()  # fmt: skip
    assert [i["id"] for i in nxt["items"]] == [r.pk for r in made[::-1][3:6]]


def test_saved_searches_are_the_users_own(client, world):
    user, stranger = world.dispatcher, world.d.users["street_officer:own"]
    query = search.clean_query(user, {"q": WORD, "state": "submitted,accepted"})
    saved = searches.saved_search_create(actor=user, name="待受理井盖", query=query)
    assert saved.query == {"words": [WORD], "states": ["submitted", "accepted"]}
    assert search.from_stored(user, saved.query) == query
    assert AuditEvent.objects.filter(action="services.saved_search_create").exists()
    before = SavedSearch.objects.count()
    refusals = [
        ("待受理井盖", query, "已有名为"),
        ("  ", query, "不能为空"),
        ("电话", search.clean_query(user, {"phone": "13900001111"}), "含电话号码"),
        ("空的", search.clean_query(user, {}), "至少选择一个"),
        ("错的", search.clean_query(user, {"state": "x"}), "筛选条件有误"),
    ]
    for name, q, message in refusals:
        with pytest.raises(Exception, match=message):
            searches.saved_search_create(actor=user, name=name, query=q)
    with pytest.raises(Exception, match="权限"):
        searches.saved_search_create(actor=world.resident, name="x", query=query)
    assert SavedSearch.objects.count() == before
    # The page lists one's own only; another cannot delete it.
    client.force_login(user)
    assert "待受理井盖" in client.get(reverse("services:search")).content.decode()
    client.force_login(stranger)
    assert "待受理井盖" not in client.get(reverse("services:search")).content.decode()
    delete = reverse("services:saved_search_delete", args=[saved.pk])
    assert client.post(delete).status_code == 404
    with pytest.raises(Exception, match="只能删除自己"):
        searches.saved_search_delete(actor=stranger, saved=saved)
    client.force_login(user)
    client.post(delete)
    assert not SavedSearch.objects.filter(pk=saved.pk).exists()
    # Saving from the page, with the filters carried in the form.
    client.post(reverse("services:saved_search_save"), {"name": "本周", "q": WORD})
    assert SavedSearch.objects.get(user=user, name="本周").query == {"words": [WORD]}


def test_export_is_the_result_in_excel_and_formula_safe(client, world):
    formula = '=HYPERLINK("http://x","点我")'
    bad = _file(world, world.d.grids[3], f"导出测试 {WORD}", title=formula)
    other_street = _file(world, world.d.grids[-1], f"导出测试 {WORD}")
    client.force_login(world.d.users["street_officer:own"])
    answer = client.get(reverse("services:search"), {"q": "导出测试", "format": "xlsx"})
    assert answer.status_code == 200
    sheet = openpyxl.load_workbook(BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "诉求编号"
    numbers = [r[0] for r in rows[1:]]
    assert bad.number in numbers and other_street.number not in numbers
    title = next(r[1] for r in rows[1:] if r[0] == bad.number)
    assert title == "'" + formula
    cell = next(c for c in sheet["B"] if c.value == "'" + formula)
    assert cell.data_type == "s"
