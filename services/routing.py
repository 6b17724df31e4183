"""Routing help: from a request's free text, suggest the lead department and the class, with a
confidence, and point out likely duplicates nearby.

The classifier is a multinomial naive Bayes over jieba tokens, trained from the catalogue (item
names, keywords and descriptions, labelled with the item's lead department and class) and from
past dispatcher decisions (the text of dispatched requests, labelled with the department that
finally led them). It is retrained in the background (a daily job) and stored per district;
a page only reads the stored model. Before the first training the catalogue alone is used,
which is a handful of rows.
"""

import math
import re
from dataclasses import dataclass

import jieba
from django.db import connection
from django.utils import timezone

from core.clock import one_write
from core.models import Department, Place, PlaceLevel
from services import plain_sql
from services.models import (
    OPEN_STATES,
    Category,
    RoutingModel,
    ServiceItem,
    ServiceRequest,
    State,
)

jieba.setLogLevel(60)  # quiet: jieba logs its dictionary loading
STOP = set("的了和是在我有也就都而及与着或一个没有我们你们他们请吗呢啊吧这那很")
WORD = re.compile(r"[\w\u4e00-\u9fff]")
HISTORY_LIMIT = 5000
DUPLICATE_DAYS = 7
DUPLICATE_MIN = 0.3


def tokens(text: str) -> list[str]:
    return [
        t
        for t in jieba.lcut((text or "").lower())
        if t.strip() and WORD.search(t) and t not in STOP
    ]


def _samples(district: Place) -> list[tuple[str, str, str]]:
    """(text, department id, category) from the catalogue and past dispatch decisions."""
    rows = []
    for item in ServiceItem.objects.filter(district=district, is_active=True):
        text = " ".join([item.name, item.keywords.replace(",", " "), item.description])
        rows.extend([(text, str(item.lead_department_id), item.category)] * 3)
    history = (
        ServiceRequest.objects.filter(district=district, lead_department__isnull=False)
        .exclude(state__in=[State.MERGED, State.REJECTED])
        .order_by("-created_at")
        .values_list("title", "description", "lead_department_id", "category")[:HISTORY_LIMIT]
    )
    rows.extend((f"{title} {text}", str(dept), category) for title, text, dept, category in history)
    return rows


def train_counts(samples) -> dict:
    model = {"department": {}, "category": {}, "vocabulary": 0}
    vocabulary = set()
    for text, department, category in samples:
        words = tokens(text)
        vocabulary.update(words)
        for key, label in (("department", department), ("category", category)):
            entry = model[key].setdefault(label, {"docs": 0, "words": 0, "counts": {}})
            entry["docs"] += 1
            entry["words"] += len(words)
            counts = entry["counts"]
            for word in words:
                counts[word] = counts.get(word, 0) + 1
    model["vocabulary"] = len(vocabulary)
    return model


@one_write
def retrain(district: Place) -> RoutingModel:
    samples = _samples(district)
    return RoutingModel.objects.create(
        district=district, samples=len(samples), data=train_counts(samples)
    )


# (district id, model id, trained_at) → the model's data and the words it knows a department by
_MODELS: dict[tuple, tuple[dict, frozenset]] = {}


def _with_known_words(model: dict) -> tuple[dict, frozenset]:
    return model, frozenset().union(*(entry["counts"] for entry in model["department"].values()))


def _model_for(district_id: int, latest: tuple | None) -> tuple[dict, frozenset]:
    """The district's model whose (pk, trained_at) is ``latest`` (None: no stored model yet —
    trained on the spot) and its known words; a stored model is parsed once per process."""
    if latest is None or latest[0] is None:
        return _with_known_words(train_counts(_samples(Place.objects.get(pk=district_id))))
    key = (district_id, *latest)
    found = _MODELS.get(key)
    if found is None:
        data = RoutingModel.objects.values_list("data", flat=True).get(pk=latest[0])
        if len(_MODELS) > 64:
            _MODELS.clear()
        found = _MODELS[key] = _with_known_words(data)
    return found


def _departments_sql() -> tuple[str, list[str]]:
    """The query behind ``_active_departments``, written once per process: compiling the ORM's
    version (a filter, an annotation with two subqueries) cost more client CPU than running it.
    Columns come from the models' metadata, so a new field on Department is read too."""
    global _DEPARTMENTS_SQL
    if _DEPARTMENTS_SQL is None:
        quote = connection.ops.quote_name
        columns = [f.column for f in Department._meta.concrete_fields]
        latest = (
            f"FROM {quote(RoutingModel._meta.db_table)} "  # noqa: S608 - names from metadata
            "WHERE district_id = %s ORDER BY trained_at DESC, id DESC LIMIT 1"
        )
        sql = (
            f"SELECT {', '.join(quote(c) for c in columns)}, "  # noqa: S608 - names from metadata
            f"(SELECT id {latest}), (SELECT trained_at {latest}) "
            f"FROM {quote(Department._meta.db_table)} WHERE district_id = %s AND is_active"
        )
        _DEPARTMENTS_SQL = (sql, [f.attname for f in Department._meta.concrete_fields])
    return _DEPARTMENTS_SQL


_DEPARTMENTS_SQL: tuple[str, list[str]] | None = None


def _active_departments(district_id: int) -> tuple[dict[int, Department], tuple | None]:
    """The district's active departments and which stored model is current, in one query (the
    model's key rides along as a subquery, so a retrain elsewhere is seen at once)."""
    sql, names = _departments_sql()
    rows = plain_sql.fetch_all(sql, [district_id, district_id, district_id])
    if not rows:
        return {}, None
    latest = tuple(rows[0][-2:])  # a cache key only (SQLite gives the moment as text)
    by_id = {}
    for row in rows:
        department = Department.from_db(connection.alias, names, row[:-2])
        by_id[department.pk] = department
    return by_id, latest


def _classify(part: dict, words: list[str], vocabulary: int) -> list[tuple[str, float]]:
    total_docs = sum(entry["docs"] for entry in part.values())
    if not total_docs or not words:
        return []
    scores = {}
    for label, entry in part.items():
        score = math.log(entry["docs"] / total_docs)
        denominator = entry["words"] + vocabulary + 1
        for word in words:
            score += math.log((entry["counts"].get(word, 0) + 1) / denominator)
        scores[label] = score
    top = max(scores.values())
    weights = {label: math.exp(score - top) for label, score in scores.items()}
    norm = sum(weights.values())
    return sorted(((label, w / norm) for label, w in weights.items()), key=lambda p: -p[1])


@dataclass
class Suggestion:
    department: Department | None
    department_confidence: float
    category: str
    category_label: str
    category_confidence: float
    alternatives: list[tuple[Department, float]]


def suggest(request: ServiceRequest) -> Suggestion | None:
    """Suggest a lead department and a class for the request's text; None without data."""
    by_id, latest = _active_departments(request.district_id)
    if not by_id:
        return None  # nobody to suggest
    model, known = _model_for(request.district_id, latest)
    words = tokens(f"{request.title} {request.description}")
    if known.isdisjoint(words):
        return None
    departments = _classify(model["department"], words, model["vocabulary"])
    categories = _classify(model["category"], words, model["vocabulary"])
    ranked = [(by_id[int(label)], p) for label, p in departments[:3] if int(label) in by_id]
    if not ranked:
        return None
    category, category_p = categories[0] if categories else (Category.HELP, 0.0)
    return Suggestion(
        department=ranked[0][0],
        department_confidence=round(ranked[0][1] * 100),
        category=category,
        category_label=str(Category(category).label) if category in Category.values else category,
        category_confidence=round(category_p * 100),
        alternatives=[(d, round(p * 100)) for d, p in ranked[1:]],
    )


def likely_duplicates(request: ServiceRequest, limit: int = 5) -> list[tuple[ServiceRequest, int]]:
    """Open requests with similar words near the same place (same community, else same street)
    within the last days, most similar first, with a similarity in percent."""
    near = request.community or request.street or request.place
    since = request.created_at - timezone.timedelta(days=DUPLICATE_DAYS)
    mine = set(tokens(f"{request.title} {request.description}"))
    if not mine or near is None:
        return []
    candidates = (
        ServiceRequest.objects.filter(
            place_path__startswith=near.path,
            created_at__gte=since,
            state__in=OPEN_STATES,
            merged_into__isnull=True,
        )
        .exclude(pk=request.pk)
        .order_by("-created_at")[:200]
    )
    found = []
    for other in candidates:
        theirs = set(tokens(f"{other.title} {other.description}"))
        if not theirs:
            continue
        similarity = len(mine & theirs) / len(mine | theirs)
        if similarity >= DUPLICATE_MIN:
            found.append((other, round(similarity * 100)))
    found.sort(key=lambda pair: -pair[1])
    return found[:limit]


def retrain_all() -> dict:
    trained = {}
    for district in Place.objects.filter(level=PlaceLevel.DISTRICT, is_active=True):
        trained[district.code] = retrain(district).samples
    return trained
