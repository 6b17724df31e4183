"""Handling levels (issue #14 item 1): a request handled in the grid, the community or the street,
escalated level by level, and the street's 吹哨 to departments that report (报到) by a working-day
deadline and are rated. Bad input is refused with the reason and writes nothing."""

import io
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core import calendar as workcal
from core import services as core_services
from core.models import Role
from services import metrics, steps
from services import services as request_services
from services.models import Level, RequestEvent, ServiceRequest, State, Whistle
from services.rule_defaults import GRID_DAYS, WHISTLE_REPORT_DAYS
from services.services import rules as rule_services
from services.services.levels import level_for

pytestmark = [pytest.mark.django_db, pytest.mark.each_kind_of_day]


def photo() -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 20), (30, 160, 60)).save(out, "PNG")
    return SimpleUploadedFile("scene.png", out.getvalue(), content_type="image/png")


def file(world, place, item_code="CG-007"):
    return request_services.request_submit(
        actor=world.resident, place=place, item=world.items[item_code],
        description="楼下小广告贴满了单元门", resident=world.resident.person,
    )  # fmt: skip


def unchanged(req):
    """What a refused step must leave as it was: the row's state and level, the timeline, the
    whistles."""
    fresh = ServiceRequest.objects.get(pk=req.pk)
    return (fresh.state, fresh.level, fresh.events.count(), fresh.whistles.count())


def second_officer(world):
    """An officer of the second department (城管局)."""
    person = core_services.person_register(
        actor=world.d.root, place=world.d.district, name="城管局干部", mobile="13912340001",
        username="cg-officer", password="Linli-test-2026!", password_is_temporary=False,
        role=Role.DEPARTMENT_OFFICER, department=world.d.departments[1],
    )  # fmt: skip
    return person.account


def test_the_catalogue_item_decides_where_a_request_starts(world):
    grid, community = world.d.grids[0], world.d.communities[0]
    assert file(world, grid).level == Level.GRID
    # Filed for a whole community, a grid item starts in the community.
    assert file(world, community).level == Level.COMMUNITY
    assert level_for(world.items["CG-007"], street_id=1) == Level.STREET
    assert level_for(None, grid_id=1, community_id=1, street_id=1) == Level.DEPARTMENT


def test_a_grid_worker_settles_a_request_in_the_grid_with_a_photo(world):
    worker = world.user("grid_worker:own")
    req = file(world, world.d.grids[0])
    assert "local_accept" in [s.name for s in steps.available_steps(worker, req)]
    req = request_services.request_local_accept(actor=worker, request=req, note="马上处理")
    assert req.state == State.HANDLING and req.level == Level.GRID
    assert req.due_at == workcal.add_working_days(
        req.accepted_at, rule_services.rule_value(GRID_DAYS, world.d.district)
    )
    req = request_services.request_answer(
        actor=worker, request=req, answer="已清理小广告", photo=photo()
    )
    answered = req.events.get(kind="answer")
    assert answered.photo and answered.public
    req = request_services.request_local_close(actor=worker, request=req)
    assert req.state == State.CLOSED
    req = request_services.request_rate(actor=world.resident, request=req, rating="satisfied")
    assert req.state == State.RATED
    assert req.lead_department_id is None


def test_a_grid_worker_cannot_act_on_another_grids_request(world):
    worker = world.user("grid_worker:own")  # of grids[0]
    req = file(world, world.d.grids[1])  # the next grid of the same community
    before = unchanged(req)
    with pytest.raises(PermissionDenied):
        request_services.request_local_accept(actor=worker, request=req)
    assert unchanged(req) == before
    assert "local_accept" not in [s.name for s in steps.available_steps(worker, req)]
    own = request_services.request_local_accept(actor=worker, request=file(world, world.d.grids[0]))
    # Nor may a community worker or a department officer take the grid's steps.
    for other in ("community_worker:own", "department_officer:own", "grid_worker:other"):
        with pytest.raises(PermissionDenied):
            request_services.request_answer(actor=world.user(other), request=own, answer="x")


def test_escalation_whistle_report_and_rating(world):
    d = world.d
    grid_worker, community_worker = (
        world.user("grid_worker:own"),
        world.user("community_worker:own"),
    )
    street = world.user("street_officer:own")
    cg_officer = second_officer(world)
    req = request_services.request_local_accept(actor=grid_worker, request=file(world, d.grids[0]))
    req = request_services.request_escalate(actor=grid_worker, request=req, reason="需要社区协调")
    assert (req.level, req.state) == (Level.COMMUNITY, State.DISPATCHED)
    # The grid worker no longer handles it; the community signs it.
    with pytest.raises(PermissionDenied):
        request_services.request_escalate(actor=grid_worker, request=req, reason="再报")
    req = request_services.request_sign(actor=community_worker, request=req)
    req = request_services.request_escalate(actor=community_worker, request=req, reason="跨部门")
    assert req.level == Level.STREET
    req = request_services.request_sign(actor=street, request=req)
    # A whistle with no department: refused, nothing written.
    before = unchanged(req)
    with pytest.raises(ValidationError) as refused:
        request_services.request_whistle(actor=street, request=req, departments=[], reason="占道")
    assert "至少选择一个职能部门" in str(refused.value)
    assert unchanged(req) == before
    # The street cannot go further up.
    with pytest.raises(ValidationError):
        request_services.request_escalate(actor=street, request=req, reason="再报")
    whistles = request_services.request_whistle(
        actor=street, request=req, departments=d.departments, reason="占道经营需执法和民政配合"
    )
    days = rule_services.rule_value(WHISTLE_REPORT_DAYS, d.district)
    assert {w.due_at for w in whistles} == {workcal.add_working_days(whistles[0].called_at, days)}
    # Whistled twice to a department that has not reported: refused.
    with pytest.raises(ValidationError):
        request_services.request_whistle(
            actor=street, request=req, departments=d.departments[:1], reason="再吹"
        )
    # A department that was not called cannot report; the called ones can, and see the request.
    mz = world.user("department_officer:own")
    assert mz.has_perm("services.view_request", req) and cg_officer.has_perm(
        "services.view_request", req
    )
    first = request_services.whistle_report(actor=mz, request=req, report="已到场，核实困难户情况")
    assert first.on_time
    # The second department's deadline has passed by the time it reports.
    Whistle.objects.filter(pk=whistles[1].pk).update(due_at=first.reported_at - timedelta(hours=1))
    late = request_services.whistle_report(actor=cg_officer, request=req, report="执法队到场")
    assert late.on_time is False
    with pytest.raises(ValidationError):
        request_services.whistle_report(actor=mz, request=req, report="再报到")
    assert "rate_report" in [s.name for s in steps.available_steps(street, req)]
    request_services.whistle_rate(actor=street, request=req, whistle=first, rating="satisfied")
    request_services.whistle_rate(actor=street, request=req, whistle=late, rating="unsatisfied")
    with pytest.raises(ValidationError):
        request_services.whistle_rate(actor=street, request=req, whistle=late, rating="basic")
    assert Whistle.objects.filter(request=req, rating="").count() == 0
    req = request_services.request_answer(actor=street, request=req, answer="已规范摊点")
    req = request_services.request_local_close(actor=street, request=req)
    assert req.state == State.CLOSED
    kinds = list(req.events.values_list("kind", flat=True))
    assert kinds.count("whistle") == 1 and kinds.count("report") == 2
    # The resident never sees the whistle or the reports (internal steps).
    assert not RequestEvent.objects.filter(request=req, kind__in=["whistle", "report"], public=True)


def test_only_the_street_blows_the_whistle(world):
    worker = world.user("grid_worker:own")
    req = request_services.request_local_accept(actor=worker, request=file(world, world.d.grids[0]))
    before = unchanged(req)
    with pytest.raises(ValidationError):
        request_services.request_whistle(
            actor=worker, request=req, departments=world.d.departments, reason="x"
        )
    assert unchanged(req) == before
    with pytest.raises(PermissionDenied):
        request_services.request_whistle(
            actor=world.user("street_officer:other"), request=req,
            departments=world.d.departments, reason="x",
        )  # fmt: skip


def test_a_dispatcher_may_still_send_it_to_a_department(world):
    req = file(world, world.d.grids[0])
    req = request_services.request_accept_dispatch(
        actor=world.dispatcher, request=req, department=world.d.departments[1]
    )
    assert req.level == Level.DEPARTMENT
    worker = world.user("grid_worker:own")
    with pytest.raises(PermissionDenied):
        request_services.request_sign(actor=worker, request=req)


def test_the_level_days_are_an_editable_rule(world):
    rule_services.rule_update(
        actor=world.dispatcher, district=world.d.district, code=GRID_DAYS, value=1,
        source="本区网格化服务管理办法（试行）",
    )  # fmt: skip
    req = request_services.request_local_accept(
        actor=world.user("grid_worker:own"), request=file(world, world.d.grids[0])
    )
    assert req.due_at == workcal.add_working_days(req.accepted_at, 1)


def test_metrics_show_the_share_settled_in_grid_and_community(world):
    worker = world.user("grid_worker:own")
    req = request_services.request_local_accept(actor=worker, request=file(world, world.d.grids[0]))
    req = request_services.request_answer(actor=worker, request=req, answer="已处理")
    request_services.request_local_close(actor=worker, request=req)
    shares = metrics.settled_levels(world.dispatcher, days=30)
    assert shares["finished"] >= 1 and shares["grid"] >= 1
    assert 0 < shares["grid_share"] <= 100
