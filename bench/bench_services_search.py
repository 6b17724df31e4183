"""查找诉求 (issue #14 item 3) over 2,000,000 requests on PostgreSQL: keyset pages, against the
login page and against OFFSET paging to the same depth.

Goal from issue #14: the search pages by key at 2 million requests with p95 < 200 ms.

The requests live in a bench district of their own (code 320114: 2 streets, 4 communities,
8 grids, 12 departments) so the demo and the other benchmarks are untouched. They are written
set-based, in one ``INSERT … SELECT … FROM generate_series`` (no row goes through Python):
three years of filings, one every 47 seconds, ids rising with time, states, channels, items of
the catalogue, departments and places spread over the district, a contact-number hash on one
in fifty. They are reused by later runs while the count is still exactly 2,000,000.

Each search is the page ``GET /services/search/?…`` (services.search → core.paging), timed with
Django's test client in-process after warm-up: as the district's coordinator (state, a
department and a month, a community and a channel, a phone number, a number, a page 20,000 rows
deep by its cursor) and as a street officer (their street's requests only: the scope is part of
every query). The baselines, in the same run: the anonymous login page, and the deep page read
the way Django's Paginator would (OFFSET 20,000 on the same filter).

Words (``q``) go through the GIN index of services.grams (character bigrams, migration 0013)
with icontains as the exact check. The descriptions open with one of ten phrases, three of
them about 电梯 (the frequent word, 30 % of rows), 20 requests mention 燃气泄漏 (the rare word)
and 噪音 is in one title of eight; each is searched alone and as 电梯 噪音, over the district and
over one community. The load writes ``search_text`` in SQL (services.grams.of for the fixed part
of each text, the number's grams added in SQL) and checks a sample against services.grams.of.
"""

import datetime
import os
import time
from urllib.parse import urlencode

from timing import (
    PAGE_SETTINGS,
    bench_district,
    login_baseline,
    page_result,
    percentile,
    timed,
    timed_get,
)

DESCRIPTION = "request search (keyset pages) with 2,000,000 requests vs. login page and OFFSET"
TOTAL = 2_000_000
DISTRICT_CODE = "320114"  # 雨花台区: a real GB/T 2260 code neither the demo nor other benches use
SAMPLES = 30
DEEP = 20_000  # rows before the deep page
DEPARTMENTS = [
    ("民政局", "mz"), ("城管局", "cg"), ("住建局", "zj"), ("生态环境局", "sthj"),
    ("市场监管局", "scjg"), ("卫健委", "wjw"), ("人社局", "rs"), ("教育局", "jy"),
    ("交通局", "jt"), ("水务局", "sw"), ("公安分局", "ga"), ("应急管理局", "yj"),
]  # fmt: skip
STATES = [
    "submitted", "accepted", "dispatched", "handling", "answered", "closed", "visited",
    "rated", "rated", "rated", "rejected",
]  # fmt: skip
TITLES = ["路灯不亮", "楼道堆物", "噪音扰民", "低保咨询", "垃圾清运", "占道经营", "漏水", "停车难"]
# The description's opening, by g % 10: 电梯 in three of ten (the frequent word, 30 %).
PHRASES = [
    "电梯故障停运，老人上下楼不便", "电梯异响，担心安全", "电梯按钮失灵", "楼道灯坏了",
    "窗外施工声音很大", "小区垃圾没有及时清运", "路边车辆乱停", "家里水管漏水",
    "咨询低保办理条件", "门口占道经营",
]  # fmt: skip
RARE = "闻到燃气泄漏的味道，"  # opens the description when g % 100,000 = 12,345 (20 requests)
PHONE = "02566661234"  # the contact number of request g = 50 (and no other)


def _world():
    from core import services as core_services
    from core.models import Department, User
    from services import services as request_services
    from services.models import ServiceItem

    district, root, _built = bench_district(DISTRICT_CODE, "基准区（诉求查找）")
    have = set(Department.objects.filter(district=district).values_list("short_code", flat=True))
    for name, short in DEPARTMENTS:
        if short not in have:
            core_services.department_create(
                actor=root, district=district, name=name, short_code=short
            )
    if not ServiceItem.objects.filter(district=district).exists():
        request_services.catalogue_seed(actor=root, district=district)
    users = {
        key: User.objects.get(username=f"{key}-own-{DISTRICT_CODE}")
        for key in ("coordinator", "street_officer")
    }
    return district, users


def _load(district) -> float:
    """INSERT … SELECT the TOTAL requests in one statement; returns the seconds it took."""
    from django.db import connection, transaction
    from django.utils import timezone

    from core.models import Department, Place
    from services import grams
    from services.models import ServiceItem, ServiceRequest
    from services.search import phone_hash

    grids = list(
        Place.objects.filter(district=district, level="grid")
        .select_related("parent__parent")
        .order_by("path")
    )
    departments = list(
        Department.objects.filter(district=district).order_by("pk").values_list("pk", flat=True)
    )
    items = list(
        ServiceItem.objects.filter(district=district).order_by("pk").values_list("pk", flat=True)
    )
    table = ServiceRequest._meta.db_table
    fixed = _fixed_grams()
    start = timezone.now() - TOTAL * datetime.timedelta(seconds=47)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {table}_co_departments WHERE servicerequest_id IN "  # noqa: S608
            f"(SELECT id FROM {table} WHERE district_id = %s)",
            [district.pk],
        )
        cursor.execute("DELETE FROM services_requestevent WHERE district_id = %s", [district.pk])
        cursor.execute(f"DELETE FROM {table} WHERE district_id = %s", [district.pk])  # noqa: S608
        cursor.execute(f"DROP INDEX IF EXISTS {grams.INDEX}")
        cursor.execute(
            f"""
            INSERT INTO {table} (
                district_id, street_id, community_id, grid_id, place_id, place_path,
                item_id, item_version, category, channel, title, description, search_text,
                answers, address,
                photo, media_url, contact_name, contact_phone_masked, contact_phone_hash,
                client_key, token, state, lead_department_id, created_at, updated_at,
                accept_due, answer, rating, rating_note, redo_count, warned_level, level
            )
            SELECT
                %(district)s, (%(streets)s::bigint[])[1 + g %% %(n)s],
                (%(communities)s::bigint[])[1 + g %% %(n)s], (%(grids)s::bigint[])[1 + g %% %(n)s],
                (%(grids)s::bigint[])[1 + g %% %(n)s], (%(paths)s::text[])[1 + g %% %(n)s],
                CASE WHEN g %% 4 = 0 THEN NULL
                     ELSE (%(items)s::bigint[])[1 + g %% %(n_items)s] END,
                CASE WHEN g %% 4 = 0 THEN NULL ELSE 1 END,
                (ARRAY['enquiry','help','complaint','report','suggestion','praise'])[1 + g %% 6],
                (ARRAY['h5','staff','patrol','open311'])[1 + (g / 7) %% 4],
                (%(titles)s::text[])[1 + g %% %(n_titles)s],
                CASE WHEN g %% 100000 = 12345 THEN %(rare)s ELSE '' END
                    || (%(phrases)s::text[])[1 + g %% %(n_phrases)s] || '，基准诉求' || g,
                (%(fixed_grams)s::text[])[1 + g %% %(n_fixed)s
                    + CASE WHEN g %% 100000 = 12345 THEN %(n_fixed)s ELSE 0 END]
                    || ' 求' || left(g::text, 1) || ' ' || right(g::text, 1) || ' #' || g
                    || coalesce(' ' || (SELECT string_agg(DISTINCT substr(g::text, i, 2), ' ')
                                        FROM generate_series(1, length(g::text) - 1) AS i), ''),
                '{{}}', '',
                '', '', '', '',
                CASE WHEN g = 50 THEN %(phone)s
                     WHEN g %% 50 = 0 THEN md5(g::text) || md5((g + 1)::text)
                     ELSE '' END,
                '', 'bsearch' || lpad(g::text, 24, '0'),
                (%(states)s::text[])[1 + (g * 7) %% %(n_states)s],
                CASE WHEN (g * 7) %% %(n_states)s < 2 THEN NULL
                     ELSE (%(departments)s::bigint[])[1 + (g / 3) %% %(n_departments)s] END,
                %(start)s + g * interval '47 seconds', %(start)s + g * interval '47 seconds',
                %(start)s + g * interval '47 seconds' + interval '1 day', '', '', '', 0, 0,
                'department'
            FROM generate_series(1, %(total)s) AS g
            """,  # noqa: S608
            {
                "district": district.pk,
                "streets": [g.parent.parent_id for g in grids],
                "communities": [g.parent_id for g in grids],
                "grids": [g.pk for g in grids],
                "paths": [g.path for g in grids],
                "n": len(grids),
                "items": items,
                "n_items": len(items),
                "titles": TITLES,
                "n_titles": len(TITLES),
                "phrases": PHRASES,
                "n_phrases": len(PHRASES),
                "rare": RARE,
                "fixed_grams": fixed,
                "n_fixed": len(fixed) // 2,
                "phone": phone_hash(PHONE),
                "states": STATES,
                "n_states": len(STATES),
                "departments": departments,
                "n_departments": len(departments),
                "start": start,
                "total": TOTAL,
            },
        )
    with connection.cursor() as cursor:  # after the commit (the rows' FK checks are deferred)
        cursor.execute(grams.INDEX_SQL)  # built once over the rows: faster than row by row
        cursor.execute(f"ANALYZE {table}")
    _check_grams(district)
    return time.perf_counter() - started


def _fixed_grams() -> list[str]:
    """services.grams.of for the part of each title and description the number does not change
    (by g % 40, then the same with the rare opening): the SQL adds the number's grams (求 and
    its first digit, its pairs of digits, its last digit, the word #g)."""
    from services import grams

    cycle = len(TITLES) * len(PHRASES) // 2  # 40: g % 8 and g % 10 repeat together
    fixed = []
    for rare in ("", RARE):
        for g in range(cycle):
            text = grams.of(
                TITLES[g % len(TITLES)], rare + PHRASES[g % len(PHRASES)] + "，基准诉求"
            )
            fixed.append(" ".join(x for x in text.split(" ") if x != "求"))
    return fixed


def _check_grams(district) -> None:
    """The SQL's grams are services.grams.of's, on a sample of rows (with the rare ones)."""
    from services import grams
    from services.models import ServiceRequest

    rows = ServiceRequest.objects.filter(district=district)
    sample = list(rows.filter(pk__in=rows.order_by("?").values("pk")[:200]))
    sample += list(rows.filter(description__startswith=RARE)[:5])
    for r in sample:
        want = set(grams.of(r.title, r.description).split(" "))
        if set(r.search_text.split(" ")) != want:
            raise AssertionError(f"bench grams of {r.pk} differ from services.grams.of")


def _searches(district, users) -> list[tuple[str, str, dict]]:
    from core.models import Department, Place
    from core.paging import _encode
    from services.models import ServiceRequest

    department = Department.objects.filter(district=district, short_code="cg").first()
    community = Place.objects.filter(district=district, level="community").order_by("path")[1]
    newest = ServiceRequest.objects.filter(district=district).order_by("-pk").first()
    month_to = newest.created_at.date()
    month_from = month_to.replace(day=1)
    # A cursor 20,000 rows into "handling" (what 400 clicks on 下一页 would carry).
    deep = list(
        ServiceRequest.objects.filter(district=district, state="handling")
        .order_by("-pk")
        .values_list("pk", flat=True)[DEEP - 1 : DEEP]
    )
    return [
        ("state", "coordinator", {"state": "handling"}),
        ("deep", "coordinator", {"state": "handling", "after": _encode(deep[:1])}),
        ("department_month", "coordinator", {
            "department": department.pk, "from": month_from.isoformat(),
            "to": month_to.isoformat()}),
        ("community_channel", "coordinator", {"place": community.pk, "channel": "patrol"}),
        ("phone", "coordinator", {"phone": PHONE}),
        ("number", "coordinator", {"number": newest.number}),
        ("street_state", "street_officer", {"state": "answered"}),
        ("words_month", "coordinator", {
            "q": "路灯", "from": month_from.isoformat(), "to": month_to.isoformat()}),
        ("words_all", "coordinator", {"q": "基准诉求1999999"}),
        ("words_rare", "coordinator", {"q": "燃气泄漏"}),
        ("words_frequent", "coordinator", {"q": "电梯"}),
        ("words_two", "coordinator", {"q": "电梯 噪音"}),
        ("words_rare_community", "coordinator", {"q": "燃气泄漏", "place": community.pk}),
        ("words_frequent_community", "coordinator", {"q": "电梯", "place": community.pk}),
        ("words_two_community", "coordinator", {"q": "电梯 噪音", "place": community.pk}),
    ]  # fmt: skip


def _offset_baseline(district, coordinator) -> tuple[list[float], str]:
    """The deep page the way Django's Paginator reads it: a COUNT and OFFSET DEEP."""
    from services import search

    query = search.clean_query(coordinator, {"state": "handling"})

    def read():
        found = search.search(coordinator, query).order_by("-pk")
        found.count()
        list(found[DEEP : DEEP + search.PAGE_SIZE])

    return timed(read, SAMPLES), f"COUNT + OFFSET {DEEP:,} LIMIT {search.PAGE_SIZE}"


def run(context) -> list[dict]:
    from django.db import connection
    from django.test import Client, override_settings
    from django.urls import reverse

    from services.models import ServiceRequest

    if connection.vendor != "postgresql":
        return [{"benchmark": "services_search", "error": "needs PostgreSQL"}]
    district, users = _world()
    loaded = ""
    rows = ServiceRequest.objects.filter(district=district)
    if rows.count() != TOTAL or not rows.filter(description__startswith=PHRASES[0]).exists():
        seconds = _load(district)
        loaded = f"; {TOTAL:,} rows written this run in {seconds:.0f} s, one INSERT … SELECT"
    rows = []
    with override_settings(**PAGE_SETTINGS):
        base50, baseline, _status = login_baseline(SAMPLES)
        offset_samples, offset_label = _offset_baseline(district, users["coordinator"])
        offset50, offset95 = percentile(offset_samples, 50), percentile(offset_samples, 95)
        clients = {}
        for key, user in users.items():
            clients[key] = Client()
            clients[key].force_login(user)
        url = reverse("services:search")
        for name, who, params in _searches(district, users):
            full = f"{url}?{urlencode(params)}"
            samples, status = timed_get(clients[who], full, SAMPLES)
            row = {
                "key": f"services_search_{name}",
                "benchmark": f"services_search_{name}",
                "measured": (
                    f"GET {url}?{urlencode({k: v for k, v in params.items() if k != 'after'})}"
                    f"{' + a cursor 20,000 rows deep' if 'after' in params else ''} as the "
                    f"{who.replace('_', ' ')} over {TOTAL:,} requests, {SAMPLES} requests; "
                    f"machine load average {os.getloadavg()[0]:.1f} on 2 cores{loaded}"
                ),
                "baseline": baseline
                + (
                    f"; the same deep page by {offset_label}: p50 {offset50:.1f} ms, "
                    f"p95 {offset95:.1f} ms"
                    if name == "deep"
                    else ""
                ),
            }
            goal = " (goal < 200)"
            rows.append(page_result(row, clients[who], full, samples, status, base50, goal))
    return rows
