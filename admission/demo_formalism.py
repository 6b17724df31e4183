"""Demo data of inspections, meetings and documents (issue #13 items 4, 5), built through the
services after the applications of admission.demo: the first street's office has its own
inspection admitted, so the first community is inspected once for two bodies (联合检查) and
rates it; the emergency bureau files its year's plan and the coordinator approves it; a
meeting and documents are registered, last year's and this year's."""

import datetime

from admission.models import AdmittedItem, WorkKind
from core.models import Department, Role, RoleAssignment


def build(*, district, users, coordinator, first_street, meeting, seed, services) -> int:
    """How many rows it made (0 when the demo accounts it needs are missing)."""
    street_officer = users.filter(username="qh-s01").first()
    yj = Department.objects.filter(district=district, short_code="yj").first()
    mz = Department.objects.filter(district=district, short_code="mz").first()
    yj_officer = users.filter(username="qh-yj").first()
    mz_officer = users.filter(username="qh-mz").first()
    if None in (street_officer, yj, mz, yj_officer, mz_officer, coordinator, meeting):
        return 0
    today = services.local_today()
    items = _inspection_items(district, street_officer, coordinator, first_street, meeting, seed,
                              services, today)  # fmt: skip
    made = 0
    community = first_street[0]
    usable = [i for i in items if i.period_start <= today <= i.period_end]
    if len(usable) > 1:
        held = services.inspection_record(
            actor=coordinator, community=community, items=usable, held_on=today,
            submit_token=f"demo-{seed}-joint",
        )  # fmt: skip
        made += 1
        worker = (
            RoleAssignment.objects.active()
            .filter(role=Role.COMMUNITY_WORKER, place=community)
            .order_by("user_id")
            .first()
        )
        if worker is not None:
            services.inspection_rate(
                actor=worker.user, inspection=held, score=5, burden_free=True,
                comment="两个单位一次查完，材料从系统台账调取，没有另做迎检材料。",
            )  # fmt: skip
            made += 1
    for year in sorted({i.period_start.year for i in items if i.department_id == yj.pk}):
        plan = services.plan_file(actor=yj_officer, department=yj, year=year)
        services.plan_approve(actor=coordinator, plan=plan)
        made += 1
    return made + _sent_down(district, yj, yj_officer, mz, mz_officer, first_street, seed,
                             services, today)  # fmt: skip


def _inspection_items(district, officer, coordinator, first_street, meeting, seed, services,
                      today) -> list:  # fmt: skip
    power = services.entries_in_force(district, "power").filter(key="JD-03").first()
    request = services.request_submit(
        actor=officer, street=first_street[0].parent, kind=WorkKind.INSPECTION,
        title="居民议事协商年度督查", cited_entry=power, frequency="yearly",
        description="年度督查各社区居民议事协商会议开展及议定事项落实情况。",
        communities=first_street, minutes_per_community=90, funding_fen=100_000,
        period_start=today.replace(month=1, day=1), period_end=today.replace(month=12, day=31),
        materials=["议事协商会议记录", "议定事项落实情况"],
        criteria=["议定事项按期落实", "居民对协商结果的满意度"], submit_token=f"demo-{seed}-insp",
    )  # fmt: skip
    if request.status == "under_review":
        services.request_prepare(actor=coordinator, request=request, opinion="纳入年度计划。")
        services.request_decide(
            actor=coordinator, request=request, meeting=meeting, decision="approve"
        )
    return list(
        AdmittedItem.objects.filter(
            district=district, kind=WorkKind.INSPECTION, status="active",
            scopes__community=first_street[0],
        )
    )  # fmt: skip


def _sent_down(district, yj, yj_officer, mz, mz_officer, first_street, seed, services,
               today) -> int:  # fmt: skip
    made = 0
    last_year = today.replace(year=today.year - 1, month=6, day=15)
    for n, title in enumerate(["关于做好老年人助餐服务的通知", "关于开展困难群众走访慰问的通知"]):
        services.sent_down_register(
            actor=mz_officer, kind="document", department=mz, title=title,
            day=last_year + datetime.timedelta(days=30 * n), communities=first_street,
            length_chars=3200 + 400 * n, submit_token=f"demo-{seed}-doc-old-{n}",
        )  # fmt: skip
        made += 1
    services.sent_down_register(
        actor=mz_officer, kind="document", department=mz, title="关于做好冬季困难群众救助工作的通知",
        day=today, communities=first_street, length_chars=2800,
        submit_token=f"demo-{seed}-doc-new",
    )  # fmt: skip
    item = AdmittedItem.objects.filter(
        district=district, department=yj, kind=WorkKind.MEETING, status="active"
    ).first()
    if item is not None and item.period_start <= today <= item.period_end:
        services.sent_down_register(
            actor=yj_officer, kind="meeting", department=yj, title="社区安全生产季度例会",
            day=today, communities=[s.community for s in item.scopes.select_related("community")],
            minutes=90, item=item, submit_token=f"demo-{seed}-meeting",
        )  # fmt: skip
        made += 1
    return made + 1
