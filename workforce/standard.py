"""The standard headcount a rule gives a community (pure arithmetic, whole people)."""

import math


def standard_headcount(rule, *, residents: int, households: int) -> int:
    if rule.kind == rule.Kind.PER_RESIDENTS:
        # 18 per 10,000 is a floor: a community of 5,001 residents needs the tenth worker.
        staff = math.ceil(residents * rule.per_10k_residents / 10_000)
    else:
        staff = _by_bands(rule.bands, rule.step_households, households)
    return min(staff, rule.cap) if rule.cap else staff


def _by_bands(bands: list, step: int, households: int) -> int:
    for below, staff in bands:
        if households < below:
            return staff
    top, staff = bands[-1]
    if step and households >= top:
        staff += (households - top) // step + 1
    return staff
