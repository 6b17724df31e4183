"""Build the demo district in the database.

The org tree, departments and every staff account go through the real core services, so they
carry their audit events. Residents are written in bulk (bulk_create in batches, or COPY on
PostgreSQL at full scale) with their personal data encrypted, hashed and masked by
core.personal_data, and one summary audit event records the import.
"""

import contextlib
import multiprocessing
import random
import time
from collections.abc import Iterable, Iterator

from django.contrib.auth import base_user
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from core import audit, services
from core.demo import extensions, generate, names
from core.identifiers import mask_id_number, mask_mobile
from core.models import Person, Place, PlaceLevel, Role, RoleAssignment, User
from core.personal_data import encrypt, keyed_hash

DEFAULT_SEED = 2026
# One shared password for every demo account. It passes the password policy (length ≥ 12,
# letters and digits). These are demo credentials: never use them on a real deployment.
DEMO_PASSWORD = "Linli-demo-2026"  # noqa: S105 - a documented, public demo password
BUILDER_USERNAME = "linli-demo-builder"
USERNAME_PREFIX = "qh-"
SCALES = {
    # scale: (resident records, communities kept per street or None for all)
    "tiny": (generate.TINY_RESIDENTS, 1),
    "small": (generate.SMALL_RESIDENTS, None),
    "full": (None, None),  # every grid's full population: ~1.03 million
}
BATCH = 2000
RESIDENT_ACCOUNTS = 8  # residents (in the first community) who can log in with their mobile


class Out:
    """Write progress lines to a stream (a management command's stdout, or nothing)."""

    def __init__(self, stream=None):
        self.stream = stream

    def __call__(self, line: str = "") -> None:
        if self.stream is not None:
            self.stream.write(line + "\n")
            with contextlib.suppress(Exception):
                self.stream.flush()


def demo_district() -> Place | None:
    return Place.objects.filter(level=PlaceLevel.DISTRICT, code=names.DISTRICT_CODE).first()


def build_demo(scale: str = "small", seed: int = DEFAULT_SEED, stdout=None, workers: int = 0):
    """Build the demo district unless it exists. Returns a dict of counts and timings.

    `workers` > 0 generates and encrypts resident rows in that many processes (full scale).
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; use one of {', '.join(SCALES)}")
    out = Out(stdout)
    existing = demo_district()
    if existing is not None:
        out(f"演示区“{existing.name}”（{existing.code}）已存在。")
        out(f"The demo district {existing.code} already exists.")
        builder = User.objects.get(username=BUILDER_USERNAME)
        added = extensions.run_all(district=existing, builder=builder, seed=seed, out=out)
        return {"created": False, "modules_added": added}
    resident_total, communities_limit = SCALES[scale]
    plan = generate.plan_district(seed, communities_limit=communities_limit)
    started = time.perf_counter()
    with transaction.atomic():
        with shared_password_hash(DEMO_PASSWORD):
            builder, district, staff_count = _build_tree_and_staff(plan, seed, out)
        tree_seconds = time.perf_counter() - started
        out(f"组织架构与工作人员账号：{staff_count} 个账号，用时 {tree_seconds:.1f} 秒")
        resident_started = time.perf_counter()
        count = _build_residents(builder, district, plan, seed, resident_total, out, workers)
        resident_seconds = time.perf_counter() - resident_started
        audit.record(
            actor=builder,
            action="demo.residents_import",
            obj=district,
            changes={"residents": count, "scale": scale, "seed": seed},
            purpose="演示数据",
        )
    rate = count / resident_seconds if resident_seconds else 0.0
    out(f"居民：{count} 人，用时 {resident_seconds:.1f} 秒（{rate:,.0f} 行/秒）")
    extensions.run_all(district=district, builder=builder, seed=seed, out=out)
    return {
        "created": True,
        "scale": scale,
        "seed": seed,
        "streets": len(plan.streets),
        "communities": len(plan.communities()),
        "grids": len(plan.grids()),
        "staff_accounts": staff_count,
        "residents": count,
        "tree_seconds": round(tree_seconds, 2),
        "resident_seconds": round(resident_seconds, 2),
        "residents_per_second": round(rate),
        "total_seconds": round(time.perf_counter() - started, 2),
    }


@contextlib.contextmanager
def shared_password_hash(password: str):
    """While building, hash the shared demo password once instead of once per account.

    Each account still stores a normal hash of the configured hasher (so logins and hash
    upgrades work); it is just the same salted hash for all demo accounts. Only for the demo.
    """
    hashed = make_password(password)
    original = base_user.make_password

    def reuse(raw, *args, **kwargs):
        return (
            hashed
            if raw == password and not args and not kwargs
            else original(raw, *args, **kwargs)
        )

    base_user.make_password = reuse
    try:
        yield
    finally:
        base_user.make_password = original


# ---------------------------------------------------------------- tree and staff


def _builder() -> User:
    """The system actor the demo writes as (for the audit log); it cannot log in."""
    builder = User.objects.filter(username=BUILDER_USERNAME).first()
    if builder is None:
        builder = User(username=BUILDER_USERNAME, is_superuser=True, is_staff=False)
        builder.set_unusable_password()
        builder.save()
    return builder


def _build_tree(builder, plan: generate.DistrictPlan):
    district = services.district_create(
        actor=builder, name=plan.name, code=plan.code,
        population=plan.population, households=plan.households,
    )  # fmt: skip
    streets, communities, grids = [], [], []
    for street_plan in plan.streets:
        street = _place(builder, district, street_plan)
        streets.append(street)
        for community_plan in street_plan.communities:
            community = _place(builder, street, community_plan)
            communities.append(community)
            grids += [_place(builder, community, grid) for grid in community_plan.grids]
    return district, streets, communities, grids


def _first_grids(streets, communities, grids) -> list[Place]:
    """Every grid of the first community, then the first grid of each street's first community
    (the first street's repeats one: residents are spread over the list as it is)."""
    first = [g for g in grids if g.parent_id == communities[0].pk]
    for street in streets:
        community = next(c for c in communities if c.parent_id == street.pk)
        first.append(next(g for g in grids if g.parent_id == community.pk))
    return first


def _build_tree_and_staff(plan: generate.DistrictPlan, seed: int, out):
    builder = _builder()
    district, streets, communities, grids = _build_tree(builder, plan)
    out(f"{len(streets)} 个街道，{len(communities)} 个社区，{len(grids)} 个网格")
    departments = [
        services.department_create(actor=builder, district=district, name=name, short_code=code)
        for name, code in names.DEPARTMENTS
    ]
    staff = _Staff(builder, random.Random(f"staff:{seed}"))
    for username in ("admin", "admin-2"):
        staff.add(district, username, Role.ADMIN)
    staff.add(district, "coordinator", Role.COORDINATOR)
    staff.add(district, "auditor", Role.AUDITOR)
    staff.add(district, "oversight", Role.OVERSIGHT_OFFICER)
    for department in departments:
        staff.add(district, department.short_code, Role.DEPARTMENT_OFFICER, department=department)
    for s, street in enumerate(streets, start=1):
        staff.add(street, f"s{s:02d}", Role.STREET_OFFICER)
    staff.add(streets[0], "s01-auditor", Role.AUDITOR)
    for c, community in enumerate(communities, start=1):
        extra = 3 if c <= 3 else 1  # the first few communities have a full team
        for k in range(1, extra + 1):
            staff.add(community, f"c{c:03d}" + (f"-{k}" if k > 1 else ""), Role.COMMUNITY_WORKER)
    first_grids = _first_grids(streets, communities, grids)
    for grid in dict.fromkeys(first_grids):
        staff.add(grid, f"g{grid.code[-8:]}", Role.GRID_WORKER)
    # Social organisations: members at street and community level.
    staff.add(streets[0], "org-s01", Role.SOCIAL_ORG_MEMBER)
    staff.add(streets[1], "org-s02", Role.SOCIAL_ORG_MEMBER)
    for c in range(min(3, len(communities))):
        staff.add(communities[c], f"org-c{c + 1:03d}", Role.SOCIAL_ORG_MEMBER)
        # The first communities' 居务监督委员会 members and their property company's staff.
        staff.add(communities[c], f"jw-c{c + 1:03d}", Role.SUPERVISION_MEMBER)
        staff.add(communities[c], f"wy-c{c + 1:03d}", Role.PROPERTY_STAFF)
    # Residents who log in with their mobile number, registered like any resident.
    for r in range(RESIDENT_ACCOUNTS):
        staff.add(first_grids[r % len(first_grids)], "", Role.RESIDENT)
    return builder, district, staff.count


def _place(builder, parent, item) -> Place:
    return services.place_create(
        actor=builder, parent=parent, name=item.name, code=item.code,
        population=item.population, households=item.households,
    )  # fmt: skip


class _Staff:
    def __init__(self, builder, rng):
        self.builder, self.rng, self.count = builder, rng, 0

    def add(self, place, username, role, department=None):
        male = self.rng.random() < 0.5
        k = self.count
        self.count += 1
        return services.person_register(
            actor=self.builder, place=place,
            name=generate.person_name(self.rng, male),
            id_number=generate.staff_id_number(k, male),
            mobile=generate.mobile_number(generate.STAFF_MOBILE_BASE + k, self.rng),
            address=generate.address(self.rng, names.ROADS[:12]),
            username=f"{USERNAME_PREFIX}{username}" if username else "",
            password=DEMO_PASSWORD, password_is_temporary=False, role=role, department=department,
        )  # fmt: skip


# ---------------------------------------------------------------- residents

_COLUMNS = [
    "name", "gender", "birth_date", "id_number_enc", "id_number_hash", "id_number_masked",
    "mobile_enc", "mobile_hash", "mobile_masked", "address", "place_id", "district_id",
    "created_at", "updated_at",
]  # fmt: skip


def resident_row(r: generate.Resident, place_id: int, district_id: int, now) -> tuple:
    """The database values of one resident, with personal data encrypted, hashed and masked."""
    mobile = r.mobile
    return (
        r.name, r.gender, r.birth_date,
        encrypt(r.id_number), keyed_hash("id:" + r.id_number), mask_id_number(r.id_number),
        encrypt(mobile) if mobile else "", keyed_hash("mobile:" + mobile) if mobile else "",
        mask_mobile(mobile) if mobile else "",
        r.address, place_id, district_id, now, now,
    )  # fmt: skip


def _chunks(plan, resident_total, size_hint):
    """(first_index, [(grid_index, count, roads)]) work units of about `size_hint` residents."""
    first, unit, unit_first, unit_size = 0, [], 0, 0
    for grid_index, (grid, count) in enumerate(
        zip(plan.grids(), generate.residents_per_grid(plan, resident_total), strict=True)
    ):
        unit.append((grid_index, count, grid.roads))
        unit_size += count
        if unit_size >= size_hint:
            yield unit_first, unit
            unit_first, unit, unit_size = unit_first + unit_size, [], 0
        first += count
    if unit:
        yield unit_first, unit


# Set in each worker process (forked, so Django settings and keys are inherited).
_WORK = {}


def _rows_for_unit(task) -> list[tuple]:
    first, unit = task
    seed, grid_ids, district_id, now = (
        _WORK["seed"], _WORK["grid_ids"], _WORK["district_id"], _WORK["now"]
    )  # fmt: skip
    rows = []
    for grid_index, count, roads in unit:
        for resident in generate.grid_residents(seed, grid_index, first, count, roads):
            rows.append(resident_row(resident, grid_ids[grid_index], district_id, now))
        first += count
    return rows


def _row_batches(plan, seed, resident_total, grid_ids, district_id, workers) -> Iterator[list]:
    _WORK.update(seed=seed, grid_ids=grid_ids, district_id=district_id, now=timezone.now())
    units = _chunks(plan, resident_total, BATCH)
    if workers <= 0:
        yield from map(_rows_for_unit, units)
        return
    context = multiprocessing.get_context("fork")
    with context.Pool(workers) as pool:
        # imap keeps order (deterministic ids) and only a few batches in flight.
        yield from pool.imap(_rows_for_unit, units, chunksize=1)


def _build_residents(builder, district, plan, seed, resident_total, out, workers) -> int:
    grid_ids = list(
        Place.objects.filter(district=district, level=PlaceLevel.GRID)
        .order_by("code")
        .values_list("pk", flat=True)
    )
    if len(grid_ids) != len(plan.grids()):
        raise RuntimeError("grid count does not match the plan")
    expected = sum(generate.residents_per_grid(plan, resident_total))
    batches = _row_batches(plan, seed, resident_total, grid_ids, district.pk, workers)
    use_copy = connection.vendor == "postgresql" and expected > 50_000
    writer = _copy_rows if use_copy else _bulk_create_rows
    done, started, last = 0, time.perf_counter(), 0.0
    for rows in batches:
        writer(rows)
        done += len(rows)
        elapsed = time.perf_counter() - started
        if elapsed - last >= 10 or done == expected:
            last = elapsed
            out(f"  居民 {done:,}/{expected:,}，{done / elapsed:,.0f} 行/秒")
    return done


def _bulk_create_rows(rows: Iterable[tuple]) -> None:
    Person.objects.bulk_create(
        [Person(**dict(zip(_COLUMNS, row, strict=True))) for row in rows], batch_size=BATCH
    )


def _copy_rows(rows: Iterable[tuple]) -> None:
    table = Person._meta.db_table
    columns = ", ".join(_COLUMNS)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:  # noqa: S608
            for row in rows:
                copy.write_row(row)


# ---------------------------------------------------------------- logins


def demo_logins(*, limit_per_role: int | None = None) -> list[dict]:
    """The demo accounts: [{role, role_label, place, login, password}], staff by username and
    residents by mobile number. Empty if the demo district does not exist."""
    from core.personal_data import decrypt

    district = demo_district()
    if district is None:
        return []
    assignments = (
        RoleAssignment.objects.active()
        .filter(place__district=district, user__is_active=True)
        .select_related("user__person", "place", "department")
        .order_by("user_id")
    )
    order = {role: i for i, role in enumerate(Role.values)}
    logins, per_role = [], {}
    for a in sorted(assignments, key=lambda a: (order[a.role], a.place.code, a.user_id)):
        if limit_per_role is not None and per_role.get(a.role, 0) >= limit_per_role:
            continue
        per_role[a.role] = per_role.get(a.role, 0) + 1
        person = getattr(a.user, "person", None)
        is_resident = a.role == Role.RESIDENT and person is not None and person.mobile_enc
        place = a.place.name + (f"（{a.department.name}）" if a.department else "")
        logins.append(
            {
                "role": a.role,
                "role_label": str(Role(a.role).label),
                "place": place,
                "login": decrypt(person.mobile_enc) if is_resident else a.user.username,
                "password": DEMO_PASSWORD,
            }
        )
    return logins


def print_logins(stdout, *, limit_per_role: int = 3) -> None:
    out = Out(stdout)
    logins = demo_logins()
    shown = demo_logins(limit_per_role=limit_per_role)
    counts = {}
    for item in logins:
        counts[item["role"]] = counts.get(item["role"], 0) + 1
    out("")
    out("=" * 78)
    out("演示账号 Demo logins — 所有账号共用同一演示密码 / every account shares one password:")
    out(f"    {DEMO_PASSWORD}")
    out("=" * 78)
    width = max((_width(i["place"]) for i in shown), default=10)
    out(f"{_pad('角色 role', 22)}  {_pad('地点 place', width)}  登录名 login (居民用手机号)")
    out("-" * 78)
    for item in shown:
        label = f"{item['role_label']}"
        out(f"{_pad(label, 22)}  {_pad(item['place'], width)}  {item['login']}")
    hidden = len(logins) - len(shown)
    if hidden:
        out(
            f"… 另有 {hidden} 个账号（每个角色只列出前 {limit_per_role} 个）；用户名规则："
            f"{USERNAME_PREFIX}sNN 街道、{USERNAME_PREFIX}cNNN 社区、{USERNAME_PREFIX}g… 网格。"
        )
    out("-" * 78)
    out("警告：以上为公开的演示账号和密码，仅供演示。切勿在真实部署中使用演示数据！")
    out("WARNING: these are public demo credentials. Never load demo data into a real deployment.")
    out("=" * 78)


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))
