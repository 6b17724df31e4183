"""Supervision by background jobs: yellow/red warnings, 催办, escalation, daily overdue lists."""

import datetime

import pytest
from django.utils import timezone

from core import jobs
from core.models import Notification
from core.tests.refused import refused
from services import services as request_services
from services import supervision
from services.models import OverdueList, RequestEvent, ServiceRequest
from services.tests.test_lifecycle import submit, to_state

# Deadlines, periods and months hang on the day: the module runs on each kind of day.
pytestmark = [pytest.mark.django_db, pytest.mark.each_kind_of_day]
HOUR = datetime.timedelta(hours=1)


def test_yellow_then_red_warnings_once_each(world):
    request = to_state(world, "handling")
    ServiceRequest.objects.filter(pk=request.pk).update(due_at=timezone.now() + 2 * HOUR)
    assert supervision.warn_due() == {"yellow": 1, "red": 0}
    assert supervision.warn_due() == {"yellow": 0, "red": 0}  # running twice warns once
    chasers = Notification.objects.filter(user=world.officer, title__contains="催办：即将到期")
    assert chasers.count() == 1
    ServiceRequest.objects.filter(pk=request.pk).update(due_at=timezone.now() - HOUR)
    assert supervision.warn_due() == {"yellow": 0, "red": 1}
    assert Notification.objects.filter(user=world.officer, title__contains="已超期").count() == 1
    assert (
        Notification.objects.filter(user=world.dispatcher, title__contains="超期督办").count() == 1
    )
    kinds = list(
        RequestEvent.objects.filter(request=request, kind="urge").values_list("data", flat=True)
    )
    assert [k["level"] for k in kinds] == [1, 2]
    # Not shown to the resident.
    assert not RequestEvent.objects.filter(request=request, kind="urge", public=True).exists()


def test_far_deadline_and_finished_requests_are_left_alone(world):
    far = to_state(world, "handling")
    ServiceRequest.objects.filter(pk=far.pk).update(
        due_at=timezone.now() + datetime.timedelta(days=20)
    )
    closed = to_state(world, "closed")
    ServiceRequest.objects.filter(pk=closed.pk).update(due_at=timezone.now() - HOUR)
    supervision.warn_due()
    far.refresh_from_db(), closed.refresh_from_db()
    assert far.warned_level == 0 and closed.warned_level == 0


def test_unaccepted_past_acceptance_deadline_escalates_to_dispatchers(world):
    request = submit(world)
    ServiceRequest.objects.filter(pk=request.pk).update(accept_due=timezone.now() - HOUR)
    assert supervision.warn_due()["red"] == 1
    assert Notification.objects.filter(user=world.dispatcher, title__contains="超期未受理").exists()


def test_overdue_list_per_department_each_working_day(world):
    request = to_state(world, "handling")
    ServiceRequest.objects.filter(pk=request.pk).update(due_at=timezone.now() - 30 * HOUR)
    monday = datetime.date(2026, 11, 30)
    assert supervision.overdue_lists(monday) == {"departments": 1, "places": 0}
    assert supervision.overdue_lists(monday) == {"departments": 0, "places": 0}
    entry = OverdueList.objects.get(day=monday)
    assert entry.department == world.d.departments[0] and entry.count == 1
    assert entry.items[0]["number"] == request.number
    assert Notification.objects.filter(user=world.officer, title__contains="超期诉求1件").exists()
    assert supervision.overdue_lists(datetime.date(2026, 11, 29)) == {
        "skipped": "not a working day"
    }


def test_jobs_are_registered_and_run_once_per_period(world):
    assert jobs.get_job("services.warn_due").every == jobs.Hourly(minute=5)
    assert jobs.run_once("services.warn_due", "2026-11-27T10") is not None
    assert jobs.run_once("services.warn_due", "2026-11-27T10") is None
    assert jobs.run_once("services.overdue_lists", "2026-11-28")  # a Saturday: runs, skips


def test_manual_urge_by_dispatcher_only_while_open(world, client):
    request = to_state(world, "handling")
    request_services.request_urge(
        actor=world.dispatcher, request=request, internal_note="请今天内答复"
    )
    assert Notification.objects.filter(user=world.officer, title__contains="请今天内答复").exists()
    closed = to_state(world, "closed")
    with refused("bad_state", match="不能催办"):
        request_services.request_urge(actor=world.dispatcher, request=closed, internal_note="x")


def test_overdue_page_shows_own_department_lists(world, client):
    request = to_state(world, "handling")
    ServiceRequest.objects.filter(pk=request.pk).update(due_at=timezone.now() - 30 * HOUR)
    supervision.overdue_lists(datetime.date(2026, 11, 30))
    client.force_login(world.officer)
    page = client.get("/services/overdue/").content.decode()
    assert request.number in page and world.d.departments[0].name in page
    client.force_login(world.d.users["resident:own"])
    assert request.number not in client.get("/services/overdue/").content.decode()
