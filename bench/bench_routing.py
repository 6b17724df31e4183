"""Routing on held-out complaints: top-1 and top-3 accuracy, abstentions and calibration.

The model is built exactly as a district's is (services.routing.build): trained on the default
catalogue (services/catalogue_defaults.py, the 12 departments of the demo district) and
calibrated on the kept complaints in services/data/routing_calibration.csv; no dispatcher
decisions (a new district's day one). It is then evaluated on bench/data/routing_eval.csv, a
different set of complaints written for this purpose in plain resident Chinese and never used
for training or calibration; an ambiguous complaint lists every acceptable department
(``cg|sthj``) and one no district department handles is labelled ``-``.

Measured:
- top-1 / top-3: the share of complaints (with a department) whose first / first three ranked
  departments include an acceptable one, before any threshold;
- at the default threshold (services.rule_defaults): the share of complaints answered with a
  suggestion, how often a given suggestion is right, and how many ``-`` complaints got one;
- calibration: expected calibration error (ECE, 10 equal-width bins of the stated confidence
  against the share right) and the reliability bins themselves.
The baseline in the same run is the model this replaced: naive Bayes over jieba words with the
catalogue text repeated, its normalised posterior shown as the confidence, no threshold.

    .venv/bin/python bench/bench_routing.py        # prints the figures and records the row
    .venv/bin/python bench/run.py --only routing    # the same, inside the usual runner
"""

import csv
import math
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EVAL_FILE = ROOT / "bench" / "data" / "routing_eval.csv"
DESCRIPTION = "routing on 299 held-out complaints: top-1/top-3, abstentions, calibration (ECE)"
BINS = 10


def eval_rows() -> list[tuple[str, frozenset]]:
    with EVAL_FILE.open(encoding="utf-8") as handle:
        return [
            (row["text"], frozenset(row["departments"].split("|")) - {"-"})
            for row in csv.DictReader(handle)
        ]


def default_model() -> dict:
    """The model a district with the default catalogue and no decisions gets."""
    from services import routing
    from services.catalogue_defaults import DEFAULT_ITEMS

    texts = routing.catalogue_texts(
        (item["name"], item.get("keywords", ""), item.get("description", ""), item["lead"])
        for item in DEFAULT_ITEMS
    )
    catalogue = [(routing.features(text), label) for text, label in texts]
    return routing.build(catalogue, [], routing.calibration_rows())


def ece(pairs: list[tuple[float, bool]]) -> tuple[float, list[str]]:
    """Expected calibration error over equal-width bins, and the bins as text."""
    bins: list[list[tuple[float, bool]]] = [[] for _ in range(BINS)]
    for confidence, right in pairs:
        bins[min(int(confidence * BINS), BINS - 1)].append((confidence, right))
    error, shown = 0.0, []
    for i, members in enumerate(bins):
        if not members:
            continue
        stated = sum(c for c, _r in members) / len(members)
        actual = sum(r for _c, r in members) / len(members)
        error += len(members) / len(pairs) * abs(stated - actual)
        shown.append(
            f"{i * 10}–{i * 10 + 10}%: n={len(members)} stated {stated:.0%} right {actual:.0%}"
        )
    return error, shown


def evaluate(threshold: int) -> dict:
    from services import routing

    model = default_model()
    known = routing.known_words_of(model)
    rows = eval_rows()
    with_department = [(t, a) for t, a in rows if a]
    top1 = top3 = 0
    pairs, answered, answered_right, out_of_scope_answered, silent = [], 0, 0, 0, 0
    for text, acceptable in rows:
        scored, chance = routing.rank(model, known, text)
        labels = [label for label, _s in scored.ranked]
        right = bool(labels) and labels[0] in acceptable
        if acceptable:
            top1 += right
            top3 += bool(acceptable & set(labels[:3]))
        if not labels:
            silent += 1
            continue
        pairs.append((chance, right))
        if math.floor(chance * 100) >= threshold:
            answered += 1
            answered_right += right
            out_of_scope_answered += not acceptable
    error, bins = ece(pairs)
    return {
        "rows": len(rows),
        "with_department": len(with_department),
        "out_of_scope": len(rows) - len(with_department),
        "top1": top1 / len(with_department),
        "top3": top3 / len(with_department),
        "answered": answered / len(rows),
        "abstained": 1 - answered / len(rows),
        "silent": silent,
        "precision": answered_right / answered if answered else 0.0,
        "out_of_scope_answered": out_of_scope_answered,
        "ece": error,
        "bins": bins,
        "calibration": model["calibration"],
    }


def baseline() -> dict:
    """The replaced model: NB over jieba words, catalogue text ×3, posterior as confidence."""
    from services import routing
    from services.catalogue_defaults import DEFAULT_ITEMS

    classes: dict[str, dict] = {}
    vocabulary = set()
    for item in DEFAULT_ITEMS:
        text = " ".join([item["name"], item.get("keywords", "").replace(",", " "),
                         item.get("description", "")])  # fmt: skip
        words = routing.tokens(text)
        vocabulary.update(words)
        entry = classes.setdefault(item["lead"], {"docs": 0, "words": 0, "counts": {}})
        for _copy in range(3):
            entry["docs"] += 1
            entry["words"] += len(words)
            for word in words:
                entry["counts"][word] = entry["counts"].get(word, 0) + 1
    total_docs = sum(e["docs"] for e in classes.values())
    top1, pairs, n = 0, [], 0
    for text, acceptable in eval_rows():
        words = routing.tokens(text)
        if not acceptable:
            continue
        n += 1
        if vocabulary.isdisjoint(words):
            continue
        scores = {}
        for label, entry in classes.items():
            value = math.log(entry["docs"] / total_docs)
            denominator = entry["words"] + len(vocabulary) + 1
            for word in words:
                value += math.log((entry["counts"].get(word, 0) + 1) / denominator)
            scores[label] = value
        top = max(scores.values())
        norm = sum(math.exp(v - top) for v in scores.values())
        best = max(scores, key=scores.get)
        top1 += best in acceptable
        pairs.append((1 / norm, best in acceptable))
    error, _bins = ece(pairs)
    return {
        "top1": top1 / n,
        "ece": error,
        "mean_confidence": sum(c for c, _r in pairs) / len(pairs),
    }


def run(context=None) -> dict:
    from services.rule_defaults import BY_CODE, ROUTING_MIN_CONFIDENCE

    threshold = BY_CODE[ROUTING_MIN_CONFIDENCE]["value"]
    found = evaluate(threshold)
    old = baseline()
    print("\n".join(found["bins"]))
    print("calibration:", found["calibration"])
    return {
        "benchmark": "routing",
        "measured": (
            f"routing suggestions on {found['rows']} held-out complaints written for the purpose "
            f"(bench/data/routing_eval.csv; {found['out_of_scope']} that no department handles), "
            "model trained on the default catalogue of 12 departments and calibrated on "
            "services/data/routing_calibration.csv (126 other complaints); default threshold "
            f"{threshold}%. Reliability: " + "; ".join(found["bins"])
        ),
        "baseline": (
            f"the replaced naive Bayes on the same catalogue (posterior shown as confidence, "
            f"no threshold): top-1 "
            f"{old['top1']:.0%}, mean stated confidence {old['mean_confidence']:.0%}, "
            f"ECE {old['ece']:.2f}"
        ),
        "result": (
            f"top-1 {found['top1']:.0%}, top-3 {found['top3']:.0%}; at {threshold}%: "
            f"{found['answered']:.0%} suggested, {found['abstained']:.0%} abstained "
            f"({found['silent']} knowing no word of the text), suggestions "
            f"right {found['precision']:.0%}, out-of-scope complaints suggested "
            f"{found['out_of_scope_answered']} of {found['out_of_scope']}; ECE {found['ece']:.3f}"
        ),
        "ratio": f"ECE {found['ece'] / old['ece']:.2f}× baseline" if old["ece"] else "",
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    row = run()
    print(row["result"])
    print(row["baseline"])
    if "--save" in sys.argv:
        import datetime

        from django.db import connection

        from bench import run as runner

        machine = runner.machine_info(connection)
        machine["database"] = "none (computed in memory)"
        row.update(machine=machine, date=datetime.date.today().isoformat())
        runner.save({"routing": row})
