"""Workbench latency (GET /) per role on the demo district, against the login page as baseline."""

from timing import PAGE_SETTINGS, login_baseline, page_result, timed_get

DESCRIPTION = "GET / (workbench) per role vs. GET the login page, Django test client"
ROLES = ["admin", "coordinator", "department_officer", "street_officer", "community_worker",
         "grid_worker", "auditor"]  # fmt: skip


def run(context) -> list[dict]:
    from django.test import Client, override_settings
    from django.urls import NoReverseMatch, reverse

    from core.demo import demo_logins
    from core.models import Person, User

    n = context["requests"]
    with override_settings(**PAGE_SETTINGS):
        base50, baseline, status = login_baseline(n)
        if status != 200:
            return [{"benchmark": "workbench", "error": f"login page returned {status}"}]
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
            samples, status = timed_get(client, url, n)
            row = {
                "key": f"workbench_{role}",
                "benchmark": f"workbench_{role}",
                "measured": (
                    f"GET {url} as {role} ({logins[role]['place']}), {n} requests, "
                    f"{residents:,} residents in DB"
                ),
                "baseline": baseline,
            }
            rows.append(page_result(row, client, url, samples, status, base50))
        return rows
