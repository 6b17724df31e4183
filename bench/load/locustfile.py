"""Locust journeys for the load-with-a-fault test (bench/load/run_load.py starts everything).

Residents (API tokens) list their requests, file new ones with an Idempotency-Key, open one, and
donate a minute of time-bank hours to their community's fund with an Idempotency-Key; the
dispatchers list the new requests, open them and accept them. Users are split over the two app
processes (LOAD_HOSTS); a client that gets no answer, a 5xx or a 429 tries again on the other one,
with the same key, as a client behind a load balancer would. Each journey step is one request
in Locust's figures, counted as failed only when the client gave up; every retry is counted in
RETRIES, and every write answered "Idempotent-Replayed" (a retry of a write that had been done)
in REPLAYED (both printed at the end and written to LOAD_SUMMARY).

Every write the clients attempted is written to LOAD_JOURNAL (one JSON line: kind, key, and the
id the server acknowledged, or none), for bench/load/world.py check to hold against the database.
"""

import itertools
import json
import os
import random
import time
import uuid
from collections import Counter

import requests
from locust import User, between, events, task

HOSTS = [h.strip() for h in os.environ.get("LOAD_HOSTS", "").split(",") if h.strip()]
WORLD = json.loads(open(os.environ["LOAD_WORLD"]).read()) if os.environ.get("LOAD_WORLD") else {}
JOURNAL = open(os.environ.get("LOAD_JOURNAL", os.devnull), "a", buffering=1)  # noqa: SIM115
ATTEMPTS = 8
TIMEOUT = 30
RETRIES = Counter()
# Writes a retry found already done (the server answered with the first attempt's result).
REPLAYED = Counter()
_residents = itertools.count()
_dispatchers = itertools.count()
_users = itertools.count()


class GaveUp(Exception):
    pass


def journal(**entry) -> None:
    JOURNAL.write(json.dumps(entry) + "\n")


class Client:
    """One person's HTTP client over both app processes, retrying on the other one."""

    def __init__(self, token: str, first_host: int):
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.host = first_host

    def call(self, name: str, method: str, path: str, *, accept=(200, 201), **kwargs):
        """One journey step: retried until an answer in `accept` (or a 4xx the caller handles),
        reported to Locust once, with the time of all attempts."""
        started = time.perf_counter()
        response, error = None, None
        for attempt in range(ATTEMPTS):
            url = HOSTS[self.host % len(HOSTS)] + path
            try:
                response = self.session.request(method, url, timeout=TIMEOUT, **kwargs)
            except requests.RequestException as exc:
                response, error = None, exc
                RETRIES[f"{type(exc).__name__}"] += 1
            else:
                if response.status_code < 500 and response.status_code != 429:
                    break
                RETRIES[f"HTTP {response.status_code}"] += 1
                error = GaveUp(f"HTTP {response.status_code}")
            self.host += 1  # the other app process
            time.sleep(min(0.25 * 2**attempt, 4) * random.uniform(0.5, 1.0))
        else:
            response = None
        elapsed = (time.perf_counter() - started) * 1000
        if response is not None and response.headers.get("Idempotent-Replayed") == "true":
            REPLAYED[name] += 1
        failed = None
        if response is None:
            failed = GaveUp(f"no answer after {ATTEMPTS} attempts: {error}")
        elif response.status_code not in accept:
            failed = GaveUp(f"HTTP {response.status_code}: {response.text[:200]}")
        events.request.fire(
            request_type=method, name=name, response_time=elapsed,
            response_length=len(response.content) if response is not None else 0,
            exception=failed, context={},
        )  # fmt: skip
        return None if failed else response


class Resident(User):
    weight = 9
    wait_time = between(3, 8)

    def on_start(self):
        me = WORLD["residents"][next(_residents) % len(WORLD["residents"])]
        self.me = me
        self.client_ = Client(me["token"], next(_users))
        self.mine: list[int] = []

    @task(3)
    def list_my_requests(self):
        self.client_.call("requests: mine", "GET", "/api/services/requests?mine=true&page_size=20")

    @task(2)
    def file_a_request(self):
        key = uuid.uuid4().hex
        body = {"place": self.me["place"], "description": f"压测 {key} 楼道灯不亮，请派人修理。"}
        answer = self.client_.call(
            "requests: file", "POST", "/api/services/requests", json=body,
            headers={"Idempotency-Key": key},
        )  # fmt: skip
        pk = answer.json()["id"] if answer is not None else None
        journal(kind="request", key=key, id=pk, user=self.me["user_id"])
        if pk:
            self.mine.append(pk)

    @task(2)
    def open_one_of_mine(self):
        if self.mine:
            pk = random.choice(self.mine)
            self.client_.call("requests: detail", "GET", f"/api/services/requests/{pk}")

    @task(1)
    def donate_a_minute(self):
        key = uuid.uuid4().hex
        answer = self.client_.call(
            "timebank: donate", "POST", f"/api/timebank/accounts/{self.me['account']}/donations",
            json={"fund_id": self.me["fund"], "minutes": 1}, headers={"Idempotency-Key": key},
        )  # fmt: skip
        journal(kind="donation", key=key, id=answer.json()["id"] if answer is not None else None,
                account=self.me["account"], minutes=1)  # fmt: skip

    @task(1)
    def read_statement(self):
        self.client_.call(
            "timebank: statement", "GET",
            f"/api/timebank/accounts/{self.me['account']}/postings?page_size=20",
        )  # fmt: skip


class Dispatcher(User):
    weight = 1
    wait_time = between(2, 5)

    def on_start(self):
        self.index = next(_dispatchers)
        staff = WORLD["staff"]
        self.client_ = Client(staff[self.index % len(staff)]["token"], next(_users))

    @task(3)
    def accept_new_requests(self):
        listed = self.client_.call(
            "requests: new (staff)", "GET", "/api/services/requests?state=submitted&page_size=50"
        )
        if listed is None:
            return
        # Dispatchers share out the new requests by id, so two never race for one.
        shares = max(1, int(os.environ.get("LOAD_DISPATCHERS", "10")))
        mine = [r["id"] for r in listed.json()["items"] if r["id"] % shares == self.index % shares]
        for pk in mine[:2]:
            self.client_.call("requests: detail (staff)", "GET", f"/api/services/requests/{pk}")
            answer = self.client_.call(
                "requests: accept", "POST", f"/api/services/requests/{pk}/actions",
                json={"action": "accept", "note": "已受理"}, accept=(200, 422),
            )  # fmt: skip
            # 422: already accepted (by this client's own earlier attempt whose answer was lost).
            journal(kind="action", key=f"accept-{pk}", id=pk if answer is not None else None)

    @task(1)
    def accounts(self):
        self.client_.call(
            "timebank: accounts (staff)", "GET", "/api/timebank/accounts?page_size=50"
        )


@events.quitting.add_listener
def _summary(environment, **_kw):
    path = os.environ.get("LOAD_SUMMARY")
    stats = environment.stats.total
    summary = {
        "requests": stats.num_requests,
        "failures": stats.num_failures,
        "retries": dict(RETRIES),
        "retries_total": sum(RETRIES.values()),
        "replayed": dict(REPLAYED),
        "median_ms": stats.get_response_time_percentile(0.5),
        "p95_ms": stats.get_response_time_percentile(0.95),
        "p99_ms": stats.get_response_time_percentile(0.99),
        "rps": round(stats.total_rps, 1),
        "by_name": {
            name: {
                "requests": s.num_requests,
                "failures": s.num_failures,
                "p95_ms": s.get_response_time_percentile(0.95),
            }  # fmt: skip
            for (name, _method), s in environment.stats.entries.items()
        },
    }
    print(json.dumps(summary, ensure_ascii=False))
    if path:
        with open(path, "w") as handle:
            json.dump(summary, handle, ensure_ascii=False, indent=1)
