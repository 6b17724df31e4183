"""Demo data: the default catalogue, an Open311 key (printed), and a history of requests.

Requests are filed and moved through the real services; afterwards their clock is set back a
number of days (demo only) so the metrics show a few weeks of history, some of it late.
"""

import datetime
import random

from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from core.demo.extensions import register
from core.models import Notification, Place, PlaceBoundary, PlaceLevel, Role, RoleAssignment
from services import notify
from services import services as request_services
from services.models import (
    Category,
    Channel,
    Level,
    PropertyRouting,
    RequestEvent,
    ServiceItem,
    ServiceRequest,
)

# Free text and the department a dispatcher would send it to (the demo's history is written by
# its builder, not a dispatcher, so routing never learns from it: services.routing).
FREE_TEXTS = [
    ("楼下路灯坏了好几天，晚上很黑", Category.HELP, "cg"),
    ("小区门口共享单车乱停，挡住盲道", Category.COMPLAINT, "cg"),
    ("建议在社区增设老年人休息座椅", Category.SUGGESTION, "mz"),
    ("想咨询一下居住证怎么办理", Category.ENQUIRY, "ga"),
    ("隔壁装修中午也在施工，噪音很大", Category.COMPLAINT, "sthj"),
]
DETAILS = {
    "CG-001": "东门外每天晚上都有流动摊贩占道，油烟很大",
    "CG-002": "垃圾桶满了两天没人清运，气味很重",
    "CG-003": "一楼住户在绿地上私搭棚子",
    "ZJ-001": "楼道灯坏了，老人晚上上下楼不方便",
    "MZ-001": "家里老人生病，想了解临时救助怎么申请",
    "MZ-002": "独居老人想申请助餐服务",
    "SJ-001": "楼下小饭馆后厨卫生很差",
    "RS-001": "装修公司拖欠两个月工资",
    "STHJ-001": "夜里十一点还有工地施工",
    "GEN-001": "建议社区多组织一些青少年活动",
}
ANSWERS = {
    "MZ-002": {"age": "82", "needs": ["meal"]},
    "CG-001": {"kind": "food"},
    "ZJ-001": {"facility": "light"},
}
HISTORY = 90  # requests in the demo history
# The demo's item handled at 物业 (services.property): a resident of a compound whose company is
# in force files it straight to the company.
PROPERTY_ITEM = "ZJ-002"  # 物业服务纠纷
# What residents of such a compound file (owners.demo calls property_history), and how far each
# got: signed and answered, signed but past its deadline to finish, signed, not signed in time,
# just filed.
PROPERTY_REQUESTS = [
    ("电梯一周坏了两次，报修后物业两天才来人", "rated"),
    ("楼道里堆满杂物，物业一直不清理，有消防隐患", "overdue"),
    ("地下车库一半的灯不亮，晚上停车看不清", "signed"),
    ("小区门禁坏了，外来人员随便进出", "late_sign"),
    ("物业费收费标准没有在小区公示", "new"),
]


@register("services")
def build(*, district, builder, seed, out):
    rng = random.Random(f"services:{seed}")
    request_services.catalogue_seed(actor=builder, district=district)
    property_item(district, builder)
    _key, raw = request_services.open311_key_create(
        actor=builder, district=district, name="演示 Open311 客户端"
    )
    out(f"Open311 演示密钥（api_key）：{raw}  —— 接口地址 /open311/v2/discovery.xml")
    items = list(ServiceItem.objects.filter(district=district).order_by("code"))
    grids = list(
        Place.objects.filter(district=district, level=PlaceLevel.GRID).order_by("code")[:40]
    )
    residents = [
        a.user
        for a in RoleAssignment.objects.active()
        .filter(role=Role.RESIDENT, place__district=district)
        .select_related("user__person", "place")
    ]
    if not items or not grids:
        return
    started = timezone.now()
    with notify.muted():
        for n in range(HISTORY):
            _one(rng, n, district, builder, items, grids, residents)
    # The history's notices are old news: file them as read so inboxes start clean.
    Notification.objects.filter(
        created_at__gte=started, url__startswith=reverse("services:home")
    ).update(read_at=timezone.now())
    _draw_map(district, builder, rng)
    # The history was moved back in time around the services: recount the metrics summary.
    from services import summary

    summary.rebuild(district.pk)
    out(f"诉求：{HISTORY} 件演示历史")
    # Routing learns from the catalogue and dispatcher decisions only: the history above was
    # moved by the demo's builder, so the stored model is the catalogue's.
    from services import routing

    routing.retrain(district)


def property_item(district, builder) -> ServiceItem | None:
    """The demo's item handled at 物业 (PROPERTY_ITEM), made so through the catalogue service
    when it is not yet; None when the district's catalogue lacks it."""
    item = ServiceItem.objects.filter(district=district, code=PROPERTY_ITEM).first()
    if item is not None and item.handling_level != Level.PROPERTY:
        item = request_services.item_update(actor=builder, item=item, handling_level=Level.PROPERTY)
    return item


def property_history(*, district, builder, residents) -> int:
    """PROPERTY_REQUESTS filed by ``residents`` (accounts whose home lies in a compound with a
    company in force), routed to the company at submission, taken as far as each says and set
    back in time; the number routed. Called by owners.demo once its compound has a company."""
    item = property_item(district, builder)
    if item is None or not residents:
        return 0
    started, routed = timezone.now(), 0
    with notify.muted():
        for n, (text, stage) in enumerate(PROPERTY_REQUESTS):
            resident = residents[n % len(residents)]
            req = request_services.request_submit(
                actor=resident, place=resident.person.place, item=item, description=text,
                category=item.category, channel=Channel.H5, resident=resident.person,
            )  # fmt: skip
            if req.level != Level.PROPERTY:
                continue  # no company in force at the resident's home: the community keeps it
            routed += 1
            _property_stage(builder, req, stage)
    Notification.objects.filter(
        created_at__gte=started, url__startswith=reverse("services:home")
    ).update(read_at=timezone.now())
    from services import summary

    summary.rebuild(district.pk)
    return routed


def _property_stage(builder, req, stage):
    """Take a request routed to its company to ``stage`` (PROPERTY_REQUESTS) and set its clock
    back so that its deadlines fall as the stage says."""
    if stage in ("rated", "overdue", "signed"):
        req = request_services.request_property_accept(actor=builder, request=req)
    if stage == "rated":
        req = request_services.request_property_close(
            actor=builder, request=req, note="已联系电梯维保单位更换控制板，运行正常。"
        )
        request_services.request_rate(actor=builder, request=req, rating="satisfied")
    routing = PropertyRouting.objects.get(request=req)
    shift = {
        "rated": datetime.timedelta(days=12),
        "overdue": routing.due_at - routing.routed_at + datetime.timedelta(days=1),
        "signed": datetime.timedelta(hours=20),
        "late_sign": routing.accept_due - routing.routed_at + datetime.timedelta(hours=3),
    }.get(stage)
    if shift is not None:
        _shift(req.pk, shift, datetime.timedelta())


def _one(rng, n, district, builder, items, grids, residents):
    resident = residents[n % len(residents)] if residents and n % 3 == 0 else None
    req, item = _file(rng, builder, resident, items, grids)
    days_ago = rng.randint(0, 40)
    stage = rng.choices(
        ["submitted", "accepted", "handling", "answered", "rated"], [1, 1, 3, 1, 8]
    )[0]
    if days_ago > 14 and stage in ("submitted", "accepted"):
        stage = "rated"
    req = _advance(rng, builder, req, item, district, stage)
    shift = datetime.timedelta(days=days_ago, hours=rng.randint(0, 8))
    late = (
        datetime.timedelta(days=rng.choice([0, 0, 0, 2, 6]))
        if stage != "submitted"
        else datetime.timedelta()
    )
    _shift(req.pk, shift, late)


def _file(rng, builder, resident, items, grids):
    """One demo request, by the resident (H5) or by staff for someone (代办, 巡查)."""
    item = rng.choice(items) if rng.random() < 0.8 else None
    if item is None:
        text, category, _lead = rng.choice(FREE_TEXTS)
    else:
        text, category = DETAILS.get(item.code, item.name), item.category
    place = resident.person.place if resident else rng.choice(grids)
    if item is not None and item.applicant == "resident" and resident is None:
        item, (text, category, _lead) = None, FREE_TEXTS[0]
    req = request_services.request_submit(
        actor=resident or builder, place=place, item=item, description=text, category=category,
        answers=ANSWERS.get(item.code, {}) if item else {},
        channel=Channel.H5 if resident else rng.choice([Channel.STAFF, Channel.PATROL]),
        resident=resident.person if resident else None, address=f"{rng.randint(1, 30)}栋附近",
    )  # fmt: skip
    return req, item


def _advance(rng, builder, req, item, district, stage):
    """Take a demo request through the steps up to ``stage``; one of a grid, community or street
    item is taken and settled there (services.level_models)."""
    if req.level != Level.DEPARTMENT and stage != "submitted":
        req = request_services.request_local_accept(actor=builder, request=req)
        if stage in ("answered", "rated"):
            req = request_services.request_answer(
                actor=builder, request=req, answer="已现场处理，问题已解决。"
            )
        return _rated(rng, builder, req) if stage == "rated" else req
    if stage != "submitted":
        req = request_services.request_accept(actor=builder, request=req)
    if stage in ("handling", "answered", "rated"):
        department = item.lead_department if item else _free_text_department(req, district)
        req = request_services.request_dispatch(actor=builder, request=req, department=department)
        req = request_services.request_sign(actor=builder, request=req)
    if stage in ("answered", "rated"):
        req = request_services.request_answer(
            actor=builder, request=req, answer="已现场处理，问题已解决。"
        )
    if stage == "rated":
        req = _rated(rng, builder, req)
    return req


def _free_text_department(req, district):
    """The department a free-text demo request goes to (FREE_TEXTS), else the first one."""
    code = next((c for text, _cat, c in FREE_TEXTS if text == req.description), None)
    found = district.departments.filter(is_active=True)
    return found.filter(short_code=code).first() or found.order_by("pk").first()


def _rated(rng, builder, req):
    req = request_services.request_close(actor=builder, request=req)
    rating = rng.choices(["satisfied", "basic", "unsatisfied"], [7, 2, 1])[0]
    note = "处理不及时" if rating == "unsatisfied" else ""
    req = request_services.request_rate(actor=builder, request=req, rating=rating, note=note)
    if rating == "unsatisfied":
        request_services.rating_review(
            actor=builder, request=req, upheld=False, internal_note="已核实处理到位"
        )
    return req


def _shift(pk, shift, late):
    """Set a demo request's clock back by `shift`; its handling finished `late` later."""
    moved = {
        name: F(name) - shift
        for name in ("created_at", "accept_due", "accepted_at", "dispatched_at", "signed_at",
                     "due_at", "closed_at", "visited_at", "rated_at")
    }  # fmt: skip
    moved["answered_at"] = F("answered_at") - shift + late
    ServiceRequest.objects.filter(pk=pk).update(**moved)
    RequestEvent.objects.filter(request_id=pk).update(at=F("at") - shift)
    PropertyRouting.objects.filter(request_id=pk).update(**{
        name: F(name) - shift
        for name in ("routed_at", "accept_due", "due_at", "accepted_at", "closed_at", "returned_at")
    })  # fmt: skip


def _draw_map(district, builder, rng):
    """The demo has no survey data: plausible outlines for its places (core.boundaries, through
    the import service) around the map's centre, and each request a point in its grid, so the
    public map (services.public_map) draws something on an intranet without tiles."""
    from core import boundaries
    from services.views.requests import map_options

    centre = tuple(map_options()["center"])
    boundaries.boundaries_import(
        actor=builder, district=district, source="演示数据（示意边界，非测绘成果）",
        collection=boundaries.demo_collection(district, centre),
    )  # fmt: skip
    shapes = dict(
        PlaceBoundary.objects.filter(district=district).values_list("place_id", "geometry")
    )
    located = ServiceRequest.objects.filter(district=district, lat__isnull=True)
    for pk, place_id in located.values_list("pk", "place_id").order_by("pk"):
        if place_id in shapes:  # a plain update: coordinates are not in the metrics summary
            lat, lng = boundaries.point_in(shapes[place_id], rng)
            ServiceRequest.objects.filter(pk=pk).update(lat=lat, long=lng)
