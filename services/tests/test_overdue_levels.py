"""Overdue below the departments (issue #14 leftover): a request handled in the grid, the
community or the street that runs late warns the grid worker, the community workers or the street
officers of its place — not a department, and not the workers of another grid — and the daily
overdue job tells each such place how many of its requests are late."""

import datetime

import pytest
from django.utils import timezone

from core.models import Notification
from services import services as request_services
from services import supervision
from services.models import Level, ServiceRequest
from services.tests.test_levels import file

pytestmark = [pytest.mark.django_db, pytest.mark.each_kind_of_day]
HOUR = datetime.timedelta(hours=1)
MONDAY = datetime.date(2026, 11, 30)


def accepted_in_grid(world):
    worker = world.user("grid_worker:own")
    req = file(world, world.d.grids[0])
    return worker, request_services.request_local_accept(actor=worker, request=req)


def titles(user, text):
    return Notification.objects.filter(user=user, title__contains=text).count()


def test_a_late_grid_request_warns_its_grid_worker_yellow_then_red(world):
    worker, req = accepted_in_grid(world)
    assert req.level == Level.GRID
    ServiceRequest.objects.filter(pk=req.pk).update(due_at=timezone.now() + 2 * HOUR)
    assert supervision.warn_due() == {"yellow": 1, "red": 0}
    assert titles(worker, "即将到期") == 1
    ServiceRequest.objects.filter(pk=req.pk).update(due_at=timezone.now() - HOUR)
    assert supervision.warn_due() == {"yellow": 0, "red": 1}
    assert titles(worker, "已超期") == 1
    assert titles(world.dispatcher, "超期督办") == 1  # the district still supervises
    # No department leads it: no officer is told; another grid's worker is not told either.
    assert titles(world.officer, "催办") == 0
    assert titles(world.user("grid_worker:other"), "催办") == 0


def test_an_escalated_request_warns_the_community_not_the_grid(world):
    worker, req = accepted_in_grid(world)
    req = request_services.request_escalate(actor=worker, request=req, reason="需社区协调")
    assert req.level == Level.COMMUNITY
    ServiceRequest.objects.filter(pk=req.pk).update(due_at=timezone.now() - HOUR)
    assert supervision.warn_due()["red"] == 1
    assert titles(world.user("community_worker:own"), "已超期") == 1
    assert titles(worker, "已超期") == 0


def test_the_daily_overdue_job_tells_each_late_place_its_count(world):
    worker, req = accepted_in_grid(world)
    _w, second = accepted_in_grid(world)
    ServiceRequest.objects.filter(pk__in=[req.pk, second.pk]).update(
        due_at=timezone.now() - 30 * HOUR
    )
    assert supervision.overdue_lists(MONDAY) == {"departments": 0, "places": 1}
    note = Notification.objects.get(user=worker, title__contains="超期诉求")
    assert note.title == f"{MONDAY.isoformat()} {world.d.grids[0].name}超期诉求2件"
    assert note.url == "/services/local/"
    assert titles(world.user("grid_worker:other"), "超期诉求") == 0
    assert titles(world.officer, "超期诉求") == 0
    # Not a working day: nothing.
    assert supervision.overdue_lists(datetime.date(2026, 11, 29)) == {
        "skipped": "not a working day"
    }
