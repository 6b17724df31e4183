"""Plans, courses, enrolment, attendance and certificates."""

import datetime
import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Place, PlaceLevel
from core.validation import clean_text, require_perm
from training.models import Attendance, Certificate, ContentArea, Course, Enrolment, Format, Plan
from training.services.checks import a_choice, a_date, a_year, number


@one_write
def plan_create(*, actor, place: Place, kind: str, year, title: str) -> Plan:
    """A plan of the district (its managers) or of one street (its officers too)."""
    if place is None or place.level not in (PlaceLevel.DISTRICT, PlaceLevel.STREET):
        raise ValidationError(_("培训计划由区或街道制定，请选择区或街道。"), code="place")
    require_perm(actor, "training.keep_plans", place, _("您无权为该地制定培训计划。"))
    plan = Plan.objects.create(
        district_id=place.district_id or place.pk,
        street=place if place.level == PlaceLevel.STREET else None,
        kind=a_choice(kind, Plan.Kind, _("类别")), year=a_year(year),
        title=clean_text(title, _("名称"), limit=100), created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="training.plan_create", obj=plan, place=place,
                 changes={"kind": plan.kind, "year": plan.year, "title": plan.title})  # fmt: skip
    return plan


@one_write
def course_create(
    *, actor, plan: Plan, title: str, area: ContentArea, format: str, held_on: datetime.date,
    hours, venue: str, capacity,
) -> Course:  # fmt: skip
    """A course of a plan, in one of the district's content areas and one of the formats,
    held in the plan's year."""
    require_perm(actor, "training.keep_plans", plan.place, _("您无权为该计划开设课程。"))
    if area is None or area.district_id != plan.district_id:
        raise ValidationError(_("请选择本区的培训内容领域。"), code="area")
    held_on = a_date(held_on, _("举办日期"))
    if held_on.year != plan.year:
        raise ValidationError(_("课程须在计划年度（%(year)d年）内举办。"),
                              params={"year": plan.year}, code="year")  # fmt: skip
    course = Course.objects.create(
        district_id=plan.district_id, plan=plan, title=clean_text(title, _("课程名称"), limit=100),
        area=area, format=a_choice(format, Format, _("形式")), held_on=held_on,
        hours=number(hours, _("学时"), 1, 200), venue=clean_text(venue, _("地点"), limit=100),
        capacity=number(capacity, _("名额"), 1, 1000), created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="training.course_create", obj=course, place=plan.place,
                 changes={"title": course.title, "area": area.name, "format": course.format,
                          "hours": course.hours, "held_on": held_on.isoformat()})  # fmt: skip
    return course


@one_write
def enrol(*, actor, course: Course, worker) -> Enrolment:
    """Enrol a worker of the plan's place on a course with a seat left."""
    require_perm(actor, "training.keep_worker", worker, _("您无权为该社区工作者报名。"))
    course = Course.objects.select_for_update().select_related("plan").get(pk=course.pk)
    if not worker.community.is_within(course.place):
        raise ValidationError(_("该课程不面向%(c)s的社区工作者。"),
                              params={"c": worker.community.name}, code="outside")  # fmt: skip
    if Enrolment.objects.filter(course=course, worker=worker).exists():
        raise ValidationError(_("%(name)s已报名该课程。"), params={"name": worker.person.name}, code="enrolled")  # fmt: skip
    if course.enrolments.count() >= course.capacity:
        raise ValidationError(_("该课程%(n)d个名额已满。"), params={"n": course.capacity}, code="full")  # fmt: skip
    enrolment = Enrolment.objects.create(
        district_id=worker.district_id, community_id=worker.community_id, course=course,
        worker=worker, created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="training.enrol", obj=enrolment,
                 changes={"course": course.title, "worker": worker.pk})  # fmt: skip
    return enrolment


@one_write
def attendance_record(
    *, actor, course: Course, worker, hours=None, passed: bool = True
) -> Attendance:
    """A worker's attendance of a course held, against their enrolment: a worker not enrolled
    is refused. ``hours`` credited (the course's by default) never exceed the course's."""
    require_perm(actor, "training.keep_worker", worker, _("您无权登记该社区工作者的出勤。"))
    enrolment = Enrolment.objects.filter(course=course, worker=worker).first()
    if enrolment is None:
        raise ValidationError(_("%(name)s未报名该课程，不能登记出勤。"),
                              params={"name": worker.person.name}, code="not_enrolled")  # fmt: skip
    if course.held_on > clock.today():
        raise ValidationError(_("课程尚未举办（%(date)s），不能登记出勤。"),
                              params={"date": course.held_on.isoformat()}, code="not_held")  # fmt: skip
    if Attendance.objects.filter(enrolment=enrolment).exists():
        raise ValidationError(_("%(name)s的出勤已登记。"), params={"name": worker.person.name}, code="recorded")  # fmt: skip
    hours = course.hours if hours in (None, "") else number(hours, _("计入学时"), 0, course.hours)
    attendance = Attendance.objects.create(
        district_id=worker.district_id, community_id=worker.community_id, enrolment=enrolment,
        worker=worker, year=course.held_on.year, hours=hours, passed=bool(passed), created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="training.attendance_record", obj=attendance,
                 changes={"course": course.title, "worker": worker.pk, "hours": hours,
                          "passed": attendance.passed})  # fmt: skip
    return attendance


@one_write
def certificate_issue(*, actor, attendance: Attendance) -> Certificate:
    """A numbered certificate for an attendance that passed (one each), with a verification
    code anyone can check."""
    worker = attendance.worker
    require_perm(actor, "training.keep_worker", worker, _("您无权为该社区工作者出具培训证书。"))
    if not attendance.passed or not attendance.hours:
        raise ValidationError(_("考核未合格或未计学时的培训不能出具证书。"), code="not_passed")
    if Certificate.objects.filter(attendance=attendance).exists():
        raise ValidationError(_("该次培训已出具证书。"), code="issued")
    certificate = Certificate.objects.create(
        district_id=attendance.district_id, community_id=attendance.community_id,
        attendance=attendance, worker=worker, number=_next_number(attendance),
        verification_code=secrets.token_hex(5).upper(), issued_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="training.certificate_issue", obj=certificate,
                 changes={"number": certificate.number, "worker": worker.pk})  # fmt: skip
    return certificate


def _next_number(attendance: Attendance) -> str:
    district = Place.objects.select_for_update().get(pk=attendance.district_id)  # serialise
    stem = f"{district.code}-PX{attendance.year}-"
    count = Certificate.objects.filter(number__startswith=stem).count()
    return f"{stem}{count + 1:05d}"
