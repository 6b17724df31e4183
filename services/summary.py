"""The request summary behind the metrics page: counts per day × district × street × community ×
lead department × class, kept exact in the same transaction as every change of a request.

Each request contributes one vector of counts (``vector``) to one bucket (``bucket``). When a
request is saved, ``ServiceRequest.save`` hands the contribution it had when it was loaded and
the one it has now to ``apply``, which adds the difference with one upsert per touched bucket —
so two dispatchers working at once never lose a count. Rows written behind the ORM's back (the
demo's history shift, a bulk COPY) need ``rebuild`` (``manage.py services_summary --rebuild``);
``recount`` recomputes the table from the raw requests, and a test checks both agree.

The same counts are kept per week too (``RequestSummaryWeek``, the bucket's Monday): on
PostgreSQL both upserts go in one statement (the daily one as a data-modifying CTE), so the
weekly table costs no extra round trip. A year of metrics then reads about a seventh of the rows
(weeks, plus the days of the window's first, partial week).

Only one count depends on the clock: a request not yet accepted counts towards the response
rate only once its acceptance deadline has passed. The summary keeps "not accepted" and the
metrics subtract the few whose deadline is still ahead, read live through a partial index.
"""

import datetime
from collections import defaultdict

from django.db import connection
from django.db.models import Sum
from django.utils import timezone

from core.clock import one_write

COUNTERS = (
    "total",  # all but merged duplicates
    "accepted",  # accepted_at set
    "unaccepted",  # accepted_at empty (responded to or not: refused, merged, waiting)
    "responded",  # accepted by the acceptance deadline
    "finished",  # 办结 and after
    "rated",
    "satisfied",  # 满意 + 基本满意
    "answered",
    "on_time",  # answered by the handling deadline
    "handled",  # answered with a dispatch time: the ones averaged for handling time
    "handling_seconds",  # sum of dispatch → answer
)
FIELDS = (
    "created_at", "district_id", "street_id", "community_id", "place_path",
    "lead_department_id", "category", "state", "accepted_at", "accept_due", "rating",
    "answered_at", "due_at", "dispatched_at",
)  # fmt: skip
FINISHED = {"closed", "visited", "rated", "disputed"}
KEY = ("day", "district_id", "street_id", "community_id", "department_id", "category")
WEEK_KEY = ("week", *KEY[1:])


def week_of(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week."""
    return day - datetime.timedelta(days=day.weekday())


def local_day(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def bucket(row) -> tuple:
    """(day, district, street, community, department, class, place path of the bucket)."""
    parts = row["place_path"].strip("/").split("/")[:3]
    return (
        local_day(row["created_at"]),
        row["district_id"],
        row["street_id"] or 0,
        row["community_id"] or 0,
        row["lead_department_id"] or 0,
        row["category"],
        "/" + "/".join(parts) + "/",
    )


def vector(row) -> dict:
    accepted, answered = row["accepted_at"], row["answered_at"]
    handled = answered is not None and row["dispatched_at"] is not None
    return {
        "total": int(row["state"] != "merged"),
        "accepted": int(accepted is not None),
        "unaccepted": int(accepted is None),
        "responded": int(accepted is not None and accepted <= row["accept_due"]),
        "finished": int(row["state"] in FINISHED),
        "rated": int(bool(row["rating"])),
        "satisfied": int(row["rating"] in ("satisfied", "basic")),
        "answered": int(answered is not None),
        "on_time": int(
            answered is not None and row["due_at"] is not None and answered <= row["due_at"]
        ),
        "handled": int(handled),
        "handling_seconds": (
            round((answered - row["dispatched_at"]).total_seconds()) if handled else 0
        ),
    }


def snapshot(request):
    """The request's (bucket, vector) as it is in memory; None when a field was not loaded."""
    deferred = request.get_deferred_fields()
    if any(name.removesuffix("_id") in deferred or name in deferred for name in FIELDS):
        return None
    row = {name: getattr(request, name) for name in FIELDS}
    return bucket(row), vector(row)


def snapshot_of_row(row: dict | None):
    """(bucket, vector) of a row as loaded from the database; None if a field is missing."""
    if row is None or any(name not in row for name in FIELDS):
        return None
    return bucket(row), vector(row)


def snapshot_from_db(pk):
    from services.models import ServiceRequest

    row = ServiceRequest.objects.filter(pk=pk).values(*FIELDS).first()
    return (bucket(row), vector(row)) if row else None


def deltas(old, new) -> dict[tuple, dict]:
    """{bucket: counts to add} for a request whose contribution moves from ``old`` to ``new``
    (each a (bucket, vector) or None); buckets left unchanged are left out."""
    moved: dict[tuple, dict] = {}
    for sign, part in ((-1, old), (1, new)):
        if part is None:
            continue
        key, counts = part
        entry = moved.setdefault(key, dict.fromkeys(COUNTERS, 0))
        for name, value in counts.items():
            entry[name] += sign * value
    return {key: counts for key, counts in moved.items() if any(counts.values())}


def apply(old, new) -> None:
    """Add ``new`` and take away ``old`` (each a (bucket, vector) or None), in the caller's
    transaction."""
    for key, counts in deltas(old, new).items():
        _upsert(key, counts)


def _upsert_sql(table: str, key_names: tuple) -> str:
    columns = [*key_names, "place_path", *COUNTERS]
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTERS)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - names are constants
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(key_names)}) DO UPDATE SET {updates}"
    )


_STATEMENTS: tuple[str, str] | None = None


def upsert_statements(key: tuple, counts: dict) -> list[tuple[str, list]]:
    """The daily and the weekly upsert that add ``counts`` to ``key``'s bucket, as (sql, params)
    — for a caller that folds them into a statement of its own (services.request_submit)."""
    global _STATEMENTS
    if _STATEMENTS is None:
        from services.models import RequestSummary, RequestSummaryWeek

        quote = connection.ops.quote_name
        _STATEMENTS = (
            _upsert_sql(quote(RequestSummary._meta.db_table), KEY),
            _upsert_sql(quote(RequestSummaryWeek._meta.db_table), WEEK_KEY),
        )
    values = [counts[name] for name in COUNTERS]
    daily, weekly = _STATEMENTS
    return [(daily, [*key, *values]), (weekly, [week_of(key[0]), *key[1:], *values])]


def _upsert(key: tuple, counts: dict) -> None:
    """Add ``counts`` to the day's bucket and to its week's."""
    (daily, day_params), (weekly, week_params) = upsert_statements(key, counts)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one round trip: the daily upsert as a CTE
            cursor.execute(f"WITH daily AS ({daily}) {weekly}", [*day_params, *week_params])
        else:
            cursor.execute(daily, day_params)
            cursor.execute(weekly, week_params)


def recount(district_id=None, *, request_model=None) -> dict[tuple, dict]:
    """The summary as it should be, counted from the raw requests: {bucket: vector sums}."""
    from services.models import ServiceRequest

    rows = (request_model or ServiceRequest).objects.all()
    if district_id is not None:
        rows = rows.filter(district_id=district_id)
    table: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for row in rows.values(*FIELDS).order_by().iterator(chunk_size=20000):
        entry = table[bucket(row)]
        for name, value in vector(row).items():
            entry[name] += value
    return {key: counts for key, counts in table.items() if any(counts.values())}


def _read(model, key: tuple, district_id) -> dict[tuple, dict]:
    """A summary table (daily or weekly, by its ``key``) as it is, empty buckets left out."""
    rows = model.objects.all()
    if district_id is not None:
        rows = rows.filter(district_id=district_id)
    table = {}
    for row in rows.values(*key, "place_path", *COUNTERS).iterator(chunk_size=20000):
        counts = {name: row[name] for name in COUNTERS}
        if any(counts.values()):
            table[(*(row[k] for k in key), row["place_path"])] = counts
    return table


def stored(district_id=None) -> dict[tuple, dict]:
    """The summary table as it is: {bucket: counts}, empty buckets left out."""
    from services.models import RequestSummary

    return _read(RequestSummary, KEY, district_id)


def weeks_of(table: dict[tuple, dict]) -> dict[tuple, dict]:
    """A daily table ({bucket: counts}, as ``recount`` or ``stored`` give) rolled up by week."""
    weeks: dict[tuple, dict] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    for key, counts in table.items():
        entry = weeks[(week_of(key[0]), *key[1:])]
        for name, value in counts.items():
            entry[name] += value
    return {key: counts for key, counts in weeks.items() if any(counts.values())}


def stored_weeks(district_id=None) -> dict[tuple, dict]:
    """The weekly summary table as it is: {(week, ..., place path): counts}, empty ones left out."""
    from services.models import RequestSummaryWeek

    return _read(RequestSummaryWeek, WEEK_KEY, district_id)


@one_write
def rebuild(district_id=None, *, request_model=None, summary_model=None, week_model=None) -> int:
    """Replace the daily and weekly summary (of one district, or all) with a recount; returns
    the daily bucket count. (The models can be passed in, for a migration's historical models.)"""
    from services.models import RequestSummary, RequestSummaryWeek

    counted = recount(district_id, request_model=request_model)
    targets = [(summary_model or RequestSummary, counted, KEY)]
    if summary_model is None or week_model is not None:  # an old migration has no weekly table
        targets.append((week_model or RequestSummaryWeek, weeks_of(counted), WEEK_KEY))
    for model, table, key_names in targets:
        old = model.objects.all()
        if district_id is not None:
            old = old.filter(district_id=district_id)
        old.delete()
        model.objects.bulk_create(
            (
                model(**dict(zip(key_names, key[:-1], strict=True)), place_path=key[-1], **counts)
                for key, counts in table.items()
            ),
            batch_size=5000,
        )
        if connection.vendor == "postgresql":  # fresh statistics, so the planner uses the index
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {model._meta.db_table}")
    return len(counted)


def not_yet_due(requests, now) -> list[dict]:
    """Requests not accepted whose acceptance deadline is still ahead (a handful, indexed)."""
    return list(
        requests.filter(accepted_at__isnull=True, accept_due__gte=now).values(
            "created_at", "lead_department_id", "street_id", "community_id", "category"
        )
    )


def sums():
    return {name: Sum(name) for name in COUNTERS}
