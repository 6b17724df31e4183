"""The district's one page (issue #17 item 5) over the full demo district: 104 communities with
36 months of history, against the login page.

Goal from issue #17: the district page over the full demo (104 communities × 36 months) answers
in under 300 ms at p95. The demo district (full scale: 1,032,000 residents) has only weeks of
work; this benchmark writes three years of it for every community the way the apps would have
left it, in one transaction rolled back at the end (the demo is unchanged):
- 2,000 admission requests decided over the three years (1,600 admitted, 400 refused), each naming
  three communities, the admitted items of every kind (work, forms, inspections, meetings, apps)
  with their scopes;
- three tasks per community per month (one done, with its time), so 11,232 tasks, and the burden
  summary rebuilt from them as the nightly job does;
- one refused unadmitted job per community per month (3,744), five report cells typed by hand
  per community per month (18,720 audit events);
- the requests' daily and weekly summaries for two classes of request per community per day
  (227,136 daily and 32,448 weekly buckets, about 2.3 million requests counted).
The page is timed with Django's test client in-process, after warm-up, as the district's
coordinator (the whole district) and as a street officer (one street); the baseline is the
anonymous login page in the same run.
"""

import datetime
import random
import time

from timing import PAGE_SETTINGS, login_baseline, page_result, timed_get

DESCRIPTION = "district one page p50/p95, 104 communities × 36 months, vs. the login page"
MONTHS = 36
REQUESTS = 2000
KINDS = ["work_item", "form", "inspection", "meeting", "app"]


class _Rollback(Exception):
    pass


def _admission(district, builder, communities, departments, months, now):
    from admission.models import AdmissionRequest, AdmittedItem, AdmittedScope

    rng = random.Random(17)
    end = months[-1] + datetime.timedelta(days=400)
    requests = []
    for i in range(REQUESTS):
        month = months[i % len(months)]
        decided = datetime.datetime(month.year, month.month, 1 + i % 27, 10, tzinfo=now.tzinfo)
        requests.append(
            AdmissionRequest(
                district=district,
                department=departments[i % len(departments)],
                applicant=builder,
                number=f"BENCH-DP-{i:05d}",
                kind=KINDS[i % len(KINDS)],
                title=f"基准一页通事项{i:04d}",
                frequency="monthly",
                minutes_per_community=30 + i % 90,
                funding_fen=0,
                period_start=month,
                period_end=end,
                status="refused" if i % 5 == 4 else "approved",
                submitted_at=decided,
                decided_at=decided,
                submit_token=f"bench-dp-{i}",
            )  # fmt: skip
        )
    requests = AdmissionRequest.objects.bulk_create(requests, batch_size=1000)
    Through = AdmissionRequest.communities.through
    named = {
        r.pk: [communities[(i * 7 + k) % len(communities)] for k in range(3)]
        for i, r in enumerate(requests)
    }
    Through.objects.bulk_create(
        [Through(admissionrequest_id=pk, place_id=c.pk) for pk, cs in named.items() for c in cs],
        batch_size=5000,
    )
    approved = [r for r in requests if r.status == "approved"]
    items = AdmittedItem.objects.bulk_create(
        [
            AdmittedItem(
                district=district,
                request=r,
                department=r.department,
                number=f"BENCH-DPZR-{i:05d}",
                kind=r.kind,
                title=r.title,
                frequency="monthly",
                minutes_per_community=r.minutes_per_community,
                funding_fen=0,
                period_start=r.period_start,
                period_end=r.period_end,
                status="active",
                admitted_at=r.decided_at,
            )  # fmt: skip
            for i, r in enumerate(approved)
        ],
        batch_size=1000,
    )
    scopes = AdmittedScope.objects.bulk_create(
        [
            AdmittedScope(item=item, community=c, district=district)
            for item in items
            for c in named[item.request_id]
        ],
        batch_size=5000,
    )
    rng.shuffle(scopes)
    return scopes


def _tasks(district, builder, communities, scopes, months, now):
    from workload.models import RefusedWork, Task

    by_community = {}
    for scope in scopes:
        by_community.setdefault(scope.community_id, []).append(scope)
    tasks, refusals = [], []
    for community in communities:
        own = by_community.get(community.pk, [])
        for m in range(len(months)):
            for k, scope in enumerate(own[(m * 3) % max(len(own), 1) :][:3] or own[:3]):
                done = k == 0
                tasks.append(
                    Task(
                        district=district,
                        street_id=community.parent_id,
                        community=community,
                        item_id=scope.item_id,
                        scope=scope,
                        department_id=scope.item.department_id,
                        title="基准任务",
                        due_at=now,
                        created_by=builder,
                        dispatch_token=f"bdp{m}-{k}",
                        status="done" if done else "open",
                        closed_at=now if done else None,
                        closed_by=builder if done else None,
                        minutes_spent=90 if done else 0,
                    )  # fmt: skip
                )
            refusals.append(
                RefusedWork(
                    district=district,
                    community=community,
                    street_id=community.parent_id,
                    department_id=own[0].item.department_id if own else None,
                    channel="phone",
                    description=f"bench-dp-{m}",
                    refused_by=builder,
                )  # fmt: skip
            )
    Task.objects.bulk_create(tasks, batch_size=5000)
    RefusedWork.objects.bulk_create([r for r in refusals if r.department_id], batch_size=5000)
    for m, month in enumerate(months):
        moment = datetime.datetime(month.year, month.month, 6, 9, tzinfo=now.tzinfo)
        Task.objects.filter(dispatch_token__startswith=f"bdp{m}-").update(created_at=moment)
        RefusedWork.objects.filter(description=f"bench-dp-{m}").update(refused_at=moment)
    return len(tasks), len(refusals)


def _typed_cells(communities, months, now) -> int:
    from core.models import AuditEvent

    events = AuditEvent.objects.bulk_create(
        [
            AuditEvent(
                action="registry.report_fill",
                actor_name="基准",
                object_type="core.person",
                object_id=f"bench-dp-{m}",
                place=c,
                place_path=c.path,
            )  # fmt: skip
            for c in communities
            for m in range(len(months))
            for _k in range(5)
        ],
        batch_size=5000,
    )
    for m, month in enumerate(months):
        moment = datetime.datetime(month.year, month.month, 12, 15, tzinfo=now.tzinfo)
        AuditEvent.objects.filter(action="registry.report_fill", object_id=f"bench-dp-{m}").update(
            at=moment
        )
    return len(events)


def _summaries(district, communities, first_day, last_day) -> tuple[int, int]:
    from services.models import RequestSummary, RequestSummaryWeek

    rng = random.Random(4)
    # These stand for every request of the district: the demo's own buckets make way.
    RequestSummary.objects.filter(district_id=district.pk).delete()
    RequestSummaryWeek.objects.filter(district_id=district.pk).delete()
    daily, weekly = [], {}
    day = first_day
    while day <= last_day:
        week = day - datetime.timedelta(days=day.weekday())
        for c in communities:
            for category in ("complaint", "help"):
                total = rng.randint(5, 15)
                answered = total - rng.randint(0, 2)
                counts = {
                    "total": total, "accepted": total - 1, "unaccepted": 1,
                    "responded": total - 1, "finished": answered, "rated": answered // 2,
                    "satisfied": answered // 2 - rng.randint(0, 1), "answered": answered,
                    "on_time": answered - rng.randint(0, 1), "handled": answered,
                    "handling_seconds": answered * 86400,
                }  # fmt: skip
                key = dict(
                    district_id=district.pk, street_id=c.parent_id, community_id=c.pk,
                    department_id=0, category=category, place_path=c.path,
                )  # fmt: skip
                daily.append(RequestSummary(day=day, **key, **counts))
                bucket = weekly.setdefault((week, c.pk, category), {**key, "week": week})
                for name, value in counts.items():
                    bucket[name] = bucket.get(name, 0) + value
        day += datetime.timedelta(days=1)
    RequestSummary.objects.bulk_create(daily, batch_size=10000)
    RequestSummaryWeek.objects.bulk_create(
        [RequestSummaryWeek(**row) for row in weekly.values()], batch_size=10000
    )
    return len(daily), len(weekly)


def _build(district, now):
    from core.models import Department, Place, PlaceLevel, User
    from workload import selectors, summary

    builder = User.objects.get(username="linli-demo-builder")
    communities = list(
        Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY).order_by("code")
    )
    departments = list(Department.objects.filter(district=district).order_by("pk"))
    today = now.date()
    months = selectors.months_back(today, MONTHS)
    scopes = _admission(district, builder, communities, departments, months, now)
    tasks, refusals = _tasks(district, builder, communities, scopes, months, now)
    cells = _typed_cells(communities, months, now)
    days, weeks = _summaries(district, communities, months[0], today)
    started = time.perf_counter()
    summary.rebuild([c.pk for c in communities])
    rebuilt = time.perf_counter() - started
    from django.db import connection

    with connection.cursor() as cursor:
        for table in (
            "workload_task",
            "workload_burdenmonth",
            "services_requestsummary",
            "services_requestsummaryweek",
            "core_auditevent",
            "workload_refusedwork",
        ):
            cursor.execute(f"ANALYZE {table}")  # fmt: skip
    return (
        f"{len(communities)} communities × {MONTHS} months: {tasks:,} tasks, {refusals:,} "
        f"refusals, {REQUESTS:,} admission decisions ({len(scopes):,} scopes), {cells:,} typed "
        f"cells, {days:,} daily + {weeks:,} weekly request buckets; burden summary rebuilt "
        f"in {rebuilt:.1f} s"
    )


def run(context) -> list[dict]:
    from django.db import connection, transaction
    from django.test import Client, override_settings
    from django.urls import reverse
    from django.utils import timezone

    from core.demo import demo_district
    from core.models import Place, RoleAssignment

    if connection.vendor != "postgresql":
        return [{"benchmark": "district_page", "error": "needs PostgreSQL"}]
    district = demo_district()
    if district is None:
        return [{"benchmark": "district_page", "error": "no demo district"}]
    n = context["requests"]
    rows = []
    try:
        with transaction.atomic():
            built = _build(district, timezone.localtime())
            with override_settings(**PAGE_SETTINGS):
                base50, baseline, _status = login_baseline(n)
                url = reverse("outcomes")
                roles = [("coordinator", district), ("street_officer", None)]
                for role, place in roles:
                    assignment = (
                        RoleAssignment.objects.active()
                        .filter(role=role, place__path__startswith=district.path)
                        .select_related("user", "place")
                        .order_by("place__code", "user_id")
                        .first()
                    )
                    client = Client()
                    client.force_login(assignment.user)
                    place = place or assignment.place
                    communities = Place.objects.filter(
                        path__startswith=place.path, level="community"
                    ).count()
                    target = f"{url}?place={place.pk}"
                    samples, status = timed_get(client, target, n)
                    row = {
                        "key": f"district_page_{role}",
                        "benchmark": f"district_page_{role}",
                        "measured": (
                            f"GET {url} as {role} ({place.name}, {communities} communities), "
                            f"{n} requests; {built}"
                        ),
                        "baseline": baseline,
                    }
                    goal = " (goal < 300 ms)"
                    rows.append(page_result(row, client, target, samples, status, base50, goal))
            raise _Rollback
    except _Rollback:
        pass
    return rows
