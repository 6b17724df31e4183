"""The catalogue and the request state machine, through the real services on a real database."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from core import calendar as workcal
from core.models import AuditEvent, Notification
from core.tests.refused import refused
from services import services as request_services
from services.models import (
    Application,
    Category,
    Channel,
    EventKind,
    RequestEvent,
    ServiceItem,
    ServiceRequest,
    State,
)

pytestmark = pytest.mark.django_db


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()  # a real image: uploaded photos are decoded and re-encoded (core.images)


def submit(world, **kwargs):
    resident = world.resident
    defaults = {
        "actor": resident,
        "place": world.d.grids[0],
        "description": "小区门口垃圾桶满了三天没人清运",
        "item": world.items["CG-002"],
        "resident": resident.person,
    }
    return request_services.request_submit(**{**defaults, **kwargs})


def to_state(world, state):
    """A fresh request walked to `state` along the main path."""
    request = submit(world)
    steps = [
        (
            State.ACCEPTED,
            lambda r: request_services.request_accept(actor=world.dispatcher, request=r),
        ),
        (
            State.DISPATCHED,
            lambda r: request_services.request_dispatch(
                actor=world.dispatcher, request=r, department=world.d.departments[0]
            ),
        ),
        (State.HANDLING, lambda r: request_services.request_sign(actor=world.officer, request=r)),
        (
            State.ANSWERED,
            lambda r: request_services.request_answer(
                actor=world.officer, request=r, answer="已清运"
            ),
        ),
        (State.CLOSED, lambda r: request_services.request_close(actor=world.dispatcher, request=r)),
    ]
    for reached, step in steps:
        if request.state == state:
            break
        request = step(request)
        assert request.state == reached
    return request


# ---------------------------------------------------------------- catalogue


def test_seeded_catalogue_has_leads_deadlines_and_typed_fields(world):
    items = world.items
    # Only items whose lead department exists in the district are seeded (民政局 and 城管局 here).
    assert {"CG-001", "CG-002", "CG-003", "MZ-001", "MZ-002", "GEN-001"} <= set(items)
    assert "SJ-001" not in items
    assert items["CG-001"].lead_department.short_code == "cg"
    assert items["CG-001"].category == Category.COMPLAINT
    assert items["CG-001"].deadline_days == 13  # complaint default (Jiangsu rulebook)
    assert items["MZ-001"].deadline_days == 3  # enquiry default
    assert [f["datatype"] for f in items["CG-001"].fields] == ["datetime", "singlevaluelist"]
    # Seeding twice adds nothing.
    assert request_services.catalogue_seed(actor=world.d.root, district=world.d.district) == []


def test_item_update_bumps_version_and_request_keeps_its_version(world):
    item = world.items["CG-003"]
    request = submit(world, item=item)
    item = request_services.item_update(actor=world.dispatcher, item=item, deadline_days=10)
    assert item.version == 2
    request.refresh_from_db()
    assert request.item_version == 1
    # No change, no new version, no audit.
    before = AuditEvent.objects.count()
    request_services.item_update(actor=world.dispatcher, item=item, deadline_days=10)
    assert AuditEvent.objects.count() == before


def test_item_create_refuses_bad_input_and_writes_nothing(world):
    d = world.d
    good = {
        "actor": world.dispatcher, "district": d.district, "code": "NEW-1", "name": "新事项",
        "category": Category.HELP, "lead_department": d.departments[0],
    }  # fmt: skip
    cases = [
        ({"code": "CG-001"}, "已存在"),
        ({"code": "有 空格"}, "事项编码"),
        ({"category": "nope"}, "类别"),
        ({"co_departments": [d.departments[0]]}, "协办部门不能与主办部门相同"),
        ({"fields": [{"code": "x", "label": "X", "datatype": "singlevaluelist"}]}, "需要给出选项"),
        ({"fields": [{"code": "x", "label": "X", "datatype": "blob"}]}, "不受支持"),
        ({"deadline_days": 99}, "办理时限"),
    ]
    before = ServiceItem.objects.count()
    for change, message in cases:
        with pytest.raises(ValidationError) as error:
            request_services.item_create(**{**good, **change})
        assert message in " ".join(error.value.messages), change
    with pytest.raises(PermissionDenied):
        request_services.item_create(**{**good, "actor": world.officer})
    assert ServiceItem.objects.count() == before


# ---------------------------------------------------------------- submit


def test_submit_lands_in_grid_with_acceptance_deadline_and_timeline(world):
    request = submit(world)
    grid = world.d.grids[0]
    assert request.grid == grid
    assert request.community == grid.parent
    assert request.street == grid.parent.parent
    assert request.district_id == world.d.district.pk
    assert request.state == State.SUBMITTED
    assert request.category == Category.COMPLAINT
    assert request.accept_due == workcal.add_working_days(request.created_at, 1)
    assert [e.kind for e in request.events.all()] == [EventKind.SUBMIT]
    assert AuditEvent.objects.filter(
        action="services.request_submit", object_id=str(request.pk)
    ).exists()


def test_submitted_request_and_event_read_back_as_written(world):
    """The submission writes its rows with SQL of its own (services.plain_sql), not Model.save:
    every field, JSON, decimals, the photo and the auto moments read back as the instance
    returned holds them, and the next ORM step still keeps the metrics summary exact."""
    from core.context import client_ip
    from services import summary

    token = client_ip.set("10.1.2.3")  # as the request middleware sets it
    try:
        request = submit(
            world,
            item=world.items["MZ-002"],
            answers={"age": "82", "needs": ["meal", "bath"]},
            lat="32.041234",
            long="118.781234",
            address="第1网格 3 号楼",
            contact_phone="13800001234",
            photo=SimpleUploadedFile("a.png", PNG, content_type="image/png"),
            client_key="read-back-1",
        )
    finally:
        client_ip.reset(token)
    stored = ServiceRequest.objects.get(pk=request.pk)
    for field in ServiceRequest._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(request, field.attname), field.name
    assert stored.photo.name.endswith(".png") and stored.photo.storage.exists(stored.photo.name)
    assert stored.updated_at is not None
    event = stored.events.get()
    assert (event.kind, event.to_state, event.actor_id) == (
        EventKind.SUBMIT, State.SUBMITTED, world.resident.pk,
    )  # fmt: skip
    assert event.data == {"channel": "h5"} and event.at is not None
    logged = AuditEvent.objects.get(action="services.request_submit", object_id=str(request.pk))
    assert (logged.object_type, logged.object_repr) == ("services.servicerequest", str(request))
    assert (logged.actor_id, logged.place_id) == (world.resident.pk, request.place_id)
    assert logged.changes == {"channel": "h5", "item": "MZ-002", "title": request.title}
    assert logged.client_ip == "10.1.2.3"
    district = world.d.district.pk
    assert summary.stored(district) == summary.recount(district)
    request_services.request_accept(actor=world.dispatcher, request=request)
    assert summary.stored(district) == summary.recount(district)
    assert summary.stored_weeks(district) == summary.weeks_of(summary.recount(district))


def test_number_in_sql_matches_the_number_in_python():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("the submission's one-statement write (and this SQL) is PostgreSQL's")
    for pk in (7, 42, 12345678, 123456789):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {ServiceRequest.NUMBER_SQL.format(id=pk)}")  # noqa: S608
            assert cursor.fetchone()[0] == ServiceRequest(pk=pk).number, pk


def test_double_submit_with_the_same_key_creates_one_request(world):
    first = submit(world, client_key="form-123")
    second = submit(world, client_key="form-123")
    assert first.pk == second.pk
    assert ServiceRequest.objects.filter(client_key="form-123").count() == 1
    # Another key is another request.
    assert submit(world, client_key="form-124").pk != first.pk


def test_racing_double_submit_meets_the_unique_key_and_returns_the_first(world, monkeypatch):
    """Two submits of one form racing past the look-up: the second one's statement meets the
    unique key, writes nothing (no request, event, audit row or summary count) and the first
    request comes back; the caller's transaction stays usable."""
    from services import summary

    first = submit(world, client_key="race-1")
    district = world.d.district.pk
    before = (
        ServiceRequest.objects.count(),
        RequestEvent.objects.count(),
        AuditEvent.objects.count(),
        summary.stored(district),
    )
    real_filter = ServiceRequest.objects.filter
    look_ups = []

    def look_up_misses_once(*args, **kwargs):
        look_ups.append(kwargs)
        found = real_filter(*args, **kwargs)
        return found.none() if len(look_ups) == 1 else found

    monkeypatch.setattr(ServiceRequest.objects, "filter", look_up_misses_once)
    second = submit(world, client_key="race-1")
    monkeypatch.undo()
    assert second.pk == first.pk and len(look_ups) == 2
    after = (
        ServiceRequest.objects.count(),
        RequestEvent.objects.count(),
        AuditEvent.objects.count(),
        summary.stored(district),
    )
    assert after == before


def test_free_text_request_without_item(world):
    request = submit(world, item=None, description="楼下有个井盖松动了\n请尽快处理")
    assert request.title == "楼下有个井盖松动了"
    assert request.category == Category.HELP


def test_answers_are_checked_against_typed_fields(world):
    item = world.items["MZ-002"]
    good = {"age": "82", "needs": ["meal", "bath"]}
    request = submit(world, item=item, answers=good)
    assert request.answers == {"age": "82", "needs": ["meal", "bath"]}
    cases = [
        ({"needs": ["meal"]}, "老人年龄"),
        ({"age": "八十", "needs": ["meal"]}, "应为数字"),
        ({"age": "80", "needs": ["fly"]}, "选项“fly”无效"),
        ({"age": "80", "needs": ["meal"], "color": "red"}, "没有这些字段"),
    ]
    before = ServiceRequest.objects.count()
    for answers, message in cases:
        with pytest.raises(ValidationError) as error:
            submit(world, item=item, answers=answers)
        assert message in " ".join(error.value.messages)
    with pytest.raises(ValidationError):
        submit(world, item=world.items["CG-001"], answers={"kind": "food", "time_seen": "昨天"})
    assert ServiceRequest.objects.count() == before


def test_photo_must_be_a_small_image(world):
    ok = submit(world, photo=SimpleUploadedFile("a.png", PNG, content_type="image/png"))
    assert ok.photo.name.endswith(".png")
    before = ServiceRequest.objects.count()
    with refused("photo_type"):
        submit(world, photo=SimpleUploadedFile("a.png", b"%PDF-1.4 not an image", "image/png"))
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), "image/jpeg")
    with refused("photo_size"):
        submit(world, photo=big)
    assert ServiceRequest.objects.count() == before


def test_submit_refuses_bad_places_and_strangers(world):
    d = world.d
    with refused("required", match="诉求内容不能为空"):
        submit(world, description="   ")
    with pytest.raises(ValidationError, match="经纬度需要同时提供"):
        submit(world, lat="32.03")
    # Intake on behalf (代办) only where the worker serves.
    with pytest.raises(PermissionDenied):
        submit(world, actor=d.users["community_worker:other"], channel=Channel.STAFF)
    request = submit(world, actor=d.users["community_worker:own"], channel=Channel.STAFF)
    assert request.channel == Channel.STAFF and request.resident == world.resident.person
    # Patrol reports only by the grid's own grid worker.
    with pytest.raises(PermissionDenied):
        submit(world, actor=d.users["community_worker:own"], channel=Channel.PATROL, resident=None)
    patrol = submit(world, actor=d.users["grid_worker:own"], channel=Channel.PATROL, resident=None)
    assert patrol.channel == Channel.PATROL


# ---------------------------------------------------------------- the main path


def test_main_path_with_deadlines_timeline_and_notifications(world):
    request = to_state(world, State.HANDLING)
    assert request.due_at == workcal.add_working_days(request.dispatched_at, 3)
    request = request_services.request_answer(
        actor=world.officer, request=request, answer="已清运完毕"
    )
    request = request_services.request_close(actor=world.dispatcher, request=request)
    request = request_services.request_visit(
        actor=world.dispatcher, request=request, internal_note="电话回访，居民确认"
    )
    request = request_services.request_rate(
        actor=world.resident, request=request, rating="satisfied"
    )
    assert request.state == State.RATED
    kinds = list(request.events.values_list("kind", flat=True))
    assert kinds == ["submit", "accept", "dispatch", "sign", "answer", "close", "visit", "rate"]
    states = list(request.events.values_list("to_state", flat=True))
    assert states[-1] == State.RATED
    titles = list(Notification.objects.filter(user=world.resident).values_list("title", flat=True))
    assert any("已办结" in t for t in titles) and any("已答复" in t for t in titles)


@pytest.mark.parametrize(
    ("state", "action"),
    [
        (State.SUBMITTED, "dispatch"),
        (State.DISPATCHED, "answer"),
        (State.HANDLING, "sign"),
        (State.ACCEPTED, "close"),
        (State.HANDLING, "close"),
        (State.CLOSED, "dispatch"),
        (State.CLOSED, "answer"),
        (State.ANSWERED, "rate"),
    ],
)
def test_transition_not_allowed_from_state_is_refused_with_reason(world, state, action):
    request = to_state(world, state)
    calls = {
        "dispatch": lambda: request_services.request_dispatch(
            actor=world.dispatcher, request=request, department=world.d.departments[0]
        ),
        "answer": lambda: request_services.request_answer(
            actor=world.officer, request=request, answer="x"
        ),
        "sign": lambda: request_services.request_sign(actor=world.officer, request=request),
        "close": lambda: request_services.request_close(actor=world.dispatcher, request=request),
        "rate": lambda: request_services.request_rate(
            actor=world.resident, request=request, rating="satisfied"
        ),
    }
    events, audits = RequestEvent.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as error:
        calls[action]()
    message = error.value.messages[0]
    assert f"当前状态为“{State(state).label}”" in message, message
    assert error.value.code == "bad_state"
    request.refresh_from_db()
    assert request.state == state
    assert (RequestEvent.objects.count(), AuditEvent.objects.count()) == (events, audits)


def test_only_the_lead_department_signs_and_answers(world):
    request = to_state(world, State.DISPATCHED)
    other_department = world.d.users["department_officer:own"]
    assert other_department.role_assignments.get().department == world.d.departments[0]
    # A co-handler (城管局 has no officer account in the small district; use a dispatcher) cannot sign.
    with pytest.raises(PermissionDenied, match="主办部门"):
        request_services.request_sign(actor=world.dispatcher, request=request)
    with pytest.raises(PermissionDenied):
        request_services.request_sign(actor=world.resident, request=request)


def test_reject_at_acceptance_needs_a_reason(world):
    request = submit(world)
    with refused("required", match="理由"):
        request_services.request_reject(actor=world.dispatcher, request=request, reason=" ")
    request = request_services.request_reject(
        actor=world.dispatcher, request=request, reason="不属于政府职能"
    )
    assert request.state == State.REJECTED


def test_redispatch_moves_lead_and_restarts_deadline(world):
    request = to_state(world, State.HANDLING)
    with refused("required", match="理由"):
        request_services.request_redispatch(
            actor=world.dispatcher, request=request, department=world.d.departments[1], reason=""
        )
    request = request_services.request_redispatch(
        actor=world.dispatcher,
        request=request,
        department=world.d.departments[1],
        reason="属城管职责",
    )
    assert request.state == State.DISPATCHED
    assert request.lead_department == world.d.departments[1]
    # The old department can no longer act.
    with pytest.raises(PermissionDenied):
        request_services.request_sign(actor=world.officer, request=request)


def test_return_is_reviewed_by_the_dispatcher(world):
    request = to_state(world, State.HANDLING)
    with refused("required", match="理由"):
        request_services.return_ask(actor=world.officer, request=request, reason="")
    application = request_services.return_ask(
        actor=world.officer, request=request, reason="非本部门职责"
    )
    with pytest.raises(ValidationError, match="待审核"):
        request_services.return_ask(actor=world.officer, request=request, reason="再申请一次")
    # The department cannot decide its own return.
    with pytest.raises(PermissionDenied):
        request_services.application_decide(
            actor=world.officer, application=application, approve=True
        )
    # Refusing needs a note; approving sends the request back to the dispatch queue.
    with refused("required", match="审核意见"):
        request_services.application_decide(
            actor=world.dispatcher, application=application, approve=False
        )
    request_services.application_decide(
        actor=world.dispatcher, application=application, approve=True
    )
    request.refresh_from_db()
    assert request.state == State.ACCEPTED and request.lead_department is None
    with pytest.raises(ValidationError, match="已经审核"):
        request_services.application_decide(
            actor=world.dispatcher, application=application, approve=True
        )


def test_extension_asked_before_deadline_and_approved_on_working_days(world):
    request = to_state(world, State.HANDLING)
    old_due = request.due_at
    with pytest.raises(ValidationError, match="延期工作日"):
        request_services.extension_ask(
            actor=world.officer, request=request, days=0, reason="需要协调"
        )
    application = request_services.extension_ask(
        actor=world.officer, request=request, days=2, reason="需要协调物业"
    )
    request_services.application_decide(
        actor=world.dispatcher, application=application, approve=True, note="同意"
    )
    request.refresh_from_db()
    assert request.due_at == workcal.add_working_days(old_due, 2)
    assert Notification.objects.filter(
        user=world.resident, title__contains="办理期限已延长"
    ).exists()
    # After the deadline has passed, no more extensions.
    ServiceRequest.objects.filter(pk=request.pk).update(
        due_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with refused("too_late"):
        request_services.extension_ask(
            actor=world.officer, request=request, days=1, reason="还需时间"
        )
    assert Application.objects.filter(request=request, kind="extend").count() == 1


def test_merge_duplicates_tells_the_resident(world):
    main = to_state(world, State.HANDLING)
    duplicate = submit(world, description="垃圾桶还是满的")
    with pytest.raises(ValidationError, match="自己"):
        request_services.request_merge(actor=world.dispatcher, duplicate=duplicate, into=duplicate)
    request_services.request_merge(
        actor=world.dispatcher, duplicate=duplicate, into=main, note="同一问题"
    )
    duplicate.refresh_from_db()
    assert duplicate.state == State.MERGED and duplicate.merged_into == main
    assert Notification.objects.filter(user=world.resident, title__contains="已合并办理").exists()
    # A closed request cannot take duplicates, and a merged one cannot be merged again.
    closed = to_state(world, State.CLOSED)
    with pytest.raises(ValidationError):
        request_services.request_merge(actor=world.dispatcher, duplicate=submit(world), into=closed)
    with refused("bad_state", match="已并单"):
        request_services.request_merge(actor=world.dispatcher, duplicate=duplicate, into=main)


def test_unsatisfied_rating_upheld_sends_the_case_back(world):
    request = to_state(world, State.CLOSED)
    with refused("required", match="评价说明"):
        request_services.request_rate(actor=world.resident, request=request, rating="unsatisfied")
    with pytest.raises(PermissionDenied):
        request_services.request_rate(
            actor=world.d.users["resident:other"], request=request, rating="satisfied"
        )
    request = request_services.request_rate(
        actor=world.resident, request=request, rating="unsatisfied", note="垃圾还在"
    )
    assert request.state == State.DISPUTED
    request = request_services.rating_review(
        actor=world.dispatcher, request=request, upheld=True, internal_note="现场核实属实"
    )
    assert request.state == State.HANDLING and request.redo_count == 1
    assert request.due_at > timezone.now()
    request = request_services.request_answer(
        actor=world.officer, request=request, answer="已彻底清理"
    )
    request = request_services.request_close(actor=world.dispatcher, request=request)
    request = request_services.request_rate(
        actor=world.resident, request=request, rating="unsatisfied", note="还是不满意"
    )
    request = request_services.rating_review(
        actor=world.dispatcher, request=request, upheld=False, internal_note="已处理到位"
    )
    assert request.state == State.RATED and request.rating == "unsatisfied"


def test_items_for_residents_only(world):
    item = world.items["MZ-002"]
    answers = {"age": "80", "needs": ["meal"]}
    with pytest.raises(ValidationError, match="仅限本辖区居民"):
        submit(world, actor=world.dispatcher, item=item, answers=answers, resident=None)
    with pytest.raises(ValidationError, match="关联已登记"):
        submit(world, actor=world.d.users["community_worker:own"], channel=Channel.STAFF,
               item=item, answers=answers, resident=None)  # fmt: skip
    assert submit(world, item=item, answers=answers).item == item
    staff = submit(world, actor=world.d.users["community_worker:own"], channel=Channel.STAFF,
                   item=item, answers=answers)  # fmt: skip
    assert staff.resident == world.resident.person


def test_dispatch_objection_upheld_redispatches_with_a_fresh_deadline(world):
    request = to_state(world, State.DISPATCHED)
    first_due = request.due_at
    with refused("required", match="理由"):
        request_services.dispatch_object(actor=world.officer, request=request, reason=" ")
    with pytest.raises(ValidationError, match="不能是本部门"):
        request_services.dispatch_object(
            actor=world.officer, request=request, reason="非本部门职责",
            suggested_department=world.d.departments[0],
        )  # fmt: skip
    application = request_services.dispatch_object(
        actor=world.officer, request=request, reason="垃圾清运属城管职责（三定方案第5条）",
        suggested_department=world.d.departments[1],
    )  # fmt: skip
    assert application.kind == Application.Kind.OBJECT
    # One question about who handles it at a time: no return while the objection is pending.
    with pytest.raises(ValidationError, match="待审核"):
        request_services.return_ask(actor=world.officer, request=request, reason="退单")
    # The department cannot decide its own objection.
    with pytest.raises(PermissionDenied):
        request_services.application_decide(
            actor=world.officer, application=application, approve=True
        )
    before = RequestEvent.objects.filter(request=request).count()
    request_services.application_decide(
        actor=world.dispatcher, application=application, approve=True, note="异议成立"
    )
    request.refresh_from_db()
    assert request.state == State.DISPATCHED
    assert request.lead_department == world.d.departments[1]  # the suggested department
    assert request.due_at >= first_due and request.signed_at is None
    kinds = list(
        RequestEvent.objects.filter(request=request).values_list("kind", flat=True)[before:]
    )
    assert kinds == [EventKind.OBJECT_OK]
    ask = RequestEvent.objects.get(request=request, kind=EventKind.OBJECT_ASK)
    assert ask.public is False and ask.data["suggested"] == world.d.departments[1].name
    assert AuditEvent.objects.filter(action="services.object_decide").exists()
    # The old department can no longer sign it.
    with pytest.raises(PermissionDenied):
        request_services.request_sign(actor=world.officer, request=request)


def test_dispatch_objection_refused_the_department_must_sign(world):
    request = to_state(world, State.DISPATCHED)
    due = request.due_at
    application = request_services.dispatch_object(
        actor=world.officer, request=request, reason="不归我们管"
    )
    # Upholding without a suggestion needs the dispatcher to name the department.
    with pytest.raises(ValidationError, match="选择改派的部门"):
        request_services.application_decide(
            actor=world.dispatcher, application=application, approve=True, note="成立"
        )
    with refused("required", match="审核意见"):
        request_services.application_decide(
            actor=world.dispatcher, application=application, approve=False
        )
    request_services.application_decide(
        actor=world.dispatcher, application=application, approve=False,
        internal_note="生活垃圾清运由民政局牵头协调",
    )  # fmt: skip
    request.refresh_from_db()
    assert request.lead_department == world.d.departments[0] and request.due_at == due
    assert RequestEvent.objects.filter(request=request, kind=EventKind.OBJECT_NO).exists()
    request_services.request_sign(actor=world.officer, request=request)


def test_dispatch_objection_only_before_signing_and_within_a_working_day(world):
    signed = to_state(world, State.HANDLING)
    with refused("bad_state", match="签收后请申请退单"):
        request_services.dispatch_object(actor=world.officer, request=signed, reason="不归我们管")
    late = to_state(world, State.DISPATCHED)
    ServiceRequest.objects.filter(pk=late.pk).update(
        dispatched_at=late.dispatched_at - datetime.timedelta(days=10)
    )
    late.refresh_from_db()
    count = Application.objects.count()
    with refused("too_late"):
        request_services.dispatch_object(actor=world.officer, request=late, reason="不归我们管")
    assert Application.objects.count() == count
    # A suggested department of another district is refused.
    from core import services as core_services

    other = core_services.district_create(
        actor=world.d.root, name="建邺区", code="320105", population=1000, households=400
    )
    stranger = core_services.department_create(
        actor=world.d.root, district=other, name="外区城管局", short_code="cg"
    )
    fresh = to_state(world, State.DISPATCHED)
    with pytest.raises(ValidationError, match="本区有效"):
        request_services.dispatch_object(
            actor=world.officer, request=fresh, reason="x", suggested_department=stranger
        )
