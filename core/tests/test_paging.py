"""Keyset pages over real rows: every row exactly once, forwards and back, ties in the sort key,
and cursors a user can tamper with."""

import base64

import pytest
from django.urls import reverse

from core import services
from core.models import Person
from core.paging import keyset_page
from core.testing import build_small_district
from core.tests.test_views import logged_in

# Names repeat on purpose: ties must be broken by id, never skipped or shown twice.
NAMES = ["王芳", "李强", "王芳", "张伟", "王小明", "李强", "陈静", "王芳", "赵敏", "孙丽", "王"]


@pytest.fixture
def d(db):
    return build_small_district()


@pytest.fixture
def people(d):
    for name in NAMES:
        services.person_register(actor=d.root, place=d.grids[0], name=name)
    return Person.objects.filter(place=d.grids[0])


def _walk_forward(queryset, size):
    seen, cursor, pages = [], "", 0
    while True:
        page = keyset_page(queryset, order=("name", "pk"), after=cursor, size=size)
        seen += [p.pk for p in page]
        pages += 1
        if not page.next_cursor:
            return seen, pages, page
        cursor = page.next_cursor


@pytest.mark.parametrize("size", [1, 2, 3, 4, 11, 50])
def test_forward_pages_show_every_row_once_in_order(people, size):
    expected = list(people.order_by("name", "pk").values_list("pk", flat=True))
    seen, pages, last = _walk_forward(people, size)
    assert seen == expected
    assert pages == max(1, -(-len(expected) // size))
    assert last.next_url == ""


@pytest.mark.parametrize("size", [1, 3, 4])
def test_backward_from_the_end_returns_the_same_pages(people, size):
    forward = []
    cursor = ""
    while True:
        page = keyset_page(people, order=("name", "pk"), after=cursor, size=size)
        forward.append([p.pk for p in page])
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    backward = [forward[-1]]
    page = keyset_page(people, order=("name", "pk"), after=cursor, size=size)
    while not page.is_first:
        page = keyset_page(people, order=("name", "pk"), before=page.previous_cursor, size=size)
        backward.insert(0, [p.pk for p in page])
    assert backward == forward


def test_going_back_to_the_start_shows_a_full_first_page(people):
    ordered = list(people.order_by("name", "pk"))
    # a cursor two rows in: the rows before it are fewer than a page
    cursor = keyset_page(people, order=("name", "pk"), size=2).next_cursor
    page = keyset_page(people, order=("name", "pk"), size=2, after=cursor)
    back = keyset_page(people, order=("name", "pk"), size=5, before=page.previous_cursor)
    assert back.is_first and [p.pk for p in back] == [p.pk for p in ordered[:5]]


def test_first_page_has_no_way_back_and_later_pages_do(people):
    first = keyset_page(people, order=("name", "pk"), size=4, params={"q": ""})
    assert first.is_first and first.previous_url == "" and first.first_url == ""
    second = keyset_page(people, order=("name", "pk"), after=first.next_cursor, size=4)
    assert not second.is_first and second.first_url == "?"
    assert second.previous_url.startswith("?before=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-base64!!",
        base64.urlsafe_b64encode(b"{}").decode(),
        base64.urlsafe_b64encode(b'["only one"]').decode(),
        base64.urlsafe_b64encode(b'[{"a": 1}, 2]').decode(),
        base64.urlsafe_b64encode(b"[true, 1]").decode(),
        base64.urlsafe_b64encode("\u00ff".encode("latin-1")).decode(),
        # Values the database itself would refuse (PostgreSQL: NUL in text, bigint overflow).
        base64.urlsafe_b64encode(b'["a\\u0000", 1]').decode(),
        base64.urlsafe_b64encode(b'["a", 100000000000000000000]').decode(),
    ],
)
def test_a_tampered_cursor_starts_at_the_top(people, cursor):
    top = keyset_page(people, order=("name", "pk"), size=3)
    for key in ("after", "before"):
        page = keyset_page(people, order=("name", "pk"), size=3, **{key: cursor})
        assert [p.pk for p in page] == [p.pk for p in top] and page.is_first


def test_people_page_walks_by_name_and_keeps_the_search(client, d, people):
    logged_in(client, d, "grid_worker:own")
    url = reverse("person_list")
    first = client.get(url, {"q": "王"})
    assert first.status_code == 200
    page = first.context["page"]
    # prefix search: 王芳 ×3, 王小明 and 王 — not 李强
    assert sorted(p.name for p in page) == ["王", "王小明", "王芳", "王芳", "王芳"]
    assert page.next_url == ""
    # a long list pages with the search kept in every link
    for i in range(60):
        services.person_register(actor=d.root, place=d.grids[0], name=f"王{i:02d}")
    first = client.get(url, {"q": "王"}).context["page"]
    assert len(first) == 50 and "q=%E7%8E%8B" in first.next_url
    second = client.get(url + first.next_url)
    assert second.status_code == 200
    rest = second.context["page"]
    assert len(rest) == 65 - 50 and not set(p.pk for p in rest) & set(p.pk for p in first)
    assert all(p.name.startswith("王") for p in rest)


def test_people_page_with_a_garbage_cursor_is_the_first_page(client, d, people):
    logged_in(client, d, "grid_worker:own")
    response = client.get(reverse("person_list"), {"after": "%%%", "before": "[1,2"})
    assert response.status_code == 200
    assert response.context["page"].is_first


PINYIN_ORDER = [
    "陈静",
    "李强",
    "李强",
    "孙丽",
    "王",
    "王芳",
    "王芳",
    "王芳",
    "王小明",
    "张伟",
    "赵敏",
]


def test_people_page_lists_names_in_pinyin_order(client, d, people):
    # In code-point order 孙 (U+5B59) and 张 (U+5F20) would come first and 陈 (U+9648) last.
    logged_in(client, d, "grid_worker:own")
    page = client.get(reverse("person_list")).context["page"]
    han = [p.name for p in page if p.name in NAMES]
    assert han == PINYIN_ORDER


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_pinyin_ordered_pages_show_every_row_once(people, size):
    from core.collation import in_pinyin_order

    ordered = people.filter(name__in=NAMES).annotate(name_order=in_pinyin_order("name"))
    seen, cursor = [], ""
    while True:
        page = keyset_page(ordered, order=("name_order", "pk"), after=cursor, size=size)
        seen += list(page)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert [p.name for p in seen] == PINYIN_ORDER
    ties = [p.pk for p in seen if p.name == "王芳"]
    assert ties == sorted(ties) and len(set(p.pk for p in seen)) == len(NAMES)


def test_a_surname_search_finds_exactly_the_names_that_start_with_it(client, d, people):
    # 汪 is read "wang" too, and 王 alone is a whole name: only names starting with 王 match.
    for name in ("汪洋", "黄王", "王五"):
        services.person_register(actor=d.root, place=d.grids[0], name=name)
    logged_in(client, d, "grid_worker:own")
    page = client.get(reverse("person_list"), {"q": "王"}).context["page"]
    assert [p.name for p in page] == ["王", "王芳", "王芳", "王芳", "王五", "王小明"]
    two = client.get(reverse("person_list"), {"q": "王小"}).context["page"]
    assert [p.name for p in two] == ["王小明"]
    assert not list(client.get(reverse("person_list"), {"q": "王大"}).context["page"])


@pytest.mark.parametrize(
    "page_name",
    [
        "person_list",
        "place_list",
        "registry:residents",
        "timebank:accounts",
        "admission:certificates",
    ],
)
def test_a_search_with_a_nul_character_is_an_ordinary_search(client, d, people, page_name):
    # PostgreSQL refuses NUL in any text: the search box drops it instead of failing.
    logged_in(client, d, "coordinator:own")
    assert client.get(reverse(page_name), {"q": "王\x00"}).status_code == 200
