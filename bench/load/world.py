"""The load test's district, and its books afterwards (bench/load/run_load.py runs both).

    python bench/load/world.py build  OUT.json RESIDENTS   # the district, accounts, API tokens
    python bench/load/world.py check  WORLD.json JOURNAL.jsonl OUT.json

`build` makes a small district (core.testing) through the services, RESIDENTS residents who sign
in, each with an API token, a time-bank account holding 480 minutes and their community's fund
to donate to, and two dispatchers (admin, coordinator) with tokens.

`check` reads what the clients were told (the journal the locustfile writes: one line per write
attempted, with its Idempotency-Key and, when the server acknowledged it, the id it answered)
and proves against the database that nothing acknowledged was lost and nothing was doubled:
every acknowledged request and time-bank donation exists exactly once, no key made two rows,
each account's balance is its 480 minutes less exactly the donations recorded for it, and the
ledger reconciles (timebank.services.reconcile).
"""

import json
import os
import sys
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STARTING_MINUTES = 480  # the daily deposit cap (timebank.defaults)


def setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    import django

    django.setup()


def build(out: Path, residents: int) -> None:
    from django.test import override_settings

    from core.services import api_token_create
    from core.testing import build_small_district
    from timebank import services as timebank
    from timebank.models import AccountKind
    from timebank.testing import resident, years_ago

    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        d = build_small_district()
        funds = {
            c.pk: timebank.group_account_open(
                actor=d.root, community=c, kind=AccountKind.FUND, name=f"{c.name}公益基金"
            ).pk
            for c in d.communities
        }
        people = []
        for k in range(residents):
            grid = d.grids[k % len(d.grids)]
            person = resident(
                actor=d.root, place=grid, name=f"压测居民{k}", birth=years_ago(25 + k % 50),
                mobile=f"1370000{k:04d}", password="Load-test-2026x",
            )  # fmt: skip
            account = timebank.member_account_open(actor=d.root, person=person)
            timebank.deposit(
                actor=d.root, account=account, minutes=STARTING_MINUTES, key=f"load-start-{k}"
            )
            _token, secret = api_token_create(actor=person.account, name="load", scope="write")
            people.append(
                {
                    "user_id": person.account.pk,
                    "token": secret,
                    "place": grid.pk,
                    "account": account.pk,
                    "fund": funds[grid.parent_id],
                }  # fmt: skip
            )
        staff = []
        for label in ("admin:own", "coordinator:own"):
            user = d.users[label]
            _token, secret = api_token_create(actor=user, name="load", scope="write")
            staff.append({"user_id": user.pk, "token": secret, "role": label})
    out.write_text(json.dumps({"residents": people, "staff": staff}, indent=1))
    print(f"world: {len(people)} residents, {len(staff)} dispatchers -> {out}")


def read_journal(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def check(world_path: Path, journal_path: Path, out: Path) -> dict:
    from services.models import ServiceRequest
    from timebank import services as timebank
    from timebank.models import Account, Transaction

    world = json.loads(world_path.read_text())
    journal = read_journal(journal_path)
    users = {p["user_id"] for p in world["residents"]}
    acked = defaultdict(dict)  # kind -> key -> acknowledged id
    attempted = defaultdict(set)
    for entry in journal:
        attempted[entry["kind"]].add(entry["key"])
        if entry.get("id") is not None:
            acked[entry["kind"]][entry["key"]] = entry["id"]
    problems = []

    # Requests: the description carries the Idempotency-Key, so rows are counted per key.
    rows = ServiceRequest.objects.filter(submitted_by_id__in=users, description__startswith="压测")
    by_key = Counter(r.description.split()[1] for r in rows.only("description"))
    ids_by_key = defaultdict(list)
    for pk, text in rows.values_list("pk", "description"):
        ids_by_key[text.split()[1]].append(pk)
    for key, pk in acked["request"].items():
        if ids_by_key.get(key) != [pk]:
            problems.append(f"request {key}: acknowledged as {pk}, rows {ids_by_key.get(key)}")
    doubled = {k: n for k, n in by_key.items() if n > 1}
    unasked = set(by_key) - attempted["request"]
    problems += [f"request key {k} made {n} rows" for k, n in doubled.items()]
    problems += [f"request row for a key no client sent: {k}" for k in unasked]

    # Donations: the ledger keeps the key (api:<user>:<key>) on the transaction.
    tx_by_key = defaultdict(list)
    for pk, key in Transaction.objects.filter(idempotency_key__startswith="api:").values_list(
        "pk", "idempotency_key"
    ):
        tx_by_key[key.split(":", 2)[2]].append(pk)
    for key, pk in acked["donation"].items():
        if tx_by_key.get(key) != [pk]:
            problems.append(f"donation {key}: acknowledged as {pk}, rows {tx_by_key.get(key)}")
    problems += [f"donation key {k} made {len(v)} rows" for k, v in tx_by_key.items() if len(v) > 1]

    # Accepts: every request a dispatcher was told it accepted has left "submitted".
    accepted = [e["id"] for e in journal if e["kind"] == "action" and e.get("id")]
    still_new = list(ServiceRequest.objects.filter(pk__in=accepted, state="submitted")
                     .values_list("pk", flat=True))  # fmt: skip
    problems += [f"request {pk}: accept acknowledged, still submitted" for pk in still_new]

    # Balances: 480 less one minute per donation the ledger holds for the account.
    given_once = {}
    for entry in journal:
        if entry["kind"] == "donation" and tx_by_key.get(entry["key"]):
            given_once[entry["key"]] = (entry["account"], entry["minutes"])
    spent = Counter()
    for account, minutes in given_once.values():
        spent[account] += minutes
    for p in world["residents"]:
        balance = Account.objects.get(pk=p["account"]).balance
        if balance != STARTING_MINUTES - spent[p["account"]]:
            problems.append(
                f"account {p['account']}: balance {balance}, expected "
                f"{STARTING_MINUTES - spent[p['account']]}"
            )
    ledger = timebank.reconcile()
    if ledger["problem_count"]:
        problems.append(
            f"ledger: {ledger['problem_count']} problems, e.g. {ledger['problems'][:3]}"
        )
    result = {
        "requests_acknowledged": len(acked["request"]),
        "requests_attempted": len(attempted["request"]),
        "request_rows": sum(by_key.values()),
        "donations_acknowledged": len(acked["donation"]),
        "donations_attempted": len(attempted["donation"]),
        "donation_rows": sum(len(v) for v in tx_by_key.values()),
        "actions_acknowledged": len(accepted),
        "lost": sum(1 for p in problems if "acknowledged as" in p),
        "doubled": len(doubled) + sum(1 for v in tx_by_key.values() if len(v) > 1),
        "ledger_problems": ledger["problem_count"],
        "ledger_accounts": ledger["accounts"],
        "ledger_transactions": ledger["transactions"],
        "problems": problems[:50],
    }
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    return result


if __name__ == "__main__":
    setup_django()
    if sys.argv[1] == "build":
        build(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        result = check(Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]))
        print(json.dumps({k: v for k, v in result.items() if k != "problems"}))
        for problem in result["problems"]:
            print("PROBLEM", problem)
        sys.exit(1 if result["problems"] else 0)
