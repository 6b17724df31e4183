"""The double count of Civil Code art. 278, in exact fractions, at two levels of detail.

**The per-ballot data** (``publish_data`` in owners.services.decisions, stored at closing): the
frozen roll as keyed tokens (each part and each owner a token, the same owner's parts sharing
one), each part's area (square metres, two decimals, as text) and each ballot's choice. ``count``
reckons the result from it alone. Since anyone who knows the flats' sizes could read a house's
vote from it, it goes only to the compound's owners and to those who run the vote (logged in,
audited); each owner finds their own parts' tokens on their own page and checks their ballot.

**The public data** (``public_data``): no area of any single house and nothing that ties a
choice to a house, only sums: the roll's owners, parts and area, and for each choice its owners,
parts and exact area; the rule's thresholds; and the per-ballot data's SHA-256 (``ballots_digest``),
so an owner holding that file can check it is the one the sums were taken from. ``recount``
checks the thresholds from those sums and gives the same result as ``count``.

Each file is ``{"data": …, "result": …, "digest": SHA-256 of data}``;
``python -m owners.tally file.json`` recomputes either and says 一致 or 不一致, and
``python -m owners.tally ballots.json public.json`` also checks that the public sums are the
sums of those ballots.

Counting as 法释〔2009〕7号 arts. 8–9: the area is the sum of the parts' areas; the owners are the
distinct owner tokens (a buyer of several parts is one owner, the developer's unsold parts one
owner together). Participation is measured against the whole roll, approval against those who
took part; each threshold must be met on both counts. "以上" (``inclusive``) is met at the
fraction itself, "过半数" only above it (Civil Code art. 1259).
"""

import hashlib
import json
import sys
from fractions import Fraction

CHOICES = ("agree", "disagree", "abstain")
ABOUT = ("decision", "compound", "title", "matter", "kind", "rule")  # carried into the public data


def meets(value: Fraction, num: int, den: int, inclusive: bool) -> bool:
    bar = Fraction(num, den)
    return value >= bar if inclusive else value > bar


def _ratio(part: Fraction, whole: Fraction) -> Fraction:
    return part / whole if whole else Fraction(0)


def _shown(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def _roll(data: dict) -> tuple[dict[str, Fraction], dict[str, str]]:
    """Each part's area and owner token, from the per-ballot data's roll."""
    area = {row["part"]: Fraction(row["area"]) for row in data["roll"]}
    owner = {row["part"]: row["owner"] for row in data["roll"]}
    if len(area) != len(data["roll"]):
        raise ValueError("a part is twice on the roll")
    return area, owner


def _choices(data: dict, owner: dict[str, str]) -> dict[str, str]:
    """Each voting part's choice; refuses a part off the roll, a part twice, an owner's parts
    with different choices."""
    chosen: dict[str, str] = {}
    of_owner: dict[str, str] = {}
    for ballot in data["ballots"]:
        part, choice = ballot["part"], ballot["choice"]
        if part not in owner:
            raise ValueError(f"ballot for a part not on the roll: {part}")
        if part in chosen:
            raise ValueError(f"part voted twice: {part}")
        if choice not in CHOICES:
            raise ValueError(f"unknown choice: {choice}")
        if of_owner.setdefault(owner[part], choice) != choice:
            raise ValueError(f"owner with two different choices: {owner[part]}")
        chosen[part] = choice
    return chosen


def sums(data: dict) -> dict:
    """The per-ballot data summed: the roll's and each choice's owners, parts and exact area."""
    area, owner = _roll(data)
    chosen = _choices(data, owner)
    by_choice = {}
    for choice in CHOICES:
        parts = [p for p, c in chosen.items() if c == choice]
        by_choice[choice] = {
            "area": str(sum((area[p] for p in parts), Fraction(0))),
            "owners": len({owner[p] for p in parts}),
            "parts": len(parts),
        }
    total = {
        "area": str(sum(area.values(), Fraction(0))),
        "owners": len(set(owner.values())),
        "parts": len(area),
    }
    return {"total": total, "by_choice": by_choice}


def decide(counted: dict, rule: dict, kind: str | None) -> dict:
    """The result from the sums (``sums``' shape) and the rule's thresholds."""
    total, by_choice = counted["total"], counted["by_choice"]
    took = {
        "area": str(sum((Fraction(by_choice[c]["area"]) for c in CHOICES), Fraction(0))),
        "owners": sum(by_choice[c]["owners"] for c in CHOICES),
        "parts": sum(by_choice[c]["parts"] for c in CHOICES),
    }
    turnout, approval = {}, {}
    for key in ("area", "owners"):
        turnout[key] = _ratio(Fraction(took[key]), Fraction(total[key]))
        approval[key] = _ratio(Fraction(by_choice["agree"][key]), Fraction(took[key]))
    turnout_met = {k: meets(v, *rule["turnout"]) for k, v in turnout.items()}
    approval_met = {k: meets(v, *rule["approval"]) for k, v in approval.items()}
    return {
        "total": dict(total),
        "took_part": took,
        "by_choice": {c: dict(by_choice[c]) for c in CHOICES},
        "turnout": {k: _shown(v) for k, v in turnout.items()},
        "approval": {k: _shown(v) for k, v in approval.items()},
        "turnout_met": turnout_met,
        "approval_met": approval_met,
        # A consultation (征询) informs; it decides nothing.
        "passed": None
        if kind == "consultation"
        else all(turnout_met.values()) and all(approval_met.values()),
    }


def count(data: dict) -> dict:
    """The result of a decision from its per-ballot data."""
    return decide(sums(data), data["rule"], data.get("kind"))


def public_data(data: dict) -> dict:
    """What anyone may read of the per-ballot data: its sums, never a house's area or choice."""
    return {
        **{key: data.get(key) for key in ABOUT},
        **sums(data),
        "ballots_digest": digest(data),
    }


def _whole(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"not a count: {value!r}")
    return value


def _area(value) -> Fraction:
    if not isinstance(value, str) or Fraction(value) < 0:
        raise ValueError(f"not an area: {value!r}")
    return Fraction(value)


def recount(public: dict) -> dict:
    """The result from the public data alone; refuses sums that cannot be (a choice's owners,
    parts or area beyond the roll's)."""
    total, by_choice = public["total"], public["by_choice"]
    for key, read in (("owners", _whole), ("parts", _whole), ("area", _area)):
        if sum(read(by_choice[c][key]) for c in CHOICES) > read(total[key]):
            raise ValueError(f"more {key} voted than on the roll")
    return decide(public, public["rule"], public.get("kind"))


def recompute(data: dict) -> dict:
    """The result from either file's data: per-ballot data is counted, public data recounted."""
    return count(data) if "ballots" in data else recount(data)


def digest(data: dict) -> str:
    """SHA-256 of the data as canonical JSON (sorted keys, no spaces): the fingerprint shown
    beside the result, so a downloaded file can be checked against the page."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def published(data: dict, result: dict) -> dict:
    """A file to download: the data, its result and its digest."""
    return {"data": data, "result": result, "digest": digest(data)}


def _load(path: str) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def main(argv: list[str]) -> int:
    """Recompute a published tally: ``python -m owners.tally file.json [public.json]``."""
    files = [_load(path) for path in argv[1:3]]
    try:
        data = files[0]["data"]
        result = recompute(data)
        same = result == files[0]["result"] and digest(data) == files[0]["digest"]
        if len(files) > 1:  # the per-ballot file, then the public one: the same sums?
            same = same and "ballots" in data and public_data(data) == files[1]["data"]
    except (KeyError, TypeError, ValueError, ZeroDivisionError) as broken:
        print(f"数据无效：{broken!r}")  # the data itself is not a valid tally
        return 1
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print("一致" if same else "不一致")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
