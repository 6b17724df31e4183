"""Training services and reads (issue #16 item 7): hours against the requirement by the rule in
force, attendance only against an enrolment, numbered certificates; every bad input refused in
words with nothing written."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent
from training import selectors, services
from training.models import Attendance, Certificate, Enrolment, SurveyAnswer, TrainingRule
from training.tests.conftest import held_day, make_worker


def counts():
    return [m.objects.count() for m in (AuditEvent, Enrolment, Attendance, Certificate, SurveyAnswer, TrainingRule)]  # fmt: skip


def refused(call, words: str):
    before = counts()
    with pytest.raises(ValidationError) as caught:
        call()
    assert words in " ".join(caught.value.messages), caught.value.messages
    assert counts() == before


def test_hours_count_attendance_of_the_year_in_one_query(d, django_assert_num_queries):
    services.enrol(actor=d.root, course=d.course, worker=d.worker)
    services.attendance_record(actor=d.root, course=d.course, worker=d.worker, hours=6)
    year = d.course.held_on.year
    with django_assert_num_queries(1):
        hours = selectors.hours_by_worker([d.worker, d.far_worker.pk], year)
    assert hours == {d.worker.pk: 6, d.far_worker.pk: 0}
    assert selectors.hours_by_worker([d.worker], year - 1) == {d.worker.pk: 0}


def test_requirement_is_the_rule_in_force_on_the_years_last_day(d):
    req = selectors.requirement_for(2026, d.district)
    assert (req.hours, req.induction_hours, req.induction_months) == (72, 24, 12)
    assert "继续教育" in req.source
    services.rule_create(actor=d.root, district=d.district, name="本区新规", annual_hours=40,
                         induction_months=6, induction_hours=16, source="区委组织部2027年文件",
                         effective_from=datetime.date(2027, 3, 1))  # fmt: skip
    assert selectors.requirement_for(2026, d.district).hours == 72
    later = selectors.requirement_for(2027, d.district)
    assert (later.hours, later.source) == (40, "区委组织部2027年文件")
    assert selectors.requirement_for(2020, d.district).rule is None  # before any rule
    assert selectors.requirement_for(2020, d.district).hours == 0


def test_a_new_hire_owes_the_induction_on_top(d):
    req = selectors.requirement_for(2026, d.district)
    new = make_worker(d, d.communities[1], "新人", service_start=datetime.date(2026, 5, 1))
    assert req.is_new(new) and req.hours_for(new) == 96
    assert not req.is_new(d.worker) and req.hours_for(d.worker) == 72
    just_over = make_worker(d, d.communities[1], "老人", service_start=datetime.date(2025, 12, 1))
    assert not req.is_new(just_over)  # 12 months by the year's end


def test_hours_rows_put_the_furthest_behind_first(d):
    services.enrol(actor=d.root, course=d.course, worker=d.worker)
    services.attendance_record(actor=d.root, course=d.course, worker=d.worker)
    _req, rows = selectors.hours_rows([d.worker, d.far_worker], d.course.held_on.year, d.district)
    assert [r.worker.pk for r in rows] == [d.far_worker.pk, d.worker.pk]
    assert (rows[1].hours, rows[1].short, rows[0].short) == (8, 64, 72)


def test_attendance_of_a_worker_not_enrolled_is_refused(d):
    refused(lambda: services.attendance_record(actor=d.root, course=d.course, worker=d.worker),
            "未报名该课程，不能登记出勤")  # fmt: skip


def test_attendance_bad_input(d):
    services.enrol(actor=d.root, course=d.course, worker=d.worker)
    refused(lambda: services.attendance_record(actor=d.root, course=d.course, worker=d.worker, hours=9),
            "计入学时应为0到8之间的整数")  # fmt: skip
    refused(lambda: services.attendance_record(actor=d.root, course=d.course, worker=d.worker, hours="八"),
            "计入学时")  # fmt: skip
    services.attendance_record(actor=d.root, course=d.course, worker=d.worker)
    refused(lambda: services.attendance_record(actor=d.root, course=d.course, worker=d.worker),
            "出勤已登记")  # fmt: skip


def test_attendance_before_the_course_is_held_is_refused(d):
    from core import clock

    later = clock.today() + datetime.timedelta(days=30)
    plan = services.plan_create(actor=d.root, place=d.district, kind="periodic", year=later.year, title="下期")  # fmt: skip
    course = services.course_create(actor=d.root, plan=plan, title="办公软件", area=d.areas[0], format="contest",
                                    held_on=later, hours=4, venue="区中心", capacity=5)  # fmt: skip
    services.enrol(actor=d.root, course=course, worker=d.worker)
    refused(lambda: services.attendance_record(actor=d.root, course=course, worker=d.worker), "课程尚未举办")  # fmt: skip


def test_enrolment_bad_input(d):
    services.enrol(actor=d.root, course=d.course, worker=d.worker)
    refused(lambda: services.enrol(actor=d.root, course=d.course, worker=d.worker), "已报名该课程")
    services.enrol(actor=d.root, course=d.course, worker=d.far_worker)
    third = make_worker(d, d.communities[1], "王五")
    refused(lambda: services.enrol(actor=d.root, course=d.course, worker=third), "2个名额已满")
    street_plan = services.plan_create(actor=d.root, place=d.streets[0], kind="periodic",
                                       year=d.plan.year, title="街道轮训")  # fmt: skip
    course = services.course_create(actor=d.root, plan=street_plan, title="心理", area=d.areas[1],
                                    format="sharing", held_on=d.course.held_on, hours=2, venue="街道", capacity=9)  # fmt: skip
    refused(
        lambda: services.enrol(actor=d.root, course=course, worker=d.far_worker), "该课程不面向"
    )


def test_course_and_plan_bad_input(d):
    from training.models import Course, Plan

    before = (Course.objects.count(), Plan.objects.count())
    base = {"actor": d.root, "plan": d.plan, "title": "法律", "area": d.areas[2], "format": "classroom",
            "held_on": d.course.held_on, "hours": 4, "venue": "区中心", "capacity": 10}  # fmt: skip
    for change, words in [
        ({"format": "lecture"}, "请选择形式"),
        ({"hours": 0}, "学时应为1到200之间的整数"),
        ({"capacity": -1}, "名额应为1到1000之间的整数"),
        ({"held_on": datetime.date(d.plan.year + 1, 1, 5)}, "课程须在计划年度"),
        ({"held_on": None}, "请填写举办日期"),
        ({"title": "  "}, "课程名称不能为空"),
    ]:
        with pytest.raises(ValidationError) as caught:
            services.course_create(**{**base, **change})
        assert words in " ".join(caught.value.messages)
    for place, kind, words in [
        (d.communities[0], "periodic", "请选择区或街道"),
        (d.district, "monthly", "请选择类别"),
    ]:
        with pytest.raises(ValidationError) as caught:
            services.plan_create(actor=d.root, place=place, kind=kind, year=2026, title="计划")
        assert words in " ".join(caught.value.messages)
    assert (Course.objects.count(), Plan.objects.count()) == before


def test_rule_bad_input(d):
    base = {"actor": d.root, "district": d.district, "name": "规则", "annual_hours": 40,
            "induction_months": 12, "induction_hours": 20, "source": "文件",
            "effective_from": datetime.date(2028, 1, 1)}  # fmt: skip
    refused(
        lambda: services.rule_create(**{**base, "annual_hours": 0}), "每年培训学时要求应为1到500"
    )
    refused(lambda: services.rule_create(**{**base, "source": ""}), "政策依据不能为空")
    refused(lambda: services.rule_create(**{**base, "district": d.streets[0]}), "培训规则按区设定")
    refused(lambda: services.rule_create(**{**base, "effective_from": datetime.date(2021, 1, 1)}),
            "2021-01-01已有培训学时规则生效")  # fmt: skip


def test_certificates_are_numbered_and_only_for_a_pass(d):
    services.enrol(actor=d.root, course=d.course, worker=d.worker)
    services.enrol(actor=d.root, course=d.course, worker=d.far_worker)
    first = services.attendance_record(actor=d.root, course=d.course, worker=d.worker)
    failed = services.attendance_record(
        actor=d.root, course=d.course, worker=d.far_worker, passed=False
    )
    one = services.certificate_issue(actor=d.root, attendance=first)
    year = d.course.held_on.year
    assert one.number == f"320104-PX{year}-00001" and len(one.verification_code) == 10
    refused(lambda: services.certificate_issue(actor=d.root, attendance=first), "已出具证书")
    refused(lambda: services.certificate_issue(actor=d.root, attendance=failed), "考核未合格")


def test_survey_answers(d):
    from core import clock

    survey = services.survey_create(actor=d.root, district=d.district, year=2027, title="需求调查",
                                    closes_on=clock.today() + datetime.timedelta(days=7))  # fmt: skip
    me = d.users["community_worker:own"]
    refused(
        lambda: services.survey_answer(actor=me, survey=survey, worker=d.worker, areas=[]),
        "至少选择一个",
    )
    with pytest.raises(PermissionDenied):  # another worker's answer
        services.survey_answer(actor=me, survey=survey, worker=d.far_worker, areas=d.areas[:1])
    services.survey_answer(
        actor=me, survey=survey, worker=d.worker, areas=d.areas[:2], note="短视频"
    )
    refused(
        lambda: services.survey_answer(actor=me, survey=survey, worker=d.worker, areas=d.areas[:1]),
        "已填写过",
    )
    tally = selectors.needs_tally(survey)
    assert [(a.name, n) for a, n in tally][:2] == [(d.areas[0].name, 1), (d.areas[1].name, 1)]
    assert tally[-1][1] == 0
    with pytest.raises(ValidationError):
        services.survey_create(actor=d.root, district=d.district, year=2027, title="过期",
                               closes_on=clock.today() - datetime.timedelta(days=1))  # fmt: skip


def test_street_officer_keeps_their_street_only(d):
    officer = d.users["street_officer:own"]
    plan = services.plan_create(actor=officer, place=d.streets[0], kind="periodic", year=d.plan.year, title="街道")  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.plan_create(actor=officer, place=d.district, kind="periodic", year=d.plan.year, title="区")  # fmt: skip
    services.enrol(actor=officer, course=d.course, worker=d.worker)
    with pytest.raises(PermissionDenied):
        services.enrol(actor=officer, course=d.course, worker=d.far_worker)
    assert plan.place == d.streets[0]
    assert held_day() <= d.course.held_on or True
