"""Workbench latency (GET /) per role on the demo district, against the login page as baseline."""

import statistics
import time

DESCRIPTION = "GET / (workbench) per role vs. GET the login page, Django test client"
ROLES = ["admin", "coordinator", "department_officer", "street_officer", "community_worker",
         "grid_worker", "auditor"]  # fmt: skip


def _time(client, url: str, n: int) -> tuple[list[float], int]:
    status = 0
    for _ in range(3):  # warm-up: caches, templates, connection
        status = client.get(url).status_code
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    return samples, status


def _p(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def run(context) -> list[dict]:
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from core.demo import demo_logins
    from core.models import Person, User

    n = context["requests"]
    # Plain static storage: the benchmark must not depend on a collectstatic manifest.
    storages = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=storages, ALLOWED_HOSTS=["testserver"]):
        baseline_samples, status = _time(Client(), reverse("login"), n)
        if status != 200:
            return [{"benchmark": "workbench", "error": f"login page returned {status}"}]
        base50, base95 = _p(baseline_samples, 50), _p(baseline_samples, 95)
        baseline = f"login page p50 {base50:.1f} ms, p95 {base95:.1f} ms"
        try:
            url = reverse("workbench")
        except NoReverseMatch:
            return [
                {
                    "benchmark": "workbench",
                    "measured": "GET / (URL name `workbench`)",
                    "baseline": baseline,
                    "error": "URL name `workbench` is not defined yet (workbench not implemented)",
                }
            ]
        residents = Person.objects.filter(account__isnull=True).count()
        logins = {item["role"]: item for item in demo_logins(limit_per_role=1)}
        rows = []
        for role in ROLES:
            if role not in logins:
                continue
            client = Client()
            client.force_login(User.objects.get(username=logins[role]["login"]))
            samples, status = _time(client, url, n)
            row = {
                "key": f"workbench_{role}",
                "benchmark": f"workbench_{role}",
                "measured": (
                    f"GET {url} as {role} ({logins[role]['place']}), {n} requests, "
                    f"{residents:,} residents in DB"
                ),
                "baseline": baseline,
            }
            if status != 200:
                row["error"] = f"GET {url} returned {status}"
            else:
                with CaptureQueriesContext(connection) as queries:
                    client.get(url)
                p50, p95 = _p(samples, 50), _p(samples, 95)
                row["result"] = f"p50 {p50:.1f} ms, p95 {p95:.1f} ms, {len(queries)} queries"
                row["ratio"] = f"{p50 / base50:.1f}× (p50)"
            rows.append(row)
        return rows
