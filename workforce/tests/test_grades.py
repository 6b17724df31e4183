"""Posts and grades (issue #16 item 3): the grade by the scheme in force, rule by rule; schemes
as rows (三岗十八级, 四岗二十四级); yearly progression paused by a poor year, from the district's
records or another app's hook; a grade set by decision only inside its post's range."""

import datetime
from types import SimpleNamespace

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.models import AuditEvent
from core.tests.refused import refused
from workforce import defaults, grades, hooks, services, workers
from workforce.models import GradeScheme, Posting, ProgressionPause

D = datetime.date
SCHEME = SimpleNamespace(**{k: v for k, v in defaults.GRADE_SCHEME.items()})


def grade(**fields):
    values = {"post": "chief", "education": "bachelor", "service_start": D(2016, 3, 1),
              "certificate": None, "paused": {}, "day": D(2026, 3, 1)}  # fmt: skip
    return grades.compute(SCHEME, **{**values, **fields})


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({}, 7 + (10 + 3) // 3),  # 11: chief floor 7, 10 years + bachelor 3 → +4
        ({"day": D(2026, 2, 28)}, 7 + (9 + 3) // 3),  # a day before the tenth year: 11 too
        ({"day": D(2025, 2, 28)}, 7 + (8 + 3) // 3),  # 10
        ({"certificate": "social_worker"}, 13),
        ({"certificate": "senior", "education": "doctorate"}, 7 + (10 + 7) // 3 + 3),  # 15
        ({"post": "other", "education": "high_school"}, 1 + 10 // 3),  # 4
        ({"post": "deputy", "service_start": D(1990, 1, 1), "certificate": "senior"}, 15),  # capped
        ({"paused": {2020: "不称职", 2022: "处分"}}, 7 + (8 + 3) // 3),
        ({"paused": {2010: "入职前", 2030: "未来"}}, 11),  # years outside service not counted
        ({"service_start": D(2026, 5, 1)}, 7 + 3 // 3),  # not started yet: no years
    ],
)  # fmt: skip
def test_the_grade_rule_by_rule(fields, expected):
    answer = grade(**fields)
    assert answer.grade == expected
    assert [s.rule for s in answer.steps][:5] == ["岗位起点", "工作年限", "学历折算", "按年限晋级", "职业资格"]  # fmt: skip


def test_the_next_grade_lands_on_its_anniversary():
    answer = grade()  # 10 years + 3 → 13 // 3 = 4; the fifth grade at 12 years of service
    assert answer.next_grade_on == D(2028, 3, 1)
    assert grade(day=D(2028, 2, 29)).grade == 11 and grade(day=D(2028, 3, 1)).grade == 12
    assert grade(paused={2025: "不称职"}).next_grade_on == D(2029, 3, 1)  # a paused year later
    top = grade(post="deputy", service_start=D(1990, 1, 1), certificate="senior")
    assert top.next_grade_on is None and "超出本岗位" in top.steps[-1].detail


def test_a_post_outside_the_scheme_has_no_grade():
    answer = grade(post="member")
    assert answer.grade is None and "没有“委员”岗位" in answer.steps[0].detail


@pytest.fixture
def scheme(d):
    services.grade_schemes_seed(actor=d.users["coordinator:own"], district=d.district)
    return GradeScheme.objects.get()


def test_a_four_post_variant_takes_over_from_its_date(d, enrol, scheme):
    worker = enrol(post="deputy", title="居委会副主任", service_start=D(2014, 1, 1))
    row = workers.rows_for([worker], D(2026, 12, 1))[0]
    assert row.grade == 4 + (12 + 3) // 3  # 9 under 三岗十八级
    services.grade_scheme_create(
        actor=d.users["admin:own"], district=d.district, name="四岗二十四级",
        ranges={"chief": [10, 24], "deputy": [7, 21], "member": [4, 18], "other": [1, 15]},
        years_per_grade=2, degree_years={"bachelor": 2}, certificate_grades={"senior": 3},
        source="区委组织部2027年文件", effective_from=D(2027, 1, 1),
    )  # fmt: skip
    assert workers.rows_for([worker], D(2026, 12, 31))[0].grade == 9
    assert workers.rows_for([worker], D(2027, 1, 1))[0].grade == 7 + (13 + 2) // 2  # 14


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"ranges": {}}, "ranges"),
        ({"ranges": {"boss": [1, 5]}}, "ranges"),
        ({"ranges": {"chief": [18, 7]}}, "ranges"),
        ({"ranges": {"chief": [0, 7]}}, "out_of_range"),
        ({"ranges": {"chief": ["七", 18]}}, "out_of_range"),
        ({"ranges": {"chief": [None, None]}}, "out_of_range"),
        ({"years_per_grade": 0}, "out_of_range"),
        ({"degree_years": {"kindergarten": 1}}, "choice"),
        ({"certificate_grades": {"senior": 9}}, "out_of_range"),
        ({"source": ""}, "required"),
        ({"effective_from": None}, "date"),
        ({"effective_from": D(2021, 1, 1)}, "same_start"),
    ],
)  # fmt: skip
def test_bad_schemes_are_refused_and_write_nothing(d, scheme, fields, code):
    values = {"name": "新规则", "ranges": {"chief": [7, 18]}, "years_per_grade": 3,
              "source": "依据", "effective_from": D(2027, 1, 1)}  # fmt: skip
    before = AuditEvent.objects.count()
    with refused(code):
        services.grade_scheme_create(actor=d.users["coordinator:own"], district=d.district, **{**values, **fields})  # fmt: skip
    assert GradeScheme.objects.count() == 1 and AuditEvent.objects.count() == before
    with pytest.raises(PermissionDenied):
        services.grade_scheme_create(actor=d.users["street_officer:own"], district=d.district, **values)  # fmt: skip


def test_a_grade_set_by_decision_stays_in_the_posts_range(d, enrol, scheme):
    worker = enrol()
    values = {"worker": worker, "post": "deputy", "title": "居委会副主任", "starts_on": D(2024, 1, 1)}  # fmt: skip
    before = Posting.objects.count()
    for grade_fixed, code in ((16, "grade_out_of_range"), (3, "grade_out_of_range"), ("十", "grade_out_of_range")):  # fmt: skip
        with refused(code):
            services.posting_start(actor=d.users["coordinator:own"], grade_fixed=grade_fixed, grade_reason="套改", **values)  # fmt: skip
    with refused("post_not_in_scheme"):
        services.posting_start(actor=d.users["coordinator:own"], **{**values, "post": "member"}, grade_fixed=5, grade_reason="套改")  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.posting_start(actor=d.users["community_worker:own"], grade_fixed=8, grade_reason="套改", **values)  # fmt: skip
    with refused("required"):
        services.posting_start(actor=d.users["coordinator:own"], grade_fixed=8, **values)
    with refused("date_order"):
        services.posting_start(actor=d.users["street_officer:own"], **{**values, "starts_on": D(2019, 1, 1)})  # fmt: skip
    assert Posting.objects.count() == before
    services.posting_start(actor=d.users["coordinator:own"], grade_fixed=8, grade_reason="2024年套改", **values)  # fmt: skip
    row = workers.rows_for([worker], D(2026, 12, 1))[0]
    assert row.grade == 8 and row.answer.steps[-1].rule == "核定等级"
    assert [p.ends_on for p in worker.postings.order_by("starts_on")] == [D(2024, 1, 1), None]


def test_progression_paused_by_the_district_and_by_another_apps_hook(d, enrol, scheme):
    worker = enrol(post="other", education="college", service_start=D(2014, 1, 1))
    day = D(2026, 12, 1)
    assert workers.rows_for([worker], day)[0].grade == 1 + 12 // 3  # 5
    with pytest.raises(PermissionDenied):
        services.progression_pause_record(actor=d.users["street_officer:own"], worker=worker, year=2024, reason="不称职")  # fmt: skip
    for year, code in ((2013, "out_of_range"), (2099, "out_of_range")):
        with refused(code):
            services.progression_pause_record(actor=d.users["coordinator:own"], worker=worker, year=year, reason="不称职")  # fmt: skip
    services.progression_pause_record(actor=d.users["coordinator:own"], worker=worker, year=2024, reason="2024年度考核不称职")  # fmt: skip
    with refused("already_paused"):
        services.progression_pause_record(actor=d.users["coordinator:own"], worker=worker, year=2024, reason="again")  # fmt: skip
    assert workers.rows_for([worker], day)[0].grade == 1 + 11 // 3  # 4

    def sanctions(people, up_to_year):  # as oversight would: by the core person
        assert people == {worker.pk: worker.person_id} and up_to_year == 2026
        return {w: {2025: "受到警告处分", 2027: "未来"} for w, p in people.items() if p == worker.person_id}  # fmt: skip

    hooks.register_pause_source("test-oversight", sanctions)
    try:
        answer = workers.rows_for([worker], day)[0].answer
        assert answer.grade == 1 + 10 // 3 and "受到警告处分" in answer.steps[1].detail
    finally:
        hooks.unregister_pause_source("test-oversight")
    assert ProgressionPause.objects.count() == 1


def test_a_worker_sees_their_own_grade_explained(d, enrol, scheme, client):
    account = d.users["community_worker:own"]
    worker = enrol(person=account.person)
    services.qualification_add(actor=d.users["street_officer:own"], worker=worker, level="assistant", certificate_number="ZS-0001", obtained_on=D(2020, 1, 1))  # fmt: skip
    client.force_login(account)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 2, tzinfo=datetime.UTC), tick=False):
        page = client.get(reverse("workforce:me")).content.decode()
        menu = client.get(reverse("workbench")).content.decode()
    # other post from 2016-03-01: 10 years + bachelor 3 → +4; assistant +1 → 6
    assert 'id="grade-value">6级<' in page and "助理社会工作师" in page and "2028-03-01" in page
    assert reverse("workforce:me") in menu
    client.force_login(d.users["community_worker:other"])
    assert "社区工作者档案" in client.get(reverse("workforce:me")).content.decode()
    assert client.get(reverse("workforce:worker", args=[worker.pk])).status_code == 403


def test_the_scheme_page(d, client):
    client.force_login(d.users["coordinator:own"])
    url = reverse("workforce:grades")
    assert "载入三岗十八级" in client.get(url).content.decode()
    client.post(url, {"action": "seed"})
    page = client.get(url).content.decode()
    assert "正职" in page and "7–18" in page and "社会工作师+2" in page
    form = {"name": "四岗二十四级", "ranges": "正职,10,24\n副职，7，21\n委员,4,18\n其他,1,15",
            "years_per_grade": "2", "degree_years": "大学本科,2", "certificate_grades": "高级社会工作师,3",
            "source": "区委组织部文件", "effective_from": "2027-01-01"}  # fmt: skip
    response = client.post(url, {**form, "ranges": "老板,1,3"})
    assert "岗位等级范围" in response.content.decode() and GradeScheme.objects.count() == 1
    response = client.post(url, form, follow=True)
    assert "已新增岗位等级规则" in response.content.decode()
    assert GradeScheme.objects.get(name="四岗二十四级").ranges["member"] == [4, 18]
    client.force_login(d.users["street_officer:own"])
    page = client.get(url).content.decode()
    assert "四岗二十四级" in page and "新增岗位等级规则" not in page
    assert client.post(url, form).status_code == 200 and GradeScheme.objects.count() == 2
