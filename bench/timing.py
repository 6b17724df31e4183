"""What the page benchmarks share: the timing loop, percentiles, the settings they run under and
the row a timed page gives."""

import statistics
import time

# Plain static storage, so that a benchmark does not depend on a collectstatic manifest; the
# test client's host; and staff signed in by force_login reach the page itself, not the second
# factor's page or the password-age redirect (both on by default since issue #20).
PAGE_SETTINGS = {
    "STAFF_SECOND_FACTOR": False,
    "PASSWORD_MAX_AGE_DAYS": 0,
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    },
    "ALLOWED_HOSTS": ["testserver"],
}


def timed(fn, n: int, *, warm_up: int = 2) -> list[float]:
    """Milliseconds each of ``n`` calls of ``fn`` took, after ``warm_up`` untimed calls."""
    for _ in range(warm_up):
        fn()
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def timed_get(client, url: str, n: int) -> tuple[list[float], int]:
    """The milliseconds of ``n`` GETs of ``url`` (after 3 for caches, templates and the
    connection), and the status the last one answered."""
    status = 0

    def get():
        nonlocal status
        status = client.get(url).status_code

    return timed(get, n, warm_up=3), status


def percentile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def page_result(row: dict, client, url: str, samples, status: int, base50: float, goal="") -> dict:
    """``row`` with the page's result (p50, p95, the ``goal`` if any, and the queries one GET
    makes) and its ratio to the baseline's p50; or with the error when it did not answer 200."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if status != 200:
        row["error"] = f"GET {url} returned {status}"
        return row
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    p50, p95 = percentile(samples, 50), percentile(samples, 95)
    row["result"] = f"p50 {p50:.1f} ms, p95 {p95:.1f} ms{goal}, {len(queries)} queries"
    row["ratio"] = f"{p50 / base50:.1f}× (p50)"
    return row


def login_baseline(n: int) -> tuple[float, str, int]:
    """The benchmarks' baseline, ``n`` GETs of the login page by an anonymous client: its p50,
    the words that describe it, and the status the last GET answered."""
    from django.test import Client
    from django.urls import reverse

    samples, status = timed_get(Client(), reverse("login"), n)
    base50 = percentile(samples, 50)
    return base50, f"login page p50 {base50:.1f} ms, p95 {percentile(samples, 95):.1f} ms", status


def bench_district(code: str, name: str):
    """The benchmark's own small district (core.testing's), built once per database with a fast
    password hasher and kept for later runs: (district, its root user, whether it was built now)."""
    from django.test import override_settings

    from core.models import Place, User
    from core.testing import build_small_district

    district = Place.objects.filter(code=code).first()
    built = district is None
    if built:
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            district = build_small_district(code=code, name=name).district
    return district, User.objects.get(username=f"root{code}"), built
