"""Word search through character grams (services.grams): the grams a term needs are always among
those of a text holding it, every writer of a request writes them, and the search finds exactly
what ``icontains`` finds — on PostgreSQL through the GIN index of migration 0013."""

import importlib

import pytest
from django.db import connection
from django.db.models import Q

from services import grams, search
from services import services as request_services
from services.models import ServiceRequest

pytestmark = pytest.mark.django_db

LONG = "小区东门外的人行道上有一处井盖松动，晚上路灯也不亮，老人孩子经过时很容易绊倒" * 3
TEXTS = [
    ("路灯", "小区路灯不亮已经三天了"),
    ("", "Street-Light 坏了，编号SR00000123，请尽快处理"),
    ("满意度", "100%满意_测试 a_b c%d"),
    ("", "it's a 'quote' and a back\\slash"),
    ("", "ΣΊΣΥΦΟΣ σίσυφος ς"),
    ("", "哈" * 300 + "哈嘿"),
    ("", LONG[:300]),
    ("", "Ｆｕｌｌｗｉｄｔｈ ＡＢＣ 全角"),
    ("", "straße STRASSE İstanbul ıi"),
    ("", "电梯 故障\n停运\t三天"),
    ("楼道堆物", "楼道里堆满了杂物"),
]
TERMS = [
    "灯", "路灯不亮", "亮已", "，", "%", "_", "100%", "%满", "a_b", "c%d", "'", "it's", "'quote'",
    "\\", "back\\slash", "light", "LIGHT", "t-l", "street-light", "sr000", "00000123",
    "R0000012", "编号sr", "号SR00000123，", "ς", "Σ", "σίσ", "ΣΊΣΥΦΟΣ", "哈嘿", "哈哈哈嘿",
    LONG[:100], LONG[1:101], "路灯" * 50, "ａｂｃ", "ＡＢＣ", "ß", "ss", "i", "İ", "ı", "故障停运",
    "电梯故障", "停运", "楼道堆物", "堆满", "不存在的词", "x", "0", "12", "123，",
]  # fmt: skip
PAIRS = [("路灯", "不亮"), ("路灯", "电梯"), ("light", "SR00000123"), ("哈", "嘿"), ("%", "_")]


def _has(have: set[str], gram: str, prefix: bool) -> bool:
    return any(h.startswith(gram) for h in have) if prefix else gram in have


def test_a_text_holds_the_grams_of_every_term_it_holds():
    """Every piece of every text (and the pieces in another case) needs only grams the text has;
    ``query`` quotes what a tsquery would read as syntax."""
    for title, description in TEXTS:
        have = set(grams.of(title, description).split(" "))
        for text in (title, description):
            for run in text.split():
                for size in (1, 2, 3, 5, 8, 20):
                    for start in range(0, max(1, len(run) - size + 1), 7):
                        for term in {run[start : start + size], run[start : start + size].upper()}:
                            if term.lower() in text.lower() or term in text:
                                for gram, prefix in grams.term_grams(term):
                                    assert _has(have, gram, prefix), (text[:20], term, gram)
    assert grams.term_grams("路灯不亮") == [("路灯", False), ("灯不", False), ("不亮", False)]
    assert grams.term_grams("灯") == [("灯", True)]
    assert ("#1999999", True) in grams.term_grams("基准诉求1999999")
    assert (
        grams.query(["it's", "a\\b"])
        == r"""'#b':* & '#s':* & '''s' & '\\b' & 'a\\' & 'it' & 't'''"""
    )


@pytest.fixture
def filed(world):
    grid = world.d.grids[0]
    return [
        request_services.request_submit(
            actor=world.resident,
            place=grid,
            title=title,
            description=description,
            resident=world.resident.person,
        )  # fmt: skip
        for title, description in TEXTS
    ]


def _truth(district, *terms) -> set[int]:
    rows = ServiceRequest.objects.filter(district=district)
    for term in terms:
        rows = rows.filter(Q(title__icontains=term) | Q(description__icontains=term))
    return set(rows.values_list("pk", flat=True))


def _found(user, *terms) -> set[int]:
    query = search.clean_query(user, {"q": " ".join(terms)})
    assert not query.errors, (terms, query.errors)
    return set(search.search(user, query).values_list("pk", flat=True))


@pytest.mark.parametrize("few_holders", [search.FEW_HOLDERS, 0])
def test_the_search_finds_what_icontains_finds(world, filed, few_holders, monkeypatch):
    """Tricky terms (one character, punctuation, % and _, quotes, Latin in Chinese, cases, 100
    characters) and pairs: the search through the grams equals icontains over the district,
    whether the few requests holding the grams are named or the grams are the condition."""
    monkeypatch.setattr(search, "FEW_HOLDERS", few_holders)
    user = world.d.users["coordinator:own"]
    for r in filed:
        r.refresh_from_db()
        assert r.search_text == grams.of(r.title, r.description)
    some = 0
    for terms in [(t,) for t in TERMS] + PAIRS:
        truth = _truth(world.d.district, *terms)
        assert _found(user, *terms) == truth, terms
        some += bool(truth)
    assert some >= len(TERMS) // 2  # most terms do find something


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the grams' index is PostgreSQL's")
def test_the_word_search_reads_the_grams_index(world, filed, monkeypatch):
    """The search's condition is the index's expression: with sequential scans off, the plan of a
    word search held by many requests reads service_request_grams, and the grams PostgreSQL reads
    are ours."""
    monkeypatch.setattr(search, "FEW_HOLDERS", 0)  # as if many requests held the words
    user = world.d.users["coordinator:own"]
    rows = search.search(user, search.clean_query(user, {"q": "路灯不亮"})).order_by("-pk")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = rows.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
        cursor.execute(
            "SELECT lexeme FROM services_servicerequest, "
            "unnest(array_to_tsvector(string_to_array(search_text, ' '))) WHERE id = %s",
            [filed[3].pk],
        )
        lexemes = {lexeme for (lexeme,) in cursor.fetchall()}
    assert "service_request_grams" in plan, plan
    assert lexemes == set(grams.of(filed[3].title, filed[3].description).split(" "))


@pytest.mark.urls("services.tests.urls")
def test_a_request_filed_through_open311_is_found_by_its_words(client, api_key, world):
    response = client.post(
        "/open311/v2/requests.json",
        {"api_key": api_key, "service_code": "CG-003", "address_id": world.d.grids[1].code,
         "description": "Open311：广场音响噪音扰民 after 22:00"},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    request = ServiceRequest.objects.get(pk=int(response.json()[0]["service_request_id"]))
    assert request.search_text == grams.of(request.title, request.description)
    user = world.d.users["coordinator:own"]
    assert _found(user, "音响噪音", "22:0") == {request.pk}
    assert _found(user, "音响噪音", "23:0") == set()


def test_the_migration_fills_the_grams_of_requests_filed_before_it(world, filed):
    from django.apps import apps

    ServiceRequest.objects.filter(pk__in=[r.pk for r in filed]).update(search_text="")
    migration = importlib.import_module("services.migrations.0013_request_search_text")

    class Editor:  # what fill() reads of a schema editor
        pass

    Editor.connection = connection
    migration.fill(apps, Editor())
    for r in filed:
        r.refresh_from_db()
        assert r.search_text == grams.of(r.title, r.description) != ""
