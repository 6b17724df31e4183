"""Routing help: from a request's free text, suggest the lead department with a confidence that
means what it says, or say that there is no suggestion; and point out likely duplicates nearby.

Training data (``_samples``), and nothing else:
- the district's catalogue: each active item's name, each of its keywords and its description,
  labelled with the item's lead department;
- dispatcher decisions: requests whose current lead department a dispatcher (a person holding a
  dispatch role in the district, services.policies.DISPATCH_ROLES) chose, by dispatching,
  re-dispatching or upholding an objection. What anyone else set (the demo's builder, a script,
  a superuser without a role) is not a decision and is never learnt from.

The classifier is a multinomial naive Bayes over jieba words and Chinese character pairs (a
feature counts once per text; uniform prior: the catalogue is not a sample of what people
write). Its posteriors are not probabilities, so the confidence shown is a separate, calibrated
estimate of "the top department is right": a logistic map (Platt scaling) from the model's
per-feature margin, the share of the text it knows and how much of it it knows, fitted on rows
the model was not trained on: the labelled complaints kept in services/data/routing_calibration.csv
(mapped to the district's departments by short code; a complaint whose departments the district
lacks counts as one the model gets wrong) and, once there are enough, the dispatcher decisions
in cross-validation. Below the district's threshold (the rule ``routing_min_confidence``) the
suggestion is withheld: the page says so and nothing is preselected. The evaluation is
bench/bench_routing.py over a different labelled set (bench/data/routing_eval.csv).

The model is retrained in the background (a daily job) and stored per district; a page only
reads the stored model (before the first training, the model is trained on the spot).
"""

import csv
import functools
import math
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import jieba
from django.db import connection
from django.db.models import Count, Exists, Max, OuterRef, Q, Sum
from django.utils import timezone

from core.clock import one_write
from core.models import Department, Place, PlaceLevel, RoleAssignment
from services import plain_sql
from services.models import (
    OPEN_STATES,
    EventKind,
    RequestEvent,
    RoutingModel,
    ServiceItem,
    ServiceRequest,
    State,
)
from services.policies import DISPATCH_ROLES

jieba.setLogLevel(60)  # quiet: jieba logs its dictionary loading
VERSION = 2  # of the stored model's format; older stored models are not read
STOP_CHARS = set("的了和是在我有也就都而及与着或个没们你他她它请吗呢啊吧这那很太又还把给让")
STOP = {
    "小区", "社区", "门口", "楼下", "楼上", "附近", "家里", "我家", "我们", "问题", "情况", "希望",
    "一下", "反映", "谢谢", "有关", "部门", "处理", "解决", "怎么", "什么", "能不能", "已经",
    "好几", "几天", "一直", "现在", "还是", "没有", "老是", "经常", "天天", "每天", "晚上", "白天",
    "早上", "能否", "麻烦", "帮忙", "尽快", "管管", "有人", "这个", "那个", "这里", "那里", "居民",
    "业主", "时候", "今天", "昨天", "最近", "一个", "请问", "可以", "需要", "你们", "他们", "严重",
    "影响", "不能", "无人", "没人", "出现", "发现", "看看", "东门", "西门", "南门", "北门", "路口",
}  # fmt: skip
DUPLICATE_STOP = set("的了和是在我有也就都而及与着或一个没有我们你们他们请吗呢啊吧这那很")
WORD = re.compile(r"[\w\u4e00-\u9fff]")
HAN_RUN = re.compile(r"[\u4e00-\u9fff]+")
ALPHA = 0.5  # additive smoothing
HISTORY_LIMIT = 5000
FOLDS = 5
MIN_DECISIONS_TO_CALIBRATE = 30
DUPLICATE_DAYS = 7
DUPLICATE_MIN = 0.3
CALIBRATION_FILE = Path(__file__).resolve().parent / "data" / "routing_calibration.csv"
# Used when a district has too few calibration rows for a fit of its own (< MIN_ROWS): fitted
# on the demo district's catalogue and the calibration file (bench/bench_routing.py prints it).
DEFAULT_CALIBRATION = {"w": [1.68, 3.54, 1.07], "b": -1.74, "rows": 0, "from": "default"}
MIN_ROWS = 40


# ---------------------------------------------------------------- text


def tokens(text: str) -> list[str]:
    """The words of a text (jieba) without punctuation and one-character fillers (for the
    likely duplicates)."""
    return [
        t
        for t in jieba.lcut((text or "").lower())
        if t.strip() and WORD.search(t) and t not in DUPLICATE_STOP
    ]


def features(text: str) -> frozenset[str]:
    """What the classifier reads of a text: its words (jieba, search mode, which also gives the
    shorter words inside a long one) and every pair of adjacent Chinese characters (jieba cuts
    "路灯不亮" into 路 / 灯不亮; the pair 路灯 still matches the catalogue's keyword)."""
    text = (text or "").lower()
    found = {
        t for t in jieba.lcut_for_search(text) if len(t) > 1 and WORD.search(t) and t not in STOP
    }
    for run in HAN_RUN.findall(text):
        for i in range(len(run) - 1):
            pair = run[i : i + 2]
            if pair not in STOP and not (STOP_CHARS & set(pair)):
                found.add(pair)
    return frozenset(found)


# ---------------------------------------------------------------- training data


def _dispatchers(district: Place):
    """Everyone who holds or held a dispatch role in the district (decisions stay theirs)."""
    return RoleAssignment.objects.filter(
        Q(place=district) | Q(place__district=district), role__in=DISPATCH_ROLES
    ).values("user_id")


def _decisions(district: Place) -> list[tuple[str, str]]:
    """(text, department id) of the district's requests whose lead department a dispatcher chose,
    newest first."""
    chosen = RequestEvent.objects.filter(
        request=OuterRef("pk"),
        kind__in=[EventKind.DISPATCH, EventKind.REDISPATCH, EventKind.OBJECT_OK],
        department=OuterRef("lead_department"),
        actor__in=_dispatchers(district),
    )
    rows = (
        ServiceRequest.objects.filter(district=district, lead_department__isnull=False)
        .exclude(state__in=[State.MERGED, State.REJECTED])
        .filter(Exists(chosen))
        .order_by("-created_at", "-pk")
        .values_list("title", "description", "lead_department_id")[:HISTORY_LIMIT]
    )
    return [(f"{title} {text}", str(department)) for title, text, department in rows]


def catalogue_texts(items) -> list[tuple[str, str]]:
    """(text, label) from catalogue items given as (name, keywords, description, label): the
    name, each keyword and the description, each a text of its own."""
    rows = []
    for name, keywords, description, label in items:
        rows.append((name, str(label)))
        rows.extend((word, str(label)) for word in re.split(r"[,，、\s]+", keywords) if word)
        if description:
            rows.append((description, str(label)))
    return rows


def _catalogue(district: Place) -> list[tuple[str, str]]:
    """(text, department id) from the district's active catalogue items."""
    items = ServiceItem.objects.filter(district=district, is_active=True)
    return catalogue_texts(
        items.values_list("name", "keywords", "description", "lead_department_id")
    )


def _samples(district: Place) -> tuple[list, list]:
    """The catalogue's rows and the dispatcher decisions', as (features, label)."""
    catalogue = [(features(text), label) for text, label in _catalogue(district)]
    decisions = [(features(text), label) for text, label in _decisions(district)]
    return catalogue, decisions


@functools.cache
def calibration_rows() -> tuple[tuple[frozenset, frozenset], ...]:
    """The kept labelled complaints for calibration: (features, acceptable short codes)."""
    with CALIBRATION_FILE.open(encoding="utf-8") as handle:
        return tuple(
            (features(row["text"]), frozenset(row["departments"].split("|")))
            for row in csv.DictReader(handle)
        )


# ---------------------------------------------------------------- the model


def count(samples) -> dict:
    """Naive Bayes counts: per label, how many texts had each feature, and the total."""
    classes: dict[str, dict] = {}
    vocabulary = set()
    for found, label in samples:
        entry = classes.setdefault(label, {"total": 0, "counts": {}})
        entry["total"] += len(found)
        counts = entry["counts"]
        for feature in found:
            counts[feature] = counts.get(feature, 0) + 1
        vocabulary.update(found)
    return {"version": VERSION, "classes": classes, "vocabulary": len(vocabulary)}


@dataclass
class Scored:
    """The model's raw reading of a text: labels ranked by score (log-likelihood, uniform
    prior), how many of the text's features it knows, and of how many."""

    ranked: list[tuple[str, float]] = field(default_factory=list)
    known: int = 0
    total: int = 0

    def signals(self) -> list[float]:
        """What calibration maps to a probability: margin per known feature, share known,
        log of how much is known."""
        if not self.ranked or not self.known:
            return [0.0, 0.0, 0.0]
        second = self.ranked[1][1] if len(self.ranked) > 1 else self.ranked[0][1] - 10.0
        margin = (self.ranked[0][1] - second) / self.known
        return [margin, self.known / max(self.total, 1), math.log1p(self.known)]


def score(model: dict, found: frozenset, known_words: frozenset) -> Scored:
    known = [f for f in found if f in known_words]
    if not known or not model["classes"]:
        return Scored(known=0, total=len(found))
    size = model["vocabulary"]
    scores = []
    for label, entry in model["classes"].items():
        counts = entry["counts"]
        denominator = math.log(entry["total"] + ALPHA * size)
        value = sum(math.log(counts.get(f, 0) + ALPHA) for f in known) - len(known) * denominator
        scores.append((label, value))
    scores.sort(key=lambda pair: -pair[1])
    return Scored(ranked=scores, known=len(known), total=len(found))


def known_words_of(model: dict) -> frozenset:
    return frozenset().union(*(entry["counts"] for entry in model["classes"].values()))


def _sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))


def probability(calibration: dict, signals: list[float]) -> float:
    """The calibrated chance that the top label is right."""
    return _sigmoid(
        calibration["b"] + sum(w * x for w, x in zip(calibration["w"], signals, strict=True))
    )


def fit_calibration(points: list[tuple[list[float], bool]], *, source: str) -> dict:
    """Platt scaling: logistic regression of "top-1 was right" on the signals, by Newton's
    method with a little ridge (pure Python: three signals and a bias)."""
    if len(points) < MIN_ROWS:
        return dict(DEFAULT_CALIBRATION)
    n = len(points[0][0]) + 1
    weights = [0.0] * n
    ridge = 1e-2
    for _round in range(50):
        gradient = [ridge * w for w in weights]
        hessian = [[ridge if i == j else 0.0 for j in range(n)] for i in range(n)]
        for signals, right in points:
            x = [*signals, 1.0]
            p = _sigmoid(sum(w * v for w, v in zip(weights, x, strict=True)))
            for i in range(n):
                gradient[i] += (p - right) * x[i]
                for j in range(n):
                    hessian[i][j] += p * (1 - p) * x[i] * x[j]
        step = _solve(hessian, gradient)
        weights = [w - s for w, s in zip(weights, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            break
    return {"w": weights[:-1], "b": weights[-1], "rows": len(points), "from": source}


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting (a 4×4 system)."""
    n = len(vector)
    rows = [[*matrix[i], vector[i]] for i in range(n)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(rows[r][col]))
        rows[col], rows[pivot] = rows[pivot], rows[col]
        lead = rows[col][col] or 1e-12
        for r in range(col + 1, n):
            factor = rows[r][col] / lead
            for c in range(col, n + 1):
                rows[r][c] -= factor * rows[col][c]
    solution = [0.0] * n
    for r in range(n - 1, -1, -1):
        tail = sum(rows[r][c] * solution[c] for c in range(r + 1, n))
        solution[r] = (rows[r][n] - tail) / (rows[r][r] or 1e-12)
    return solution


def build(catalogue, decisions, kept) -> dict:
    """The model: counts from the catalogue's and the decisions' rows (features, label), and
    its calibration fitted on rows it did not learn from: ``kept``, the kept complaints as
    (features, acceptable labels) (a complaint whose labels the model lacks is one it gets
    wrong), and each fold of the decisions scored by a model trained without that fold."""
    model = count(list(catalogue) + list(decisions))
    known = known_words_of(model)
    points = []
    for found, acceptable in kept:
        scored = score(model, found, known)
        if scored.known:  # a text it knows nothing of is never suggested: nothing to calibrate
            points.append((scored.signals(), scored.ranked[0][0] in acceptable))
    if len(decisions) >= MIN_DECISIONS_TO_CALIBRATE:
        for fold in range(FOLDS):
            held = decisions[fold::FOLDS]
            partial = count(
                list(catalogue) + [row for i, row in enumerate(decisions) if i % FOLDS != fold]
            )
            partial_known = known_words_of(partial)
            for found, label in held:
                scored = score(partial, found, partial_known)
                if scored.known:
                    points.append((scored.signals(), scored.ranked[0][0] == label))
    model["calibration"] = fit_calibration(points, source="held-out")
    return model


def train(district: Place) -> tuple[dict, int]:
    """The district's model (counts and calibration) and how many samples it learnt from."""
    catalogue, decisions = _samples(district)
    codes = dict(Department.objects.filter(district=district).values_list("short_code", "pk"))
    kept = [
        (found, frozenset(str(codes[c]) for c in acceptable if c in codes))
        for found, acceptable in calibration_rows()
    ]
    return build(catalogue, decisions, kept), len(catalogue) + len(decisions)


@one_write
def retrain(district: Place) -> RoutingModel:
    model, samples = train(district)
    return RoutingModel.objects.create(district=district, samples=samples, data=model)


def retrain_all() -> dict:
    trained = {}
    for district in Place.objects.filter(level=PlaceLevel.DISTRICT, is_active=True):
        trained[district.code] = retrain(district).samples
    return trained


# ---------------------------------------------------------------- reading the stored model

# (district id, model id, trained_at) → the model's data and the features it knows
_MODELS: dict[tuple, tuple[dict, frozenset]] = {}


def _model_for(district_id: int, latest: tuple | None, departments=()) -> tuple[dict, frozenset]:
    """The district's model whose (pk, trained_at) is ``latest`` and its known features; a
    stored model is parsed once per process. Without one (None: before the first training),
    the model is trained on the spot and kept in the process for a few minutes, per set of
    active departments and state of the catalogue."""
    if latest is not None and latest[0] is not None:
        key = (district_id, *latest)
        found = _MODELS.get(key)
        if found is None:
            data = RoutingModel.objects.values_list("data", flat=True).get(pk=latest[0])
            if data.get("version") == VERSION:
                if len(_MODELS) > 64:
                    _MODELS.clear()
                found = _MODELS[key] = (data, known_words_of(data))
        if found is not None:
            return found
    catalogue = ServiceItem.objects.filter(district_id=district_id, is_active=True).aggregate(
        n=Count("pk"), last=Max("updated_at"), versions=Sum("version")
    )
    key = (district_id, "spot", tuple(sorted(departments)), *catalogue.values())
    spot = _SPOT.get(key)
    if spot is None or time.monotonic() - spot[0] > SPOT_SECONDS:
        model, _samples_count = train(Place.objects.get(pk=district_id))
        if len(_SPOT) > 64:
            _SPOT.clear()
        spot = _SPOT[key] = (time.monotonic(), (model, known_words_of(model)))
    return spot[1]


# (district id, "spot", department ids, catalogue state) → (when, (model, known features))
_SPOT: dict[tuple, tuple[float, tuple[dict, frozenset]]] = {}
SPOT_SECONDS = 300


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


# ---------------------------------------------------------------- suggesting


@dataclass
class Suggestion:
    """What routing says about a request. ``department`` is None when it abstains: it knows
    none of the words (``reason`` "unknown") or its calibrated confidence is below the
    district's threshold ("unsure"). ``confidence`` (percent) is the estimated chance that the
    top department is right; ``best`` is that department even when withheld (for evaluation,
    never shown or preselected)."""

    department: Department | None
    confidence: int
    threshold: int
    reason: str
    best: Department | None = None
    alternatives: list[Department] = field(default_factory=list)

    @property
    def abstained(self) -> bool:
        return self.department is None


def rank(model: dict, known: frozenset, text: str) -> tuple[Scored, float]:
    """The raw ranking of a text and the calibrated chance its top label is right."""
    scored = score(model, features(text), known)
    if not scored.known:
        return scored, 0.0
    return scored, probability(model.get("calibration", DEFAULT_CALIBRATION), scored.signals())


def suggest(request: ServiceRequest) -> Suggestion | None:
    """Routing's word on the request: a department above the threshold, or an abstention with
    its reason; None when the district has no active department to suggest."""
    from services.rule_defaults import ROUTING_MIN_CONFIDENCE
    from services.services.rules import rule_value

    by_id, latest = _active_departments(request.district_id)
    if not by_id:
        return None
    threshold = rule_value(ROUTING_MIN_CONFIDENCE, request.district_id)
    model, known = _model_for(request.district_id, latest, by_id)
    scored, chance = rank(model, known, f"{request.title} {request.description}")
    ranked = [by_id[int(label)] for label, _s in scored.ranked if int(label) in by_id]
    if not ranked:
        return Suggestion(None, 0, threshold, "unknown")
    # The confidence is about the model's first label: if that department has since been
    # closed, it says nothing about the next one.
    confidence = math.floor(chance * 100) if int(scored.ranked[0][0]) in by_id else 0
    if confidence < threshold:
        return Suggestion(None, confidence, threshold, "unsure", best=ranked[0])
    return Suggestion(
        ranked[0], confidence, threshold, "sure", best=ranked[0], alternatives=ranked[1:3]
    )


# ---------------------------------------------------------------- duplicates


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
