"""Admission checks against a large catalogue, and the burden index over three years.

Goals from issue #3: the automatic checks of one application against 2,000 admitted items and
500 registered forms in under 50 ms; the burden index for 104 communities × 36 months in under
200 ms on PostgreSQL. The burden index reads the monthly summary (workload.BurdenMonth); the
bulk-written tasks are counted into it by the same rebuild the nightly job runs.
Everything is written in one transaction that is rolled back, so the demo district is unchanged.
"""

import datetime
import statistics
import time

from timing import timed

DESCRIPTION = (
    "admission checks vs. 2,000 admitted items and 500 forms; "
    "burden index 104 communities × 36 months"
)
ITEMS = 2000
FORMS = 500
MONTHS = 36


class _Rollback(Exception):
    pass


def _ms(fn, n):
    samples = timed(fn, n)
    return statistics.median(samples), max(samples)


def run(context) -> list[dict]:
    from django.db import transaction
    from django.utils import timezone

    from admission import services
    from admission.models import AdmissionRequest, AdmittedItem, AdmittedScope
    from core.demo import demo_district
    from core.models import Department, Place, PlaceLevel, User
    from registry.models import ReportColumn, ReportForm
    from registry.services import ensure_fields
    from workload import selectors, summary
    from workload.models import Task

    district = demo_district()
    if district is None:
        return [{"benchmark": "admission_checks", "error": "no demo district"}]
    rows = []
    try:
        with transaction.atomic():
            builder = User.objects.get(username="linli-demo-builder")
            services.lists_seed(actor=builder, district=district)
            departments = list(Department.objects.filter(district=district))
            communities = list(
                Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY).order_by("code")
            )
            today = services.local_today()
            start = (today.replace(day=1) - datetime.timedelta(days=31 * (MONTHS - 1))).replace(
                day=1
            )
            now = timezone.now()
            requests = AdmissionRequest.objects.bulk_create(
                [
                    AdmissionRequest(
                        district=district,
                        department=departments[i % len(departments)],
                        applicant=builder,
                        number=f"BENCH-SQ-{i:05d}",
                        kind="work_item",
                        title=f"基准事项{i:04d}：社区协助开展第{i % 97}类专项工作",
                        frequency="monthly",
                        minutes_per_community=60 + i % 120,
                        funding_fen=100_000,
                        period_start=start,
                        period_end=today + datetime.timedelta(days=365),
                        status="approved",
                        submitted_at=now,
                        submit_token=f"bench-{i}",
                    )
                    for i in range(ITEMS)
                ]
            )
            items = AdmittedItem.objects.bulk_create(
                [
                    AdmittedItem(
                        district=district,
                        request=r,
                        department=r.department,
                        number=f"BENCH-ZR-{i:05d}",
                        kind="form" if i % 5 == 0 else "work_item",
                        title=r.title,
                        frequency="monthly",
                        minutes_per_community=r.minutes_per_community,
                        funding_fen=r.funding_fen,
                        period_start=r.period_start,
                        period_end=r.period_end,
                        status="active",
                        admitted_at=now,
                    )
                    for i, r in enumerate(requests)
                ]
            )
            scopes = AdmittedScope.objects.bulk_create(
                [
                    AdmittedScope(
                        item=item,
                        community=communities[(i + k) % len(communities)],
                        district=district,
                    )
                    for i, item in enumerate(items)
                    for k in range(3)
                ]
            )

            # 500 registered forms of 8 columns each, drawn from the field registry.
            fields = list(ensure_fields(district).values())
            forms = ReportForm.objects.bulk_create(
                [
                    ReportForm(
                        district=district,
                        department=departments[i % len(departments)],
                        name=f"基准报表{i:03d}",
                        created_by=builder,
                    )
                    for i in range(FORMS)
                ]
            )
            ReportColumn.objects.bulk_create(
                [
                    ReportColumn(
                        report=form,
                        field=fields[(i + k) % len(fields)],
                        position=k,
                        title=fields[(i + k) % len(fields)].label,
                    )
                    for i, form in enumerate(forms)
                    for k in range(8)
                ],
                batch_size=2000,
            )
            wanted = ["姓名", "联系电话", "困难类型", "帮扶措施", "现住地址", "低保", "走访日期"]

            def check():
                services.check_application(
                    district=district, department=departments[0],
                    title="社区协助开展第13类专项工作的季度统计",
                    description="按季度收集相关数据。", legal_basis="某条例", cited_entry=None,
                    funding_fen=100, community_ids={c.pk for c in communities[:10]},
                    period_start=today, period_end=today + datetime.timedelta(days=90),
                    kind="form", form_fields=wanted,
                )  # fmt: skip

            def baseline():
                list(services.entries_in_force(district, "negative"))

            check_p50, check_max = _ms(check, context.get("requests", 20))
            base_p50, _base_max = _ms(baseline, context.get("requests", 20))
            rows.append(
                {
                    "benchmark": "admission_checks",
                    "measured": f"one form application checked against {ITEMS:,} admitted items "
                    f"and {FORMS} registered forms (negative list, duplicate, overlap, form "
                    "fields, completeness)",
                    "baseline": f"reading the negative list alone: p50 {base_p50:.1f} ms",
                    "result": f"p50 {check_p50:.1f} ms, max {check_max:.1f} ms (goal < 50 ms)",
                    "ratio": f"{check_p50 / base_p50:.1f}× baseline",
                }
            )
            # Three tasks per community per month for 36 months, bulk-written.
            by_community = {}
            for scope in scopes:
                by_community.setdefault(scope.community_id, []).append(scope)
            tasks = []
            months = selectors.months_back(today, MONTHS)
            for community in communities:
                own = by_community.get(community.pk) or []
                for m, month in enumerate(months):
                    for k, scope in enumerate(own[:3]):
                        created = timezone.make_aware(
                            datetime.datetime(month.year, month.month, 5 + k, 9)
                        )
                        tasks.append(
                            Task(
                                district=district,
                                street_id=community.parent_id,
                                community=community,
                                item_id=scope.item_id,
                                scope=scope,
                                department_id=scope.item.department_id,
                                title="基准任务",
                                due_at=created,
                                created_by=builder,
                                dispatch_token=f"b{m}-{k}",
                            )
                        )
            Task.objects.bulk_create(tasks, batch_size=5000)
            for m, month in enumerate(months):
                Task.objects.filter(dispatch_token__startswith=f"b{m}-").update(
                    created_at=timezone.make_aware(datetime.datetime(month.year, month.month, 6, 9))
                )
            ids = [c.pk for c in communities]
            started = time.perf_counter()
            summary.rebuild(ids)  # what the nightly job does for rows written around the services
            rebuild_ms = (time.perf_counter() - started) * 1000

            def index():
                selectors.burden(ids, months[0], months[-1])

            def count_baseline():
                Task.objects.filter(community_id__in=ids).count()

            idx_p50, idx_max = _ms(index, context.get("requests", 20))
            cnt_p50, _cnt_max = _ms(count_baseline, context.get("requests", 20))
            rows.append(
                {
                    "benchmark": "burden_index",
                    "measured": f"burden index, {len(ids)} communities × {MONTHS} months "
                    f"({len(tasks):,} tasks, {len(scopes):,} scopes)",
                    "baseline": f"counting those tasks: p50 {cnt_p50:.1f} ms "
                    f"(rebuilding the monthly summary from them: {rebuild_ms:.0f} ms, once)",
                    "result": f"p50 {idx_p50:.1f} ms, max {idx_max:.1f} ms (goal < 200 ms)",
                    "ratio": f"{idx_p50 / cnt_p50:.1f}× baseline",
                }
            )
            raise _Rollback
    except _Rollback:
        pass
    return rows
