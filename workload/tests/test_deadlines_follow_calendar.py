"""Open deadlines follow the calendar (issue #19, item 4): after an administrator enters a
holiday, a task dispatched before it keeps its working days (its deadline moves a working day
later), and an admission review likewise; a make-up working day pulls them back; closed work,
work set after the day, and deadlines before the day stay as they are."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from admission import services as admission
from admission.models import AdmissionRequest
from admission.tests.conftest import application
from core import calendar as workcal
from core import services as core_services
from core.models import AuditEvent, CalendarDay
from workload import services
from workload.models import Task
from workload.tests.test_tasks import dispatch

pytestmark = pytest.mark.django_db

# A fixed week, so the test holds whatever day it runs on: Monday 2027-03-01, 10:00 Beijing.
MONDAY = datetime.datetime(2027, 3, 1, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))


def day(offset: int) -> datetime.date:
    return MONDAY.date() + datetime.timedelta(days=offset)


@pytest.fixture
def open_work(d, item):
    """A task due in 5 working days (Monday 2027-03-08) and a review under way, set on Monday."""
    with time_machine.travel(MONDAY, tick=False):
        (task,) = dispatch(d, item, due_in_working_days=5, dispatch_token="follow-1")
        review = admission.request_submit(
            **application(d, d.users["department_officer:own"], submit_token="follow-2",
                          title="社区消防安全巡查记录")
        )  # fmt: skip
    review.refresh_from_db()
    assert task.due_at.astimezone(MONDAY.tzinfo).date() == day(7)
    return task, review


def set_day(d, offset: int, working: bool):
    with time_machine.travel(MONDAY + datetime.timedelta(hours=2), tick=False):
        return core_services.calendar_set_day(
            actor=d.root, date=day(offset), is_working_day=working, note="测试"
        )


def local(moment):
    return moment.astimezone(MONDAY.tzinfo)


def test_a_holiday_inside_the_span_pushes_open_deadlines_a_working_day(d, open_work):
    task, review = open_work
    review_due = review.review_due_at
    set_day(d, 3, working=False)  # Thursday becomes a holiday
    task.refresh_from_db()
    assert local(task.due_at) == local(MONDAY).replace(day=9)  # Tuesday 10:00, not Monday
    review.refresh_from_db()
    if review.status in (AdmissionRequest.Status.UNDER_REVIEW, AdmissionRequest.Status.PREPARED):
        assert review.review_due_at == workcal.shift_working_days(review_due, 1)
    event = AuditEvent.objects.filter(action="calendar.set_day").latest("pk")
    assert task.pk in event.changes["deadlines_moved"]["workload.task.due_at"]
    # Entering the same day again moves nothing twice.
    set_day(d, 3, working=False)
    task.refresh_from_db()
    assert local(task.due_at).date() == day(8)


def test_a_make_up_working_day_pulls_them_back(d, open_work):
    task, _review = open_work
    set_day(d, 5, working=True)  # Saturday becomes a working day
    task.refresh_from_db()
    assert local(task.due_at).date() == day(5)  # that Saturday: the fifth working day now
    assert local(task.due_at).time() == datetime.time(10, 0)


def test_a_holiday_on_the_deadline_itself_moves_it_to_the_next_working_day(d, open_work):
    task, _review = open_work
    set_day(d, 7, working=False)  # the due Monday itself
    task.refresh_from_db()
    assert local(task.due_at).date() == day(8)


def test_what_the_change_does_not_touch(d, item, open_work):
    task, _review = open_work
    (done,) = dispatch(d, item, due_in_working_days=5, dispatch_token="follow-3",
                       communities=[d.communities[1]])  # fmt: skip
    with time_machine.travel(MONDAY, tick=False):
        services.task_complete(actor=d.root, task=done,
                               minutes_spent=30, result="已完成")  # fmt: skip
    before = {t.pk: t.due_at for t in Task.objects.all()}
    set_day(d, 10, working=False)  # after the deadline: no span holds it
    set_day(d, 0, working=False)  # the day the task was set: not in its span
    after = {t.pk: t.due_at for t in Task.objects.all()}
    assert after == before
    set_day(d, 2, working=False)  # inside the span: only the open task moves
    assert Task.objects.get(pk=done.pk).due_at == before[done.pk]
    assert Task.objects.get(pk=task.pk).due_at != before[task.pk]


def test_only_calendar_managers_change_days_and_a_refusal_moves_nothing(d, open_work):
    task, _review = open_work
    with pytest.raises(PermissionDenied):
        core_services.calendar_set_day(
            actor=d.users["community_worker:own"], date=day(3), is_working_day=False
        )
    task.refresh_from_db()
    assert local(task.due_at).date() == day(7)
    assert not CalendarDay.objects.filter(date=day(3)).exists()
