"""Demo data of the admission gate, built through the services (see core.demo.extensions).

The applications are made by the demo department officers and decided by the demo coordinator,
so the audit log, notifications and decisions page look as they would in use.
"""

import datetime

from django.contrib.auth import get_user_model

from core.models import Department, Place, PlaceLevel

# (department code, kind, title, description, legal basis, frequency, minutes, funding fen,
#  communities ("street1" = the first street's, "all"), decision, reasons/conditions)
APPLICATIONS = [
    ("mz", "work_item", "高龄津贴申报材料收集与初审", "每月收集辖区80周岁以上老人的高龄津贴申报材料并初审。",
     "《中华人民共和国老年人权益保障法》；XZ-02", "monthly", 180, 1_200_000, "all",
     "approve", ""),
    ("wj", "form", "家庭医生签约服务季度统计表", "按季度报送辖区家庭医生签约人数（数据由卫健系统共享，社区仅核对）。",
     "《基本医疗卫生与健康促进法》", "quarterly", 120, 300_000, "street1",
     "approve_conditions", "数据从卫健系统共享导入，社区只核对不重复填报；不得另设纸质台账。"),
    ("yj", "inspection", "汛期防汛隐患排查", "汛期前对辖区低洼地带、地下空间开展一次隐患排查。",
     "《中华人民共和国突发事件应对法》", "yearly", 240, 500_000, "street1", "approve", ""),
    ("sj", "form", "辖区商户经营情况月报", "每月上报辖区商户开业、歇业情况。",
     "", "monthly", 300, 0, "street1", None, ""),
    ("cg", "work_item", "协助违法建设执法取证", "由社区工作人员对违法建设现场拍照取证并报送。",
     "", "monthly", 240, 0, "street1", None, ""),
    ("rs", "app", "推广就业服务小程序", "要求社区组织居民关注公众号并完成注册，下载率纳入考核。",
     "", "once", 300, 0, "all", None, ""),
    ("jy", "inspection", "校外培训机构联合检查", "社区派人参加校外培训机构检查。",
     "《中华人民共和国教育法》", "monthly", 240, 200_000, "street1", "refuse",
     "属于教育部门自身监管职责，社区不具备检查资质；可由部门向社区通报结果。"),
    ("yj", "meeting", "社区安全生产季度例会", "每季度召开一次，社区安全员参加并通报隐患整改情况。",
     "《中华人民共和国安全生产法》", "quarterly", 120, 100_000, "street1", "approve", ""),
    ("ga", "work_item", "出租房屋信息登记核查", "核对辖区出租房屋及承租人信息。",
     "《居住证暂行条例》；XZ-12", "quarterly", 200, 800_000, "street1", "review", ""),
]  # fmt: skip

# The fields each form asks communities to fill (compared with the registry's forms).
FORM_FIELDS = {
    "家庭医生签约服务季度统计表": ["姓名", "联系电话", "签约团队", "签约日期"],
    "辖区商户经营情况月报": ["商户名称", "经营地址", "经营状态"],
}


def build(*, district, builder, seed, out):
    from admission import services

    services.lists_seed(actor=builder, district=district)
    users = get_user_model().objects
    coordinator = users.filter(username="qh-coordinator").first()
    communities = list(
        Place.objects.filter(
            district=district, level=PlaceLevel.COMMUNITY, is_active=True
        ).order_by("code")
    )
    first_street = [c for c in communities if c.parent_id == communities[0].parent_id]
    today = services.local_today()
    start = (today.replace(day=1) - datetime.timedelta(days=330)).replace(day=1)
    made = 0
    meeting = None
    for n, (code, kind, title, text, basis, freq, minutes, fen, where, decision, note) in enumerate(
        APPLICATIONS
    ):
        department = Department.objects.filter(district=district, short_code=code).first()
        officer = users.filter(username=f"qh-{code}").first()
        if department is None or officer is None or coordinator is None:
            continue
        request = services.request_submit(
            actor=officer, department=department, kind=kind, title=title, description=text,
            legal_basis=basis, communities=communities if where == "all" else first_street,
            frequency=freq, minutes_per_community=minutes, funding_fen=fen,
            period_start=start, period_end=today.replace(month=12, day=31) + datetime.timedelta(days=365),
            submit_token=f"demo-{seed}-{n}", form_fields=FORM_FIELDS.get(title, []),
        )  # fmt: skip
        made += 1
        if request.status != "under_review" or decision in (None, "review"):
            continue
        services.request_prepare(
            actor=coordinator, request=request, opinion="材料齐全，依据明确，提请联席会议审议。"
        )
        if meeting is None:
            meeting = services.meeting_record(
                actor=coordinator, district=district, held_on=today,
                attendees=["区减负办 主任", "区民政局 副局长", "区卫健委 科长", "区应急局 科长",
                           "区教育局 科长"],
                departments=Department.objects.filter(
                    district=district, short_code__in=["mz", "wj", "yj", "jy"]
                ),
                note="审议各部门提交的社区准入申请。", submit_token=f"demo-meeting-{seed}",
            )  # fmt: skip
        services.request_decide(
            actor=coordinator, request=request, meeting=meeting, decision=decision,
            reasons=note if decision == "refuse" else "", conditions=note if decision == "approve_conditions" else "",
        )  # fmt: skip
    made += _street_office(district, users, coordinator, first_street, meeting, seed, services)
    from admission import demo_formalism

    made += demo_formalism.build(
        district=district, users=users, coordinator=coordinator, first_street=first_street,
        meeting=meeting, seed=seed, services=services,
    )  # fmt: skip
    answered = _certificates(district, services)
    out(f"准入：已载入默认清单，{made} 份演示申请，{answered} 次证明答复")


def _street_office(district, users, coordinator, first_street, meeting, seed, services) -> int:
    """The first street's office applies (its street officer, for its own communities, citing
    the street power list) and the joint meeting admits it."""
    officer = users.filter(username="qh-s01").first()
    if officer is None or coordinator is None or meeting is None:
        return 0
    power = services.entries_in_force(district, "power").filter(key="JD-03").first()
    today = services.local_today()
    request = services.request_submit(
        actor=officer, street=first_street[0].parent, kind="work_item",
        title="居民议事协商会议指导", cited_entry=power,
        description="指导本街道各社区居委会每季度召开一次居民议事协商会议，街道派员列席。",
        communities=first_street, frequency="quarterly", minutes_per_community=120,
        funding_fen=200_000, period_start=today.replace(day=1),
        period_end=today.replace(month=12, day=31) + datetime.timedelta(days=365),
        submit_token=f"demo-{seed}-street",
    )  # fmt: skip
    if request.status == "under_review":
        services.request_prepare(
            actor=coordinator, request=request, opinion="属街道权力清单JD-03，提请联席会议审议。"
        )
        services.request_decide(
            actor=coordinator, request=request, meeting=meeting, decision="approve"
        )
    return 1


def _certificates(district, services):
    """Certificate requests at the first communities, each redirected to its authority."""
    from core.models import Role, RoleAssignment

    entries = list(services.entries_in_force(district, "certificate")[:8])
    answered = 0
    assignments = (
        RoleAssignment.objects.active()
        .filter(role=Role.COMMUNITY_WORKER, place__district=district)
        .select_related("user", "place")
        .order_by("place__code", "user_id")[:4]
    )
    for a in assignments:
        for entry in entries[answered % 3 :: 3]:
            services.certificate_answer(actor=a.user, community=a.place, entry=entry)
            answered += 1
    return answered
