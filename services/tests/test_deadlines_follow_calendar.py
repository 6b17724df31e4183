"""A request's acceptance and handling deadlines follow the calendar (issue #19, item 4): a
holiday entered after the deadline was set moves it a working day later, with a public step on
the timeline saying why; closed requests keep theirs."""

import datetime

import pytest
import time_machine

from core import calendar as workcal
from core import services as core_services
from services.models import EventKind, ServiceRequest, State
from services.tests.test_lifecycle import submit, to_state

pytestmark = pytest.mark.django_db

# Monday 2027-03-01 10:00 in Beijing: a fixed week, whatever day the test runs.
MONDAY = datetime.datetime(2027, 3, 1, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def test_open_requests_move_with_a_holiday_and_the_resident_sees_why(world):
    with time_machine.travel(MONDAY, tick=False):
        waiting = submit(world)  # acceptance due in working days
        handling = to_state(world, State.HANDLING)
        closed = to_state(world, State.CLOSED)
    accept_due, handling_due = waiting.accept_due, handling.due_at
    holiday = max(accept_due, handling_due).astimezone(MONDAY.tzinfo).date()
    with time_machine.travel(MONDAY + datetime.timedelta(hours=1), tick=False):
        core_services.calendar_set_day(
            actor=world.d.root, date=holiday, is_working_day=False, note="临时假日"
        )
    waiting.refresh_from_db()
    handling.refresh_from_db()
    if accept_due.astimezone(MONDAY.tzinfo).date() == holiday:
        assert waiting.accept_due == workcal.shift_working_days(accept_due, 1)
    assert handling.due_at == workcal.shift_working_days(handling_due, 1)
    assert workcal.is_working_day(handling.due_at.astimezone(MONDAY.tzinfo).date())
    (event,) = handling.events.filter(kind=EventKind.DEADLINE)
    assert event.public and "办理期限" in event.note and holiday.isoformat() in event.note
    assert ServiceRequest.objects.get(pk=closed.pk).due_at == closed.due_at
    assert not closed.events.filter(kind=EventKind.DEADLINE).exists()
