"""Cost of one demo resident row in memory: plaintext generation vs. with encryption."""

import time

DESCRIPTION = "resident rows generated per second, plaintext vs. encrypted/hashed/masked"
ROWS = 20_000


def run(context) -> dict:
    from django.utils import timezone

    from core.demo import generate
    from core.demo.build import resident_row

    plan = generate.plan_district(context["seed"])
    generate.id_number(0, True)  # build the ID slot table outside the timing
    started = time.perf_counter()
    plain = list(generate.all_residents(context["seed"], plan, ROWS))
    plain_s = time.perf_counter() - started
    now = timezone.now()
    started = time.perf_counter()
    for resident in generate.all_residents(context["seed"], plan, ROWS):
        resident_row(resident, 1, 1, now)
    full_s = time.perf_counter() - started
    return {
        "benchmark": "demo_rows",
        "measured": f"{len(plain):,} resident rows in one process (no database)",
        "baseline": f"plaintext only: {len(plain) / plain_s:,.0f} rows/s",
        "result": f"with 2× Fernet + 2× HMAC + masks: {len(plain) / full_s:,.0f} rows/s",
        "ratio": f"{full_s / plain_s:.2f}× time",
    }
