"""Requests handled by a compound's property company (issue #18 item 4): the company in force,
routing (by the community, or at submission for an item handled at 物业), the company's steps
(sign, answer and close, return with a reason), its deadlines from the district's rule, who
sees what. Bad input is refused in Chinese and writes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from core import calendar as workcal
from core import clock
from core import services as core_services
from owners import routing as owner_routing
from owners.services.property import property_rule_create
from registry.models import Residence
from services import selectors, steps
from services import services as request_services
from services.models import EventKind, Level, PropertyRouting, ServiceRequest, State
from services.tests import property_world
from services.tests.property_world import file, property_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(world):
    return property_world.make(world)


def unchanged(req):
    fresh = ServiceRequest.objects.get(pk=req.pk)
    return (fresh.state, fresh.level, fresh.events.count(), fresh.property_routings.count(),
            PropertyRouting.objects.filter(returned_at__isnull=False).count())  # fmt: skip


def test_the_company_in_force_is_the_one_whose_term_covers_the_day(world, setup):
    today = clock.today()
    assert owner_routing.company_in_force(setup.compound, today) == setup.company
    assert (
        owner_routing.company_in_force(setup.compound, today + datetime.timedelta(days=400)) is None
    )
    assert owner_routing.company_in_force(setup.bare, today) is None


def test_an_item_handled_at_property_goes_to_the_residents_company_at_submission(world, setup):
    req = file(world, property_item(world))
    routing = req.property_routings.get()
    assert (req.level, req.state) == (Level.PROPERTY, State.DISPATCHED)
    assert routing.company == setup.company and routing.compound == setup.compound
    assert routing.routed_by is None
    # The district set no rule: the code's defaults (1 working day to sign, 5 to finish).
    assert routing.accept_due == workcal.add_working_days(routing.routed_at, 1)
    assert routing.due_at == req.due_at == workcal.add_working_days(routing.routed_at, 5)
    assert req.events.filter(kind=EventKind.PROPERTY_ROUTE).exists()


def test_without_a_home_compound_the_request_stays_with_the_community(world, setup):
    Residence.objects.filter(person=world.resident.person).update(house=None)
    req = file(world, property_item(world))
    assert (req.level, req.state) == (Level.COMMUNITY, State.SUBMITTED)
    assert not req.property_routings.exists()


def test_the_districts_rule_for_the_item_sets_the_deadlines(world, setup):
    coordinator = world.dispatcher
    day = clock.today()
    property_rule_create(actor=coordinator, district=world.d.district, accept_days=2,
                         finish_days=7, source="本区规定", effective_from=day)  # fmt: skip
    property_rule_create(actor=coordinator, district=world.d.district, item_code="CG-007",
                         accept_days=1, finish_days=3, source="路灯三日办结", effective_from=day)  # fmt: skip
    routing = file(world, property_item(world)).property_routings.get()
    assert routing.due_at == workcal.add_working_days(routing.routed_at, 3)
    assert routing.rule_source == "路灯三日办结"
    with pytest.raises(ValidationError, match="签收时限不能长于办结时限"):
        property_rule_create(actor=coordinator, district=world.d.district, accept_days=5,
                             finish_days=2, source="x", effective_from=day)  # fmt: skip
    with pytest.raises(PermissionDenied):
        property_rule_create(actor=world.user("community_worker:own"), district=world.d.district,
                             accept_days=1, finish_days=2, source="x", effective_from=day)  # fmt: skip


def test_the_company_signs_answers_and_closes_and_the_resident_rates(world, setup):
    req = file(world, property_item(world))
    names = [s.name for s in steps.available_steps(setup.staff, req)]
    assert names == ["property_accept", "property_return"]
    assert steps.available_steps(setup.rival, req) == []
    req = request_services.request_property_accept(actor=setup.staff, request=req)
    assert req.state == State.HANDLING
    req = request_services.request_property_close(
        actor=setup.staff, request=req, note="已更换路灯", internal_note="费用由公共收益列支"
    )
    assert (req.state, req.answer) == (State.CLOSED, "已更换路灯")
    closed = req.events.get(kind=EventKind.CLOSE)
    assert (
        closed.public
        and closed.note == "已更换路灯"
        and closed.internal_note == "费用由公共收益列支"
    )
    routing = req.property_routings.get()
    assert routing.on_time and routing.acted_by == setup.staff
    req = request_services.request_rate(actor=world.resident, request=req, rating="satisfied")
    assert req.rating == "satisfied"


def test_a_community_worker_routes_a_request_of_a_compound_to_its_company(world, setup):
    worker = world.user("community_worker:own")
    req = file(world, place=world.d.communities[0])  # a community request, no 物业 item
    assert req.level == Level.COMMUNITY
    assert "property_route" in [s.name for s in steps.available_steps(worker, req)]
    # No contract in force: refused in Chinese, nothing written.
    before = unchanged(req)
    with pytest.raises(ValidationError, match="没有在有效期内的物业服务合同"):
        request_services.request_property_route(
            actor=worker, request=req, compound_id=setup.bare.pk, internal_note="路灯"
        )
    with pytest.raises(ValidationError, match="转办说明"):
        request_services.request_property_route(
            actor=worker, request=req, compound_id=setup.compound.pk, internal_note=""
        )
    # A community worker of another community: refused.
    with pytest.raises(PermissionDenied):
        request_services.request_property_route(
            actor=world.user("community_worker:other"), request=req,
            compound_id=setup.compound.pk, internal_note="路灯",
        )  # fmt: skip
    assert unchanged(req) == before
    routing = request_services.request_property_route(
        actor=worker, request=req, compound_id=setup.other_company and setup.compound.pk,
        internal_note="属物业维修范围",
    )  # fmt: skip
    assert routing.company == setup.company and routing.routed_by == worker
    event = req.events.get(kind=EventKind.PROPERTY_ROUTE)
    assert event.internal_note == "属物业维修范围" and event.note == ""


def test_another_company_or_a_return_without_reason_is_refused(world, setup):
    req = file(world, property_item(world))
    before = unchanged(req)
    for actor in (setup.rival, setup.unlinked, world.user("community_worker:own")):
        with pytest.raises(PermissionDenied):
            request_services.request_property_accept(actor=actor, request=req)
    with pytest.raises(ValidationError, match="退回理由"):
        request_services.request_property_return(actor=setup.staff, request=req, reason=" ")
    assert unchanged(req) == before


def test_the_company_returns_a_request_to_the_community_with_the_reason(world, setup):
    req = file(world, property_item(world))
    assert req in selectors.requests_visible_to(setup.staff)
    req = request_services.request_property_return(
        actor=setup.staff, request=req, reason="属于市政路灯，不是小区设施"
    )
    assert (req.level, req.state) == (Level.COMMUNITY, State.DISPATCHED)
    assert req.property_routings.get().return_reason == "属于市政路灯，不是小区设施"
    # Back with the community, which signs it; the company no longer sees it.
    assert req not in selectors.requests_visible_to(setup.staff)
    worker = world.user("community_worker:own")
    assert "sign" in [s.name for s in steps.available_steps(worker, req)]


def test_property_staff_see_only_what_is_routed_to_their_company(world, setup, client):
    routed = file(world, property_item(world))
    kept = file(world, place=world.d.communities[0])
    assert list(selectors.requests_visible_to(setup.staff)) == [routed]
    assert not selectors.requests_visible_to(setup.rival).exists()
    assert not selectors.requests_visible_to(setup.unlinked).exists()
    for user, status in ((setup.staff, 200), (setup.rival, 404), (setup.unlinked, 404)):
        client.force_login(user)
        page = client.get(reverse("services:request_detail", args=[routed.pk]))
        assert page.status_code == status
    client.force_login(setup.staff)
    assert client.get(reverse("services:request_detail", args=[kept.pk])).status_code == 404
    page = client.get(reverse("services:request_detail", args=[routed.pk])).content.decode()
    assert "签收" in page and "金陵物业" in page


def test_the_companys_list_shows_its_open_requests_and_refuses_others(world, setup, client):
    routed = file(world, property_item(world))
    client.force_login(setup.staff)
    page = client.get(reverse("services:property"))
    assert page.status_code == 200 and routed.number in page.content.decode()
    assert 'id="property-link"' in client.get(reverse("services:home")).content.decode()
    for user in (setup.unlinked, world.user("community_worker:own")):
        client.force_login(user)
        assert client.get(reverse("services:property")).status_code == 403


def test_an_overdue_property_request_is_told_to_its_community(world, setup):
    from services import supervision

    req = file(world, property_item(world))
    later = req.due_at + datetime.timedelta(days=1)
    day = timezone.localtime(later).date()
    while not workcal.is_working_day(day):
        day += datetime.timedelta(days=1)
    # The community supervises the company: the day's overdue count goes to its workers.
    assert supervision.overdue_lists(day, now=later)["places"] == 1


def test_the_company_never_sees_the_residents_full_phone(world, setup, client):
    req = request_services.request_submit(
        actor=world.resident, place=world.d.grids[0], item=property_item(world),
        description="电梯异响", resident=world.resident.person, contact_phone="13912345678",
    )  # fmt: skip
    assert req.level == Level.PROPERTY
    client.force_login(setup.staff)
    response = client.get(reverse("services:request_detail", args=[req.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    _token, secret = core_services.api_token_create(actor=setup.staff, name="t", scope="read")
    api = client.get(f"/api/services/requests/{req.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.status_code == 200
    for shown in (page, api.content.decode()):
        assert "13912345678" not in shown
    # Another company's staff: not found through the API either.
    _token, secret = core_services.api_token_create(actor=setup.rival, name="t", scope="read")
    other = client.get(f"/api/services/requests/{req.pk}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert other.status_code == 404


def _deadline_cell(page: str, number: str) -> str:
    """The 期限 cell of the list's row of the request numbered ``number``."""
    row = page.split(f">{number}</a>", 1)[1].split("</tr>", 1)[0]
    return row.rsplit("<td", 1)[1]


def test_the_companys_list_marks_a_request_not_signed_in_time(world, setup, client):
    item = property_item(world)
    late, fresh, signed = (file(world, item) for _ in range(3))
    request_services.request_property_accept(actor=setup.staff, request=signed)
    hour_ago = timezone.now() - datetime.timedelta(hours=1)
    PropertyRouting.objects.filter(request__in=[late, signed]).update(accept_due=hour_ago)
    client.force_login(setup.staff)
    page = client.get(reverse("services:property")).content.decode()
    # Not signed by its deadline: the sign deadline in red, the finish deadline not yet.
    cell = _deadline_cell(page, late.number)
    assert 'sr-due tone-alert" data-due="sign">签收' in cell
    assert 'sr-due" data-due="finish">办结' in cell
    # In time: both deadlines shown, neither red.
    cell = _deadline_cell(page, fresh.number)
    assert 'data-due="sign"' in cell and "tone-alert" not in cell
    # Signed (late or not): only the finish deadline remains, not red.
    cell = _deadline_cell(page, signed.number)
    assert 'data-due="sign"' not in cell and "tone-alert" not in cell
    assert 'data-due="finish">办结' in cell
    # Past the finish deadline too: both red.
    PropertyRouting.objects.filter(request=late).update(due_at=hour_ago)
    ServiceRequest.objects.filter(pk=late.pk).update(due_at=hour_ago)
    page = client.get(reverse("services:property")).content.decode()
    assert _deadline_cell(page, late.number).count("tone-alert") == 2
