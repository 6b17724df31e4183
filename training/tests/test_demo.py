"""The demo's training, built through the services after workforce's roster and dated back from
the day it is built: every worker enrolled on courses of the four content areas, three courses
between about twenty-one and thirteen months ago and five in the last ten months, attendance
recorded on each course's day, the community-worker accounts with hours and a certificate each;
the survey answered by some. So the district's one page shows 学时 in both of its periods, on any
day the demo is built."""

import datetime

import pytest
import time_machine

from core import clock
from core.testing import build_small_district
from dashboard import figures
from dashboard import selectors as dashboard_selectors
from training import demo, selectors
from training.models import Attendance, Certificate, Course, Plan, SurveyAnswer
from workforce import demo as workforce_demo
from workforce.models import Worker


@pytest.mark.django_db
def test_demo_training_through_the_services():
    d = build_small_district()
    lines = []
    workforce_demo.build(district=d.district, builder=d.root, seed=2026, out=lines.append)
    demo.build(district=d.district, builder=d.root, seed=2026, out=lines.append)
    assert "培训" in lines[-1]
    courses = Course.objects.filter(district=d.district)
    assert {c.area.name for c in courses} == {"办公软件应用", "心理疏导", "法律法规", "沟通协调"}
    assert {c.format for c in courses} == {"classroom", "contest", "sharing", "visit"}
    assert Attendance.objects.exists() and SurveyAnswer.objects.exists()
    own = Worker.objects.filter(district=d.district, person__account__isnull=False)
    assert own.exists()
    assert sorted((clock.today() - c.held_on).days for c in courses) == [40, 100, 170, 240, 300, 420, 540, 640]  # fmt: skip
    assert all(c.plan.year == c.held_on.year for c in courses)
    assert set(Plan.objects.values_list("year", flat=True)) == {c.held_on.year for c in courses}
    year = courses.order_by("-held_on").first().held_on.year
    hours = selectors.hours_by_worker(own, year)
    for worker in own:
        assert hours[worker.pk] > 0
        assert Certificate.objects.filter(worker=worker).exists()
    # every attendance stands on an enrolment of the same worker
    assert not Attendance.objects.exclude(enrolment__worker=models_f("worker")).exists()


def models_f(name):
    from django.db.models import F

    return F(name)


# The year's last minutes and the next year's first (Beijing), and a leap day.
DAYS = ["2026-12-31T23:50:00+08:00", "2027-01-01T00:00:30+08:00", "2028-02-29T12:00:00+08:00"]


@pytest.mark.django_db
@pytest.mark.parametrize("moment", DAYS)
def test_the_district_page_shows_hours_in_both_periods_on_any_day(moment):
    with time_machine.travel(datetime.datetime.fromisoformat(moment), tick=False):
        d = build_small_district()
        workforce_demo.build(district=d.district, builder=d.root, seed=2026, out=print)
        demo.build(district=d.district, builder=d.root, seed=2026, out=print)
        scope = dashboard_selectors.scope_of(d.root, d.district, clock.today())
        figure = {f.key: f for f in figures.figures()}["training_hours"]
        value = figure.compute(scope)
        now = clock.now()
        written = [
            *Attendance.objects.values_list("created_at", flat=True),
            *Certificate.objects.values_list("issued_at", flat=True),
        ]
    assert value.current > 0 and value.previous > 0
    assert value.current > value.previous  # training stepped up
    assert figures.Result(figure, "", value).direction == "better"
    assert max(written) < now
