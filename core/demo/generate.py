"""Pure, deterministic generators for the demo district (no database).

Everything here depends only on the seed. Residents are generated grid by grid, each grid
with its own `random.Random`, and their ID and mobile numbers come from bijections of a
global index, so the numbers are unique by construction and any range of grids can be
generated in any process, in any order, with the same result.
"""

import datetime
import math
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate

from stdnum.cn import ric

from core.demo import names
from core.identifiers import grid_code

# The demo's "today": ages are computed against a fixed date so data never depends on the clock.
REFERENCE_DATE = datetime.date(2026, 1, 1)
SMALL_RESIDENTS = 3000
TINY_RESIDENTS = 300


@dataclass
class GridPlan:
    name: str
    code: str
    population: int
    households: int
    roads: list[str]


@dataclass
class CommunityPlan:
    name: str
    code: str
    population: int
    households: int
    grids: list[GridPlan] = field(default_factory=list)


@dataclass
class StreetPlan:
    name: str
    code: str
    population: int
    households: int
    communities: list[CommunityPlan] = field(default_factory=list)


@dataclass
class DistrictPlan:
    name: str
    code: str
    population: int
    households: int
    streets: list[StreetPlan]

    def communities(self) -> list[CommunityPlan]:
        return [c for s in self.streets for c in s.communities]

    def grids(self) -> list[GridPlan]:
        return [g for c in self.communities() for g in c.grids]


def split_total(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Integers proportional to `weights` that sum exactly to `total` (largest remainder)."""
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    parts = [math.floor(x) for x in raw]
    order = sorted(range(len(raw)), key=lambda i: (parts[i] - raw[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def plan_district(seed: int, *, communities_limit: int | None = None) -> DistrictPlan:
    """The org tree: 12 streets, 104 communities, ~1,000 grids, with people and households.

    `communities_limit` keeps only the first N communities of each street (for tiny test builds).
    """
    rng = random.Random(f"plan:{seed}")
    all_communities = [(s, stem) for s, (_n, stems) in enumerate(names.STREETS) for stem in stems]
    populations = split_total(
        rng, names.DISTRICT_POPULATION, [rng.uniform(0.6, 1.4) for _ in all_communities]
    )
    streets = [
        StreetPlan(name, f"{names.DISTRICT_CODE}{i + 1:03d}", 0, 0)
        for i, (name, _stems) in enumerate(names.STREETS)
    ]
    per_street_seq = [0] * len(streets)
    for (s, stem), population in zip(all_communities, populations, strict=True):
        per_street_seq[s] += 1
        street = streets[s]
        households = round(population / rng.uniform(2.4, 2.8))
        community = CommunityPlan(
            f"{stem}社区", f"{street.code}{per_street_seq[s]:03d}", population, households
        )
        n_grids = rng.randint(7, 12)
        grid_pops = split_total(rng, population, [rng.uniform(0.7, 1.3) for _ in range(n_grids)])
        grid_hhs = split_total(rng, households, grid_pops)
        roads = rng.sample(names.ROADS, 3)
        for g in range(n_grids):
            grid_roads = [roads[g % 3], rng.choice(names.ROADS)]
            community.grids.append(
                GridPlan(
                    f"{community.name}第{g + 1}网格",
                    grid_code(community_code=community.code, sequence=g + 1),
                    grid_pops[g],
                    min(grid_hhs[g], grid_pops[g]),
                    list(dict.fromkeys(grid_roads)),
                )
            )
        if communities_limit is None or per_street_seq[s] <= communities_limit:
            street.communities.append(community)
    for street in streets:
        street.population = sum(c.population for c in street.communities)
        street.households = sum(c.households for c in street.communities)
    return DistrictPlan(
        names.DISTRICT_NAME,
        names.DISTRICT_CODE,
        sum(s.population for s in streets),
        sum(s.households for s in streets),
        streets,
    )


def residents_per_grid(plan: DistrictPlan, total: int | None) -> list[int]:
    """How many resident records each grid gets: its population, or `total` spread in proportion."""
    pops = [g.population for g in plan.grids()]
    if total is None:
        return pops
    return split_total(random.Random(0), total, pops)


# ---------------------------------------------------------------- people


def _weighted(pairs):
    values = [v for v, _w in pairs]
    cum = list(accumulate(w for _v, w in pairs))
    return values, cum


SURNAME_VALUES, SURNAME_CUM = _weighted(names.SURNAMES)


def person_name(rng: random.Random, male: bool, surname: str | None = None) -> str:
    surname = surname or rng.choices(SURNAME_VALUES, cum_weights=SURNAME_CUM)[0]
    chars = names.GIVEN_MALE if male else names.GIVEN_FEMALE
    length = 1 if rng.random() < 0.25 else 2
    return surname + "".join(rng.choice(chars) for _ in range(length))


# Share of people by birth year (five-year bands, oldest first) — a rough urban age pyramid.
_AGE_BANDS = [
    (1926, 1), (1931, 2), (1936, 4), (1941, 6), (1946, 9), (1951, 12), (1956, 13), (1961, 13),
    (1966, 12), (1971, 12), (1976, 11), (1981, 12), (1986, 13), (1991, 13), (1996, 11),
    (2001, 8), (2006, 7), (2011, 7), (2016, 5), (2021, 3),
]  # fmt: skip
# Division codes an ID number may carry, with the years they were in force (python-stdnum's
# table) and a weight: people born since 1983 mostly carry 320104 (秦淮) or the former 320103
# (白下); older people carry codes that were valid in their birth year (320120 南京市区 etc.).
_REGIONS = [
    ("320104", 1983, 2025, 60),
    ("320103", 1983, 2013, 25),
    ("320102", 1983, 2025, 8),
    ("320106", 1983, 2025, 7),
    ("320120", 1900, 1983, 85),
    ("320121", 1900, 2000, 8),
    ("320122", 1900, 2002, 7),
]
_MAX_SEQ_HALF = 400  # residents use sequence codes 000–799; staff use 800–999
_FIRST_DAY = datetime.date(1926, 1, 1)
_LAST_DAY = datetime.date(2025, 12, 31)


def _year_weight(year: int) -> int:
    index = bisect_right([start for start, _w in _AGE_BANDS], year) - 1
    return _AGE_BANDS[max(index, 0)][1]


@lru_cache(maxsize=1)
def _id_slots() -> tuple[list[int], list[tuple[str, int]], int, int]:
    """Cumulative slot capacity over (division, birth day); each slot is one unique ID number."""
    cells, capacity = [], []
    days = (_LAST_DAY - _FIRST_DAY).days + 1
    for code, start, end, weight in _REGIONS:
        for d in range(days):
            year = (_FIRST_DAY + datetime.timedelta(days=d)).year
            if start <= year <= end:
                cells.append((code, d))
                capacity.append(min(_MAX_SEQ_HALF, max(1, weight * _year_weight(year) // 8)))
    cum = list(accumulate(capacity))
    total = cum[-1]
    step = int(total * 0.6180339887)
    while math.gcd(step, total) != 1:
        step += 1
    return cum, cells, total, step


def id_number(index: int, male: bool) -> str:
    """The resident ID number for global index `index`: valid GB 11643, unique per index."""
    cum, cells, total, step = _id_slots()
    slot = (index * step + 7919) % total
    cell = bisect_right(cum, slot)
    offset = slot - (cum[cell - 1] if cell else 0)
    code, day = cells[cell]
    birth = _FIRST_DAY + datetime.timedelta(days=day)
    body = f"{code}{birth:%Y%m%d}{offset * 2 + (1 if male else 0):03d}"
    return body + ric.calc_check_digit(body + "0")


def staff_id_number(k: int, male: bool) -> str:
    """An ID number for the k-th staff member (born 1966–1998); never clashes with residents."""
    birth = datetime.date(1966, 1, 1) + datetime.timedelta(days=(k * 7) % 11_700)
    code = "320104" if birth.year >= 1983 else "320120"  # the code valid in the birth year
    body = f"{code}{birth:%Y%m%d}{800 + (k % 100) * 2 + (1 if male else 0):03d}"
    return body + ric.calc_check_digit(body + "0")


def mobile_number(index: int, rng: random.Random) -> str:
    """A mainland mobile number; the last 8 digits are a bijection of `index` (so unique)."""
    suffix = (index * 61_803_399 + 37_201_519) % 100_000_000
    return rng.choice(names.MOBILE_PREFIXES) + f"{suffix:08d}"


STAFF_MOBILE_BASE = 90_000_000


def address(rng: random.Random, roads: list[str]) -> str:
    road = rng.choice(roads)
    number = rng.randint(1, 360)
    if rng.random() < 0.15:  # old-city courtyard houses: no building or unit
        return f"南京市秦淮区{road}{number}号"
    floor = rng.randint(1, 18)
    return (
        f"南京市秦淮区{road}{number}号{rng.randint(1, 24)}栋"
        f"{rng.randint(1, 4)}单元{floor}{rng.randint(1, 4):02d}室"
    )


_HOUSEHOLD_SIZES = [1, 2, 3, 4, 5]
_HOUSEHOLD_WEIGHTS = [18, 30, 28, 14, 10]


@dataclass(frozen=True)
class Resident:
    name: str
    gender: str
    birth_date: datetime.date
    id_number: str
    mobile: str  # blank for children under 14
    address: str
    grid_index: int


def grid_residents(seed: int, grid_index: int, first_index: int, count: int, roads: list[str]):
    """The `count` residents of one grid, in households sharing an address and mostly a surname."""
    rng = random.Random(seed * 1_000_003 + grid_index)
    made = 0
    while made < count:
        size = min(rng.choices(_HOUSEHOLD_SIZES, _HOUSEHOLD_WEIGHTS)[0], count - made)
        home = address(rng, roads)
        surname = rng.choices(SURNAME_VALUES, cum_weights=SURNAME_CUM)[0]
        for member in range(size):
            index = first_index + made
            male = rng.random() < 0.5
            number = id_number(index, male)
            birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            adult = (REFERENCE_DATE - birth).days >= 14 * 365
            own_surname = None if member == 1 and rng.random() < 0.8 else surname  # spouse
            yield Resident(
                name=person_name(rng, male, own_surname),
                gender="M" if male else "F",
                birth_date=birth,
                id_number=number,
                mobile=mobile_number(index, rng) if adult else "",
                address=home,
                grid_index=grid_index,
            )
            made += 1


def all_residents(seed: int, plan: DistrictPlan, total: int | None):
    """Every resident of the district, grid by grid (a generator: nothing is held)."""
    first = 0
    for grid_index, (grid, count) in enumerate(
        zip(plan.grids(), residents_per_grid(plan, total), strict=True)
    ):
        yield from grid_residents(seed, grid_index, first, count, grid.roads)
        first += count
