"""Registry import of a Qinhuai-size police population file, against a raw COPY of the same rows.

Goal from issue #5, restated by issue #19 item 7: import a file of 1.03 million residents with
validation and matching on PostgreSQL (dry run + commit) at no less than 0.15× the floor measured
in the same run (below: the least any design meeting the issue must write, server-side), with
the importing process's peak memory under 1 GiB. The raw `COPY` of the same rows into a plain
table is still measured and reported beside it (issue #5 asked 0.3× of that).

The file is generated streaming in the shape the 公安分局 sends (registry/tests/data/
police_population_gbk.csv): GBK, CRLF, 户号/与户主关系/姓名/性别/民族/公民身份号码/出生日期/
户籍地址/现住地址/所属网格/人员类别, households of 1–5 people sharing an address, one in ten
living away from their registered address. It is imported into a bench district (320113, whose
ID numbers nobody in the demo district holds) next to the full demo district, so every ID
number is looked up in the whole person table and every row's fuzzy candidates are searched.

The import runs in a child process (`python bench/bench_registry_import.py --child …`) exactly as
the worker runs it: upload (hashing and storing the file), the dry run (`check_import`: read,
validate, match, stage every row), then the all-or-nothing commit (`commit_import`: people,
households, buildings, houses, residences and every fact with its source). Its peak memory is
the child's ru_maxrss. The baseline is `COPY … FROM STDIN (FORMAT csv, ENCODING 'GBK')` of the
same file into a plain table of text columns (no indexes, no constraints). Afterwards everything the import
wrote is deleted again (the bench district's places are kept), so other benchmarks see the demo
district as it was.

Two bounds are measured from the rows the import wrote, rewritten server-side (no Python): what
writing the facts alone allows, and the floor for any design that meets the issue at all — a
person whose keyed ID hash is unique, the dry run's staged row for the row-by-row report, and a
residence, each table with only those indexes, no validation and no facts. On the machines we
have (2 cores), that floor is about 0.12–0.13× a raw COPY: the 0.3× goal cannot be reached
together with the issue's own requirements, and the result row says so in numbers.
"""

import csv
import datetime
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DESCRIPTION = "registry import of a 1.03M-row police file (check + commit) vs. raw COPY"
DISTRICT_CODE = "320113"  # 栖霞区: a real GB/T 2260 code no other benchmark or the demo uses
DISTRICT_NAME = "基准区（导入）"
ROWS = {"tiny": 3_000, "small": 50_000, "full": 1_030_000}
STREETS, COMMUNITIES, GRIDS = 12, 8, 10  # 96 communities, 960 grids, like Qinhuai
HEADER = ["户号", "与户主关系", "姓名", "性别", "民族", "公民身份号码", "出生日期", "户籍地址",
          "现住地址", "所属网格", "人员类别"]  # fmt: skip
ROOT = Path(__file__).resolve().parent.parent

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏飞宇浩然子轩梓涵欣怡佳琪晨阳志伟海燕春梅晓东丹凤云峰雪丽宁波"  # noqa: E501
ETHNIC = ["汉族"] * 96 + ["回族", "满族", "蒙古族", "壮族"]
ROADS = ["仙林大道", "文苑路", "学海路", "和燕路", "尧化路", "栖霞大道", "马群街", "迈皋桥路",
         "燕子矶路", "晓庄路", "万寿路", "恒通大道"]  # fmt: skip
RELATIONS = ["户主", "配偶", "子", "女", "父亲", "母亲", "孙子", "孙女"]
FIRST_DAY = datetime.date(1926, 1, 1)
DAYS = (datetime.date(2025, 12, 31) - FIRST_DAY).days + 1


def community_name(s: int, c: int) -> str:
    return f"基准{s:02d}街道第{c}社区"


def id_number(index: int) -> str:
    """A unique valid ID number with division 320113 for the index-th row."""
    from stdnum.cn import ric

    day, k = index % DAYS, index // DAYS
    # Serials not ending in 0 (1–9, 11–19, …): no number ends in 000, the mark of a number cut
    # by Excel, which at 50,000 rows (serial 000 throughout) had the whole file refused.
    serial = k // 9 * 10 + k % 9 + 1
    birth = FIRST_DAY + datetime.timedelta(days=day)
    body = f"{DISTRICT_CODE}{birth:%Y%m%d}{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def generate(path: Path, rows: int, seed: int = 2026, one_community: bool = False) -> int:
    """Write the police file streaming (GBK, CRLF); returns its size in bytes. Everyone lives
    in the first community when `one_community`, else spread over the whole district."""
    rng = random.Random(seed)
    grids = [(s, c, g) for s in range(1, STREETS + 1) for c in range(1, COMMUNITIES + 1)
             for g in range(1, GRIDS + 1)]  # fmt: skip
    if one_community:
        grids = grids[:GRIDS]
    with open(path, "w", encoding="gb18030", newline="") as f:
        out = csv.writer(f, lineterminator="\r\n")
        out.writerow(HEADER)
        made = household = 0
        while made < rows:
            household += 1
            size = min(rng.choices([1, 2, 3, 4, 5], [18, 30, 28, 14, 10])[0], rows - made)
            s, c, g = grids[household % len(grids)]
            road = ROADS[household % len(ROADS)]
            home = (f"江苏省南京市栖霞区{road}{household // 97 % 400 + 1}号{household % 24 + 1}栋"
                    f"{household % 4 + 1}单元{household % 1800 + 101}室")  # fmt: skip
            surname = rng.choice(SURNAMES)
            for member in range(size):
                number = id_number(made)
                given = "".join(rng.choice(GIVEN) for _ in range(1 + (rng.random() < 0.75)))
                away = rng.random() < 0.1
                actual = (
                    home if not away else f"江苏省南京市栖霞区{rng.choice(ROADS)}{made % 300 + 1}号"
                )
                out.writerow([
                    f"{DISTRICT_CODE}{household:07d}", RELATIONS[min(member, 7)],
                    surname + given, "男" if int(number[16]) % 2 else "女", rng.choice(ETHNIC),
                    number, number[6:14], home, actual, f"{community_name(s, c)}第{g:02d}网格",
                    "户籍人口" if rng.random() < 0.85 else "流动人口",
                ])  # fmt: skip
                made += 1
    return path.stat().st_size


# ---------------------------------------------------------------- the bench district


def world():
    """The bench district with its streets, communities, grids and 公安分局 (kept between runs)."""
    from django.contrib.auth import get_user_model
    from django.test import override_settings

    from core import services
    from core.identifiers import grid_code
    from core.models import Department, Place

    User = get_user_model()
    root = User.objects.filter(username=f"root{DISTRICT_CODE}").first()
    if root is None:
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            root = User.objects.create_superuser(username=f"root{DISTRICT_CODE}", password="x")
    district = Place.objects.filter(code=DISTRICT_CODE).first()
    if district is None:
        district = services.district_create(
            actor=root, name=DISTRICT_NAME, code=DISTRICT_CODE, population=1_030_000
        )
    for s in range(1, STREETS + 1):
        code = f"{DISTRICT_CODE}{s:03d}"
        street = Place.objects.filter(code=code).first() or services.place_create(
            actor=root, parent=district, name=f"基准{s:02d}街道", code=code
        )
        for c in range(1, COMMUNITIES + 1):
            code = f"{street.code}{c:03d}"
            community = Place.objects.filter(code=code).first() or services.place_create(
                actor=root, parent=street, name=community_name(s, c), code=code
            )
            for g in range(1, GRIDS + 1):
                code = grid_code(community_code=community.code, sequence=g)
                if not Place.objects.filter(code=code).exists():
                    services.place_create(
                        actor=root, parent=community, name=f"{community.name}第{g:02d}网格",
                        code=code,
                    )  # fmt: skip
    ga = Department.objects.filter(district=district, short_code="ga").first()
    if ga is None:
        ga = services.department_create(
            actor=root, district=district, name="公安分局", short_code="ga"
        )
    return root, district, ga


def clean_up(district) -> dict:
    """Delete everything an import wrote in the bench district (places and the source stay)."""
    from django.db import connection, transaction

    from registry.models import ImportBatch

    counts = {}
    files = [b.file for b in ImportBatch.objects.filter(district=district) if b.file]
    with transaction.atomic(), connection.cursor() as cursor:
        d = district.pk
        for label, sql in [
            ("import_rows", "DELETE FROM registry_importrow WHERE batch_id IN "
                            "(SELECT id FROM registry_importbatch WHERE district_id = %s)"),
            ("conflicts", "DELETE FROM registry_conflict WHERE district_id = %s"),
            ("facts", "DELETE FROM registry_fact WHERE district_id = %s"),
            ("batches", "DELETE FROM registry_importbatch WHERE district_id = %s"),
            ("residences", "DELETE FROM registry_residence WHERE district_id = %s"),
            ("households", "DELETE FROM registry_household WHERE district_id = %s"),
            ("houses", "DELETE FROM registry_house WHERE district_id = %s"),
            ("units", "DELETE FROM registry_unit WHERE building_id IN "
                      "(SELECT id FROM registry_building WHERE district_id = %s)"),
            ("buildings", "DELETE FROM registry_building WHERE district_id = %s"),
            ("people", "DELETE FROM core_person WHERE district_id = %s AND account_id IS NULL"),
        ]:  # fmt: skip
            cursor.execute(sql, [d])
            counts[label] = cursor.rowcount
    # Reclaim the deleted rows and refresh the statistics now: until autovacuum comes round,
    # the next benchmark's index scans wade through a million dead entries (the report page
    # took 400 ms instead of 70 after a full import had been cleaned up).
    with connection.cursor() as cursor:
        cursor.execute(
            "VACUUM (ANALYZE) registry_importrow, registry_conflict, registry_fact, "
            "registry_importbatch, registry_residence, registry_household, registry_house, "
            "registry_unit, registry_building, core_person"
        )
    for f in files:
        f.storage.delete(f.name)
    return counts


# ---------------------------------------------------------------- the baseline


def copy_baseline(path: Path) -> float:
    """Seconds for a raw COPY of the file into a plain table of text columns."""
    from django.db import connection

    columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_registry_copy")
        cursor.execute(f"CREATE TABLE bench_registry_copy ({columns})")
        started = time.perf_counter()
        with (
            open(path, "rb") as f,
            cursor.copy(
                "COPY bench_registry_copy FROM STDIN (FORMAT csv, HEADER true, ENCODING 'GBK')"
            ) as copy,
        ):
            while block := f.read(1 << 20):
                copy.write(block)
        elapsed = time.perf_counter() - started
        cursor.execute("SELECT count(*) FROM bench_registry_copy")
        copied = cursor.fetchone()[0]
        cursor.execute("DROP TABLE bench_registry_copy")
    return elapsed, copied


def server_write_rates(district_id: int, limit: int = 500_000) -> dict:
    """Rows per second the server alone writes (no Python, no client), measured on up to
    `limit` of the rows the import just wrote, copied again server-side with INSERT … SELECT.

    Facts: into a plain table of registry_fact's columns, into one with its indexes too (LIKE …
    INCLUDING ALL copies no foreign keys), and into registry_fact itself (indexes and its
    foreign keys checked per row, as the commit has them). People: into a table with
    core_person's indexes (hash lookups, the pinyin name order, district and birth date) — a
    floor any design pays, since every import must store its people findable. Ordinary
    tables, so every write is logged as the import's are; all rolled back: nothing is kept."""
    from django.db import connection, transaction

    columns = ("district_id, community_id, person_id, field_id, value, value_hash, value_enc, "
               "source_id, source_label, author_id, batch_id, recorded_at")  # fmt: skip
    rates = {}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE bench_facts ON COMMIT DROP AS SELECT {columns} "
            "FROM registry_fact WHERE district_id = %s LIMIT %s",
            [district_id, limit],
        )
        facts = cursor.rowcount
        cursor.execute(
            "SELECT count(*) FROM pg_constraint "
            "WHERE conrelid = 'registry_fact'::regclass AND contype = 'f'"
        )
        rates["foreign_keys"] = cursor.fetchone()[0]
        cursor.execute("CREATE TABLE bench_fact_plain AS SELECT * FROM registry_fact WITH NO DATA")
        cursor.execute("CREATE TABLE bench_fact_indexed (LIKE registry_fact INCLUDING ALL)")
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for label, table in [("plain", "bench_fact_plain"), ("indexed", "bench_fact_indexed"),
                             ("registry_fact", "registry_fact")]:  # fmt: skip
            ids = "" if table != "bench_fact_plain" else "id, "
            nextval = "" if table != "bench_fact_plain" else "nextval('registry_fact_id_seq'), "
            started = time.perf_counter()
            cursor.execute(
                f"INSERT INTO {table} ({ids}{columns}, is_current) "
                f"SELECT {nextval}{columns}, false FROM bench_facts"
            )
            rates[label] = facts / (time.perf_counter() - started)
        cursor.execute(
            "CREATE TEMP TABLE bench_people ON COMMIT DROP AS SELECT * FROM core_person "
            "WHERE district_id = %s LIMIT %s",
            [district_id, limit],
        )
        people = cursor.rowcount
        cursor.execute("CREATE TABLE bench_person_indexed (LIKE core_person INCLUDING ALL)")
        started = time.perf_counter()
        cursor.execute("INSERT INTO bench_person_indexed SELECT * FROM bench_people")
        rates["people_indexed"] = people / (time.perf_counter() - started)
        # The least the issue itself asks of any design, row for row: people with a primary
        # key and their keyed ID hash unique (which also finds them); the dry run's staged
        # row (the row-by-row report); and where each person lives. Each table with only
        # that, written from the rows this import made.
        cursor.execute("CREATE TABLE bench_person_least (LIKE core_person)")
        cursor.execute("ALTER TABLE bench_person_least ADD PRIMARY KEY (id)")
        cursor.execute(
            "CREATE UNIQUE INDEX ON bench_person_least (id_number_hash) WHERE id_number_hash <> ''"
        )
        cursor.execute(
            "CREATE TEMP TABLE bench_staged ON COMMIT DROP AS SELECT r.* FROM registry_importrow r "
            "JOIN registry_importbatch b ON b.id = r.batch_id WHERE b.district_id = %s LIMIT %s",
            [district_id, limit],
        )
        cursor.execute("CREATE TABLE bench_staged_least (LIKE registry_importrow)")
        cursor.execute("ALTER TABLE bench_staged_least ADD PRIMARY KEY (id)")
        cursor.execute(
            "CREATE TEMP TABLE bench_residences ON COMMIT DROP AS SELECT * FROM "
            "registry_residence WHERE district_id = %s LIMIT %s",
            [district_id, limit],
        )
        cursor.execute("CREATE TABLE bench_residence_least (LIKE registry_residence)")
        cursor.execute("ALTER TABLE bench_residence_least ADD PRIMARY KEY (id)")
        cursor.execute("CREATE UNIQUE INDEX ON bench_residence_least (person_id)")
        least = 0.0
        for table, source in [("bench_person_least", "bench_people"),
                              ("bench_staged_least", "bench_staged"),
                              ("bench_residence_least", "bench_residences")]:  # fmt: skip
            started = time.perf_counter()
            cursor.execute(f"INSERT INTO {table} SELECT * FROM {source}")
            least += (time.perf_counter() - started) / max(cursor.rowcount, 1)
        rates["least"] = 1 / least  # rows per second writing all three, one after the other
        transaction.set_rollback(True)
    return {"facts": facts, "people": people, **rates}


# ---------------------------------------------------------------- the import (child process)


def cpu_seconds() -> tuple[float, float | None, int | None]:
    """CPU seconds used so far by this process with its reaped children (the check workers),
    and by its PostgreSQL backend when the server runs on this machine (else None), with
    that backend's process id."""
    from django.db import connection

    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    python = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        server = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        pid = server = None
    return python, server, pid


def _spent(before, after) -> dict:
    """CPU seconds between two cpu_seconds(); the server's only if the backend stayed the same."""
    same = before[1] is not None and after[1] is not None and before[2] == after[2]
    return {"python": after[0] - before[0], "server": after[1] - before[1] if same else None}


def child(path: str) -> None:
    """Upload, check and commit the file as the worker does; print timings as JSON."""
    import django

    django.setup()
    from django.core.files import File

    from core.models import Place
    from registry import services, tasks
    from registry.models import ImportBatch

    root, district, ga = world()
    district = Place.objects.get(code=DISTRICT_CODE)
    source = services.import_source_create(actor=root, department=ga, name="实有人口（基准）")
    timings = {}
    profile = os.environ.get("LINLI_BENCH_IMPORT_PROFILE")  # a path: cProfile stats of check+commit
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    started = time.perf_counter()
    with open(path, "rb") as f:
        batch = services.import_upload(
            actor=root, source=source, upload=File(f, name=f"population-{time.time_ns()}.csv")
        )
    timings["upload"] = time.perf_counter() - started
    if profile:
        profiler.enable()
    cpu = cpu_seconds()
    started = time.perf_counter()
    tasks.check_import.call(batch_id=batch.pk)
    timings["check"] = time.perf_counter() - started
    timings["check_cpu"] = _spent(cpu, cpu_seconds())
    from registry.importing import parallel

    timings["workers"] = parallel.use_workers(rows_expected(batch))
    if profile:
        profiler.disable()
        profiler.dump_stats(profile + ".check")
        profiler = cProfile.Profile()
    batch.refresh_from_db()
    timings["check_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    counts = {k: getattr(batch, f"rows_{k}") for k in ("total", "ok", "bad", "to_confirm")}
    if batch.rows_to_confirm:
        # About one generated number in a thousand ends in 000 and waits for a person's check,
        # as a real one would; the bench confirms them all at once, as the page allows.
        services.import_id_numbers_checked(actor=root, batch=batch)
        batch.refresh_from_db()
    if not batch.can_commit:
        print(json.dumps({"error": f"not committable: {batch.status} {batch.message} {counts}"}))
        return
    if profile:
        profiler.enable()
    cpu = cpu_seconds()
    started = time.perf_counter()
    services.import_commit(actor=root, batch=batch)
    result = tasks.commit_import.call(batch_id=batch.pk, actor_id=root.pk)
    timings["commit"] = time.perf_counter() - started
    timings["commit_cpu"] = _spent(cpu, cpu_seconds())
    if profile:
        profiler.disable()
        profiler.dump_stats(profile + ".commit")
    batch = ImportBatch.objects.get(pk=batch.pk)
    print(json.dumps({"timings": timings, "counts": counts, "summary": result,
                      "status": batch.status, "district": district.pk}))  # fmt: skip


def _cpu_text(t: dict, rows: int) -> str:
    """CPU the import used, apart from waiting: wall time on shared cores swings with their
    load, the CPU a row takes does not."""
    parts = []
    for step, label in (("check", "dry run (with its workers)"), ("commit", "commit")):
        spent = t.get(f"{step}_cpu")
        if not spent:
            continue
        server = spent["server"]
        server_text = f" + PostgreSQL backend {server:.1f} s" if server is not None else ""
        parts.append(f"{label} {spent['python']:.1f} s Python{server_text}")
    if not parts:
        return "CPU not measured"
    total = sum(t[f"{s}_cpu"]["python"] + (t[f"{s}_cpu"]["server"] or 0)
                for s in ("check", "commit") if t.get(f"{s}_cpu"))  # fmt: skip
    return (f"CPU: {', '.join(parts)} = {total * 1000 / rows:.2f} ms a row "
            f"(wall {(t['check'] + t['commit']) * 1000 / rows:.2f} ms)")  # fmt: skip


def rows_expected(batch) -> int:
    batch.refresh_from_db()
    return batch.rows_expected


def run_child(path: Path) -> tuple[dict, float]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "linli.settings", "PYTHONPATH": str(ROOT),
           # The child runs the worker's tasks itself; nothing is queued for another worker.
           "LINLI_TASK_BACKEND": "django_tasks.backends.dummy.DummyBackend"}  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, __file__, "--child", str(path)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    out = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"import child failed ({process.returncode}): {out[-500:]}")
    return json.loads(out.strip().splitlines()[-1]), usage.ru_maxrss / 1024


def run(context) -> dict:
    from django.db import connection

    if connection.vendor != "postgresql":
        return {"benchmark": "registry_import", "error": "needs PostgreSQL"}
    # LINLI_BENCH_IMPORT_ROWS=100000 runs a smaller file for iteration: the ratio against a COPY
    # of the same rows is what counts; the row's text says the scale.
    rows = int(
        os.environ.get("LINLI_BENCH_IMPORT_ROWS")
        or context.get("rows")
        or ROWS.get(context.get("scale", "full"), ROWS["full"])
    )
    _root, district, _ga = world()
    clean_up(district)
    folder = Path(tempfile.mkdtemp(prefix="linli-bench-import-"))
    path = folder / "population.csv"
    try:
        started = time.perf_counter()
        size = generate(path, rows)
        generated = time.perf_counter() - started
        copy_seconds, copied = copy_baseline(path)
        connection.close()
        result, peak_mib = run_child(path)
        if "error" not in result:
            server = server_write_rates(result["district"])
    finally:
        path.unlink(missing_ok=True)
        folder.rmdir()
    removed = clean_up(district)
    if "error" in result:
        return {"benchmark": "registry_import", "error": result["error"]}
    t = result["timings"]
    total = t["check"] + t["commit"]
    import_rate = rows / total
    copy_rate = copied / copy_seconds
    ratio = import_rate / copy_rate
    of_floor = import_rate / server["least"]
    s = result["summary"]
    facts_per_row = s["current"] / rows
    # What writing the facts alone allows: their rows per second at the server's own rate.
    cap = server["registry_fact"] / facts_per_row
    cap_unchecked = server["indexed"] / facts_per_row
    people_cap = server["people_indexed"]
    cpu = _cpu_text(t, rows)
    return {
        "benchmark": "registry_import",
        "measured": (
            f"{rows:,}-row GBK police CSV ({size / 2**20:.0f} MiB, generated in {generated:.0f} s) "
            f"imported into a bench district beside the demo district: dry run "
            f"{t['check']:.0f} s ({rows / t['check']:,.0f} rows/s: read, validate, match, stage; "
            f"{t.get('workers', 0)} check worker processes) "
            f"+ commit {t['commit']:.0f} s ({rows / t['commit']:,.0f} rows/s: {s['created']:,} "
            f"people, {s['current']:,} facts) = {import_rate:,.0f} rows/s; {cpu}; upload "
            f"{t['upload']:.0f} s not counted; peak memory of the importing process "
            f"{peak_mib:,.0f} MiB; cleaned up {removed['facts']:,} facts and "
            f"{removed['people']:,} people after. Bound from the facts alone ({facts_per_row:.0f} "
            f"per row), rewritten server-side with INSERT … SELECT ({server['facts']:,} of them): "
            f"{server['registry_fact']:,.0f} facts/s into registry_fact (indexes + "
            f"{server['foreign_keys']} foreign keys checked per row), "
            f"{server['indexed']:,.0f}/s with its indexes but no foreign keys, "
            f"{server['plain']:,.0f}/s into a plain table; so writing the facts alone "
            f"caps the import at {cap:,.0f} rows/s = {cap / copy_rate:.3f}× COPY "
            f"({cap_unchecked:,.0f} rows/s = {cap_unchecked / copy_rate:.3f}× without the "
            f"foreign-key checks). The people alone ({server['people']:,}), rewritten "
            f"server-side into a table with core_person's indexes: {people_cap:,.0f} rows/s = "
            f"{people_cap / copy_rate:.3f}× COPY. Floor for any design meeting the issue (a "
            f"person with a unique keyed ID hash, the dry run's staged row, a residence; only "
            f"those indexes; no validation, no facts): {server['least']:,.0f} rows/s = "
            f"{server['least'] / copy_rate:.3f}× COPY"
        ),
        "baseline": f"raw COPY of the same file into a plain table: {copy_seconds:.1f} s = "
        f"{copy_rate:,.0f} rows/s",
        "result": ("pass" if of_floor >= 0.15 and peak_mib < 1024 else "below goal")
        + f" ({import_rate:,.0f} rows/s against a floor of {server['least']:,.0f}; memory "
        f"{peak_mib:,.0f} MiB, goal < 1024)",
        "ratio": f"{of_floor:.3f}× the floor (goal ≥ 0.15); {ratio:.3f}× COPY",
    }


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
        child(sys.argv[2])
    else:  # a quick run outside bench/run.py: python bench/bench_registry_import.py ROWS
        sys.path.insert(0, str(ROOT))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
        import django

        django.setup()
        print(json.dumps(run({"rows": int(sys.argv[1]) if len(sys.argv) > 1 else 3000}),
                         ensure_ascii=False, indent=1))  # fmt: skip
