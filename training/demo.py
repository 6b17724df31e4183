"""The demo district's training, dated back from the day the demo is built (so the district's one
page compares two years of 学时 on whatever day that is): the example rule and the seed's four
content areas; a needs survey a few workers answered; each year's periodic plan, with three
courses between about twenty-one and thirteen months ago and five, one of each format, in the
last ten months (training stepped up), and an induction course for workers who started in the
last two years; the workers then in service enrolled on some, attendance recorded on the day of
each course and certificates for most who passed. Written through the services; deterministic."""

import datetime
import random

from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
from training import services
from training.models import ContentArea, Format
from workforce.models import Worker

COURSES = [  # (title, area index, format, hours, days before the demo is built)
    ("智能手机与政务服务平台操作", 0, Format.CLASSROOM, 6, 640),
    ("矛盾纠纷调解实务", 3, Format.SHARING, 8, 540),
    ("社区工作者职业道德与廉洁自律", 2, Format.CLASSROOM, 8, 420),
    ("Excel报表与共享数据填报", 0, Format.CLASSROOM, 8, 300),
    ("居民情绪疏导与危机识别", 1, Format.SHARING, 6, 240),
    ("《居民委员会组织法》与基层依法办事", 2, Format.CLASSROOM, 12, 170),
    ("入户走访沟通技能比拼", 3, Format.CONTEST, 16, 100),
    ("先进社区参观学习", 3, Format.VISIT, 24, 40),
]
INDUCTION = ("岗前培训：社区工作基本规范", 2, Format.CLASSROOM, 24, 200)


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def build(*, district, builder, seed, out):
    services.defaults_seed(actor=builder, district=district)
    today = clock.today()
    year = today.year
    areas = list(ContentArea.objects.filter(district=district).order_by("order"))
    rng = random.Random(f"training:{seed}")
    workers = list(Worker.objects.filter(district=district).select_related("person", "community").order_by("pk"))  # fmt: skip
    survey = services.survey_create(actor=builder, district=district, year=year + 1,
                                    title=f"{year + 1}年度社区工作者培训需求调查",
                                    closes_on=today + datetime.timedelta(days=30))  # fmt: skip
    for w in workers[: len(workers) // 2]:
        if w.person.account_id is None:
            services.survey_answer(actor=builder, survey=survey, worker=w,
                                   areas=rng.sample(areas, rng.randint(1, 3)))  # fmt: skip
    plans, certified, courses, records = {}, set(), 0, 0
    started = today - datetime.timedelta(days=730)
    new = [w for w in workers if w.service_start >= started]
    for row in [*COURSES, *([INDUCTION] if new else [])]:
        induction = row is INDUCTION
        course = _course(builder, district, plans, areas, row, induction, len(workers))
        courses += 1
        attending = [
            w for w in (new if induction else workers) if w.service_start <= course.held_on
        ]
        records += _records(builder, course, attending, induction, certified, rng)
    out(_("培训：%(c)d门课程，%(r)d条出勤记录") % {"c": courses, "r": records})


def _course(builder, district, plans, areas, row, induction, capacity):
    """The course of ``row``, in its year's plan (made a month before its first course)."""
    title, area, fmt, hours, days_ago = row
    held_on = clock.today() - datetime.timedelta(days=days_ago)
    with clock.moment(_at(held_on - datetime.timedelta(days=30))):
        key = (held_on.year, induction)
        if key not in plans:
            kind, name = (
                ("induction", "新入职社区工作者岗前培训")
                if induction
                else ("periodic", "社区工作者在岗轮训")
            )
            plans[key] = services.plan_create(actor=builder, place=district, kind=kind,
                                              year=held_on.year, title=f"{held_on.year}年度{name}")  # fmt: skip
        return services.course_create(
            actor=builder, plan=plans[key], title=title, area=areas[area], format=fmt,
            held_on=held_on, hours=hours, venue="区委党校" if induction else "区社区工作者培训中心",
            capacity=max(capacity, 1),
        )  # fmt: skip


def _records(builder, course, workers, induction, certified, rng) -> int:
    """Enrolments two weeks before the course, attendance on its day, certificates three days
    after: every worker with a login and most others enrol; a few of those do not come."""
    enrolled = []
    with clock.moment(_at(course.held_on - datetime.timedelta(days=14))):
        for w in workers:
            if induction or w.person.account_id or rng.random() < 0.6:
                services.enrol(actor=builder, course=course, worker=w)
                enrolled.append(w)
    attended = []
    with clock.moment(_at(course.held_on, 17)):
        for w in enrolled:
            if rng.random() < 0.1 and not w.person.account_id:
                continue  # enrolled, did not come
            passed = w.person.account_id is not None or rng.random() < 0.95
            attended.append(services.attendance_record(actor=builder, course=course, worker=w, passed=passed))  # fmt: skip
    with clock.moment(_at(course.held_on + datetime.timedelta(days=3))):
        for attendance in attended:
            if attendance.passed and (attendance.worker_id not in certified or rng.random() < 0.5):
                services.certificate_issue(actor=builder, attendance=attendance)
                certified.add(attendance.worker_id)
    return len(attended)
