"""The double count of Civil Code art. 278, in exact fractions, from data anyone may hold.

``publish_data`` turns a closed decision's frozen roll and ballots into plain data in which no
owner's name and no house appears: each part and each owner is a keyed token (the same owner's
parts share one token), each part keeps its area (square metres, two decimals, as text) and its
ballot. ``count`` reckons the result from that data alone, so anyone with the published file can
recompute it (``python -m owners.tally file.json``); the page and the file show the same result.

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


def meets(value: Fraction, num: int, den: int, inclusive: bool) -> bool:
    bar = Fraction(num, den)
    return value >= bar if inclusive else value > bar


def _ratio(part: Fraction, whole: Fraction) -> Fraction:
    return part / whole if whole else Fraction(0)


def _shown(value: Fraction) -> str:
    return f"{value.numerator}/{value.denominator}"


def count(data: dict) -> dict:
    """The result of a decision from its published data (see module docstring)."""
    area = {row["part"]: Fraction(row["area"]) for row in data["roll"]}
    owner = {row["part"]: row["owner"] for row in data["roll"]}
    if len(area) != len(data["roll"]):
        raise ValueError("a part is twice on the roll")
    choice_of_owner: dict[str, str] = {}
    voted: set[str] = set()
    for ballot in data["ballots"]:
        part = ballot["part"]
        if part not in area:
            raise ValueError(f"ballot for a part not on the roll: {part}")
        if part in voted:
            raise ValueError(f"part voted twice: {part}")
        voted.add(part)
        if choice_of_owner.setdefault(owner[part], ballot["choice"]) != ballot["choice"]:
            raise ValueError(f"owner with two different choices: {owner[part]}")
    total_area = sum(area.values(), Fraction(0))
    total_owners = len(set(owner.values()))
    took_area = sum((area[p] for p in voted), Fraction(0))
    took_owners = len(choice_of_owner)
    by_choice = {}
    for choice in ("agree", "disagree", "abstain"):
        parts = [p for p in voted if choice_of_owner[owner[p]] == choice]
        by_choice[choice] = {
            "area": str(sum((area[p] for p in parts), Fraction(0))),
            "owners": sum(1 for c in choice_of_owner.values() if c == choice),
            "parts": len(parts),
        }
    agree_area = Fraction(by_choice["agree"]["area"])
    agree_owners = by_choice["agree"]["owners"]
    rule = data["rule"]
    turnout = {
        "area": _ratio(took_area, total_area),
        "owners": _ratio(Fraction(took_owners), Fraction(total_owners)),
    }
    approval = {
        "area": _ratio(agree_area, took_area),
        "owners": _ratio(Fraction(agree_owners), Fraction(took_owners)),
    }
    t_num, t_den, t_inc = rule["turnout"]
    a_num, a_den, a_inc = rule["approval"]
    turnout_met = {k: meets(v, t_num, t_den, t_inc) for k, v in turnout.items()}
    approval_met = {k: meets(v, a_num, a_den, a_inc) for k, v in approval.items()}
    return {
        "total": {"area": str(total_area), "owners": total_owners, "parts": len(area)},
        "took_part": {"area": str(took_area), "owners": took_owners, "parts": len(voted)},
        "by_choice": by_choice,
        "turnout": {k: _shown(v) for k, v in turnout.items()},
        "approval": {k: _shown(v) for k, v in approval.items()},
        "turnout_met": turnout_met,
        "approval_met": approval_met,
        # A consultation (征询) informs; it decides nothing.
        "passed": None
        if data.get("kind") == "consultation"
        else all(turnout_met.values()) and all(approval_met.values()),
    }


def digest(data: dict) -> str:
    """SHA-256 of the data as canonical JSON (sorted keys, no spaces): the fingerprint shown
    beside the result, so a downloaded file can be checked against the page."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def main(argv: list[str]) -> int:
    """Recompute a published tally: ``python -m owners.tally tally.json``."""
    with open(argv[1], encoding="utf-8") as handle:
        published = json.load(handle)
    try:
        result = count(published["data"])
    except (KeyError, TypeError, ValueError) as broken:  # the data itself is not a valid tally
        print(f"数据无效：{broken!r}")
        return 1
    same = result == published["result"] and digest(published["data"]) == published["digest"]
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print("一致" if same else "不一致")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
