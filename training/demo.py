"""The demo district's training: the example rule and the seed's four content areas; a needs
survey a few workers answered; this year's induction plan and periodic plan with a course in each
area and format, held earlier in the year; every worker enrolled on some, attendance recorded for
those held and certificates for most who passed. Written through the services; deterministic."""

import datetime
import random

from django.utils.translation import gettext as _

from core import clock
from training import services
from training.models import ContentArea, Format
from workforce.models import Worker

COURSES = [  # (title, area index, format, hours, share of the year elapsed)
    ("Excel报表与共享数据填报", 0, Format.CLASSROOM, 8, 0.15),
    ("居民情绪疏导与危机识别", 1, Format.SHARING, 6, 0.3),
    ("《居民委员会组织法》与基层依法办事", 2, Format.CLASSROOM, 12, 0.45),
    ("入户走访沟通技能比拼", 3, Format.CONTEST, 16, 0.6),
    ("先进社区参观学习", 3, Format.VISIT, 24, 0.75),
]


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
    periodic = services.plan_create(actor=builder, place=district, kind="periodic", year=year,
                                    title=f"{year}年度社区工作者在岗轮训")  # fmt: skip
    induction = services.plan_create(actor=builder, place=district, kind="induction", year=year,
                                     title=f"{year}年度新入职社区工作者岗前培训")  # fmt: skip
    start = datetime.date(year, 1, 1)
    elapsed = (today - start).days
    courses = []
    for title, area, fmt, hours, share in COURSES:
        courses.append(services.course_create(
            actor=builder, plan=periodic, title=title, area=areas[area], format=fmt,
            held_on=start + datetime.timedelta(days=int(elapsed * share)), hours=hours,
            venue="区社区工作者培训中心", capacity=max(len(workers), 1),
        ))  # fmt: skip
    new = [w for w in workers if w.service_start.year >= year - 1]
    if new:
        courses.append(services.course_create(
            actor=builder, plan=induction, title="岗前培训：社区工作基本规范", area=areas[2],
            format=Format.CLASSROOM, held_on=start + datetime.timedelta(days=elapsed // 2),
            hours=24, venue="区委党校", capacity=max(len(new), 1),
        ))  # fmt: skip
    records = _records(builder, workers, new, courses, rng)
    out(_("培训：%(c)d门课程，%(r)d条出勤记录") % {"c": len(courses), "r": records})


def _records(builder, workers, new, courses, rng) -> int:
    recorded = 0
    induction = courses[len(COURSES) :]
    for w in workers:
        chosen = [c for c in courses[: len(COURSES)] if w.person.account_id or rng.random() < 0.6]
        chosen += induction if w in new else []
        for k, course in enumerate(chosen):
            services.enrol(actor=builder, course=course, worker=w)
            if rng.random() < 0.1 and not w.person.account_id:
                continue  # enrolled, did not come
            passed = w.person.account_id is not None or rng.random() < 0.95
            attendance = services.attendance_record(actor=builder, course=course, worker=w, passed=passed)  # fmt: skip
            recorded += 1
            if passed and (k == 0 or rng.random() < 0.5):
                services.certificate_issue(actor=builder, attendance=attendance)
    return recorded
