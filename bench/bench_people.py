"""The people list (人员) on the demo district per role, first page and a later page, against the
login page as baseline: at a million residents it must neither count nor sort the whole table."""

import html
import re

from bench.timing import PAGE_SETTINGS, login_baseline, percentile, timed_get

DESCRIPTION = "GET /people/ (first and a later page, name search) per role vs. the login page"
ROLES = ["admin", "street_officer", "community_worker", "grid_worker"]


def run(context) -> list[dict]:
    from django.test import Client, override_settings
    from django.urls import reverse

    from core.demo import demo_logins
    from core.models import Person, User

    n = context["requests"]
    rows = []
    with override_settings(**PAGE_SETTINGS):
        base50, baseline, _status = login_baseline(n)
        residents = Person.objects.count()
        logins = {item["role"]: item for item in demo_logins(limit_per_role=1)}
        url = reverse("person_list")
        for role in ROLES:
            client = Client()
            client.force_login(User.objects.get(username=logins[role]["login"]))
            first = client.get(url).content.decode()
            link = re.search(r'href="(\?after=[^"]+)"', first)
            later = url + html.unescape(link.group(1)) if link else ""
            for label, target in (("first page", url), ("next page", later),
                                  ("search 王", f"{url}?q=王")):  # fmt: skip
                row = {
                    "key": f"people_{role}_{label.split()[0]}",
                    "benchmark": f"people_{role}_{label.split()[0]}",
                    "measured": f"GET {target or url} as {role} ({logins[role]['place']}), "
                    f"{label}, {n} requests, {residents:,} people in DB",
                    "baseline": baseline,
                }
                if not target:
                    row["error"] = "no next page link"
                    rows.append(row)
                    continue
                samples, status = timed_get(client, target, n)
                if status != 200:
                    row["error"] = f"returned {status}"
                else:
                    p50, p95 = percentile(samples, 50), percentile(samples, 95)
                    row["result"] = f"p50 {p50:.1f} ms, p95 {p95:.1f} ms"
                    row["ratio"] = f"{p50 / base50:.1f}× (p50)"
                rows.append(row)
    return rows
