"""The page parts every section shares: one stylesheet (no <style> block in a page template),
one tab bar (templates/includes/tabs.html, drawn by the tabs tag of core/templatetags/linli_ui.py),
one pager (templates/includes/pager.html), and htmx only on the page that uses it."""

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.core.paginator import Paginator
from django.template import TemplateSyntaxError, engines
from django.template.loader import render_to_string
from django.urls import reverse

from core.models import Person
from core.paging import keyset_page
from core.testing import PASSWORD, build_small_district
from core.tests.test_csp import parameterless_paths

# Documents that WeasyPrint turns into PDF (core.pdf), never served as HTML pages: the print
# styles (@page, millimetres) stay inside them.
PDF_DOCUMENTS = {
    "admission/certificate_pdf.html",
    "finance/board_a3.html",
    "timebank/certificate.html",
    "training/certificate_pdf.html",
    "workload/ledger_pdf.html",
}


def page_templates() -> dict[str, str]:
    """Every template of the project (name as the loader finds it: text)."""
    base = Path(settings.BASE_DIR)
    found = {}
    for folder in [base / "templates", *base.glob("*/templates")]:
        for path in folder.rglob("*.html"):
            found[str(path.relative_to(folder))] = path.read_text(encoding="utf-8")
    return found


def tab_bars(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """The tab bars of a page: (name, [(href, aria-current), ...])."""
    bars = re.findall(r'<nav class="tabs" aria-label="([^"]*)">(.*?)</nav>', html, re.S)
    return [
        (label, re.findall(r'<a href="([^"]*)"(?: aria-current="(\w+)")?>', links))
        for label, links in bars
    ]


@pytest.fixture
def d(db):
    return build_small_district()


def test_no_page_template_has_a_style_block():
    templates = page_templates()
    assert len(templates) > 90 and "base.html" in templates
    styled = sorted(name for name, text in templates.items() if "<style" in text.lower())
    assert styled == sorted(PDF_DOCUMENTS)
    for name in PDF_DOCUMENTS:  # whole documents of their own, not pages of the site
        assert templates[name].lstrip().startswith("{% load i18n %}<!doctype html>"), name
        assert "{% extends" not in templates[name], name


def test_tab_bars_are_drawn_only_by_the_tabs_tag():
    templates = page_templates()
    hand_made = re.compile(r'class="button\{% if [^%]*%\} primary\{% endif %\}"')
    assert [name for name, text in templates.items() if hand_made.search(text)] == []
    assert [name for name, text in templates.items() if 'class="tabs"' in text] == [
        "includes/tabs.html"
    ]
    sections = sorted(name for name, text in templates.items() if "{% tabs " in text)
    assert sections == [
        "admission/_section.html",
        "finance/_section.html",
        "registry/_section.html",
        "training/_section.html",
        "workload/_section.html",
    ]


@pytest.mark.parametrize(
    ("login", "names", "bar", "count"),
    [
        ("admin:own", ["registry:home", "registry:residents", "registry:imports"], "共享数据", 10),
        (
            "admin:own",
            ["registry:conflicts", "registry:fields", "registry:sharing"],
            "共享数据",
            10,
        ),
        ("coordinator:own", ["admission:lists", "admission:request_list"], "准入", 7),
        ("coordinator:own", ["admission:meetings", "admission:catalogue"], "准入", 7),
        (
            "coordinator:own",
            ["workload:task_list", "workload:burden", "workload:time_log"],
            "社区工作",
            5,
        ),
        ("department_officer:own", ["workload:task_list", "workload:refusals"], "社区工作", 2),
    ],
)
def test_each_section_page_marks_its_own_tab(client, d, login, names, bar, count):
    assert client.login(username=d.logins[login], password=PASSWORD)
    for name in names:
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        bars = tab_bars(response.content.decode())
        assert [label for label, _links in bars] == [bar], name
        links = bars[0][1]
        assert len(links) == count, name
        assert [(href, current) for href, current in links if current] == [
            (reverse(name), "page")
        ], name


def test_a_page_under_a_tab_marks_that_tab(rf):
    template = engines["django"].from_string(
        '{% load linli_ui %}{% tabs "共享数据" "registry:home" "首页" "registry:imports" "导入" %}'
    )
    for path, current in (
        ("/registry/imports/7/", [("/registry/imports/", "true")]),
        ("/registry/", [("/registry/", "page")]),
        ("/registry/residents/3/", [("/registry/", "true")]),  # no tab of its own: the home's
        ("/services/", []),
    ):
        html = template.render({}, rf.get(path))
        links = tab_bars(html)[0][1]
        assert [(href, mark) for href, mark in links if mark] == current, path
    with pytest.raises(TemplateSyntaxError):
        engines["django"].from_string('{% load linli_ui %}{% tabs "x" "registry:home" %}').render(
            {}, rf.get("/")
        )


def test_the_pager_keeps_the_query_of_the_page(rf):
    page = Paginator(range(120), 50).get_page(2)
    request = rf.get("/timebank/accounts/", {"q": "张 三", "community": "5", "page": "2"})
    html = render_to_string("includes/pager.html", {"page": page}, request)
    assert 'class="pager"' in html and "第 2 / 3 页" in html
    assert 'href="?q=%E5%BC%A0+%E4%B8%89&amp;community=5&amp;page=1" rel="prev"' in html
    assert 'href="?q=%E5%BC%A0+%E4%B8%89&amp;community=5&amp;page=3" rel="next"' in html
    single = Paginator(range(3), 50).get_page(1)
    assert "pager" not in render_to_string("includes/pager.html", {"page": single}, request)


@pytest.mark.django_db
def test_the_same_pager_pages_by_keyset(rf):
    d = build_small_district()
    people = Person.objects.filter(pk__in=[u.person.pk for u in d.users.values() if u.person])
    assert people.count() > 3
    first = keyset_page(people, order=("name", "pk"), size=2, params={"q": "x"})
    request = rf.get("/people/")
    html = render_to_string("includes/pager.html", {"page": first}, request)
    assert html.count('class="pager"') == 1 and "第一页" not in html
    # The cursor is base64: its "=" padding, present or not depending on the ids, is encoded.
    after = urlencode({"q": "x", "after": first.next_cursor}).replace("&", "&amp;")
    assert f'href="?{after}" rel="next"' in html
    second = keyset_page(people, order=("name", "pk"), size=2, after=first.next_cursor)
    html = render_to_string("includes/pager.html", {"page": second}, request)
    assert "第一页" in html and 'rel="prev"' in html


def test_htmx_is_loaded_only_where_a_page_uses_it(client, d):
    """No page without an hx- attribute loads htmx (the import batch page, which polls,
    loads it itself: registry/tests/test_batch_page.py)."""
    assert client.login(username=d.logins["admin:own"], password=PASSWORD)
    pages = 0
    for path in sorted(set(parameterless_paths())):
        response = client.get(path)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        pages += 1
        uses = bool(re.search(r"\shx-[a-z]+=", html))
        assert ("htmx.min.js" in html) == uses, path
    assert pages > 30
