"""The demo's training, built through the services after workforce's roster: every worker
enrolled on courses of the four content areas, attendance for those held, the community-worker
accounts with hours and a certificate each; the survey answered by some."""

import pytest

from core.testing import build_small_district
from training import demo, selectors
from training.models import Attendance, Certificate, Course, SurveyAnswer
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
    year = courses.first().held_on.year
    hours = selectors.hours_by_worker(own, year)
    for worker in own:
        assert hours[worker.pk] > 0
        assert Certificate.objects.filter(worker=worker).exists()
    # every attendance stands on an enrolment of the same worker
    assert not Attendance.objects.exclude(enrolment__worker=models_f("worker")).exists()


def models_f(name):
    from django.db.models import F

    return F(name)
