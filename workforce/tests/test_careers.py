"""Careers (issue #16 item 8) and the pages of items 5, 6 and 8: a worker's own page (grade,
next step, what it needs, training hours from the training app); the district's figures; the
pay-scale form; the assessment page masked until a purpose is given; surge work recorded and
approved on its pages; the JSON API's reads."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from core.models import AuditEvent
from training import services as training
from training.models import ContentArea
from workforce import careers, services, workers
from workforce.models import Assessment, PayScale, SurgeTask
from workforce.tests.conftest import new_on_file

D = datetime.date
DAY = datetime.datetime(2026, 11, 2, 2, tzinfo=datetime.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(DAY, tick=False):
        yield


@pytest.fixture
def me(d, enrol, frozen):
    """The community worker's own record: 其他 post since 2020, assessed 称职 in 2024 and 2025,
    34 training hours of 72 in 2026."""
    root, coordinator = d.root, d.users["coordinator:own"]
    for seed in (
        services.grade_schemes_seed,
        services.assessment_rules_seed,
        services.career_rules_seed,
        services.pay_scales_seed,
        services.surge_rates_seed,
    ):
        seed(actor=root, district=d.district)  # fmt: skip
    training.defaults_seed(actor=root, district=d.district)
    account = d.users["community_worker:own"]
    worker = enrol(person=account.person)
    for year in (2024, 2025):
        with time_machine.travel(
            datetime.datetime(year + 1, 1, 5, 2, tzinfo=datetime.UTC), tick=False
        ):
            services.assessment_record(actor=coordinator, community=d.communities[0], year=year,
                                       results={worker.pk: "competent"})  # fmt: skip
    plan = training.plan_create(
        actor=root, place=d.district, kind="periodic", year=2026, title="轮训"
    )
    course = training.course_create(
        actor=root, plan=plan, title="心理疏导", area=ContentArea.objects.filter(district=d.district).first(),
        format="classroom", held_on=D(2026, 10, 9), hours=34, venue="区党校", capacity=40,
    )  # fmt: skip
    training.enrol(actor=root, course=course, worker=worker)
    training.attendance_record(actor=root, course=course, worker=worker)
    return account, worker


def test_the_next_post_needs_years_assessments_and_training(d, me):
    _account, worker = me
    row = workers.rows_for([worker], D(2026, 11, 2))[0]
    career = careers.career_of(worker, row, D(2026, 11, 2))
    assert career.next_post == "副职" and not career.eligible
    met = {c.label: c.met for c in career.checks}
    assert met == {"现岗位年限": True, "年度考核": True, "培训学时": False}
    assert (career.training_done, career.training_due) == (34, 72)


def test_a_worker_on_a_phone_sees_grade_next_step_and_training(d, me, client):
    account, _worker = me
    client.force_login(account)
    page = client.get(reverse("workforce:me")).content.decode()
    assert 'id="grade-value"' in page and "晋升副职岗位" in page
    assert "2026年已完成34学时，应完成72学时。" in page
    assert "2025年度" in page and "称职" in page and "绩效工资8,000.00元" in page


def test_district_figures_certified_per_10k_and_turnover(d, enrol, frozen):
    coordinator = d.users["coordinator:own"]
    a = enrol(name="甲")
    enrol(name="乙", community=d.communities[2], actor=d.root)
    services.qualification_add(actor=d.root, worker=a, level="assistant", certificate_number="ZS-9",
                               obtained_on=D(2020, 1, 1))  # fmt: skip
    leaver = enrol(name="丙")
    services.contract_exit(actor=d.root, contract=leaver.contracts.get(), exited_on=D(2026, 6, 30),
                           reason="resigned")  # fmt: skip
    figures = careers.district_figures(coordinator, d.district, D(2026, 11, 2))
    assert (figures.in_post, figures.certified, figures.at_year_start, figures.left) == (2, 1, 3, 1)
    assert figures.certified_percent == 50.0 and figures.per_10k == 1.0  # 2 of 20,000 residents
    assert figures.turnover_percent == 33.3
    street = careers.district_figures(d.users["street_officer:own"], d.district, D(2026, 11, 2))
    assert street.in_post == 1 and street.residents == 10_000


def test_the_district_edits_the_pay_scale_by_a_form(d, me, client):
    client.force_login(d.users["coordinator:own"])
    url = reverse("workforce:pay")
    assert "1,6000\n2,6300" in client.get(url).content.decode()  # the scale in force to edit
    form = {"action": "scale", "name": "2027年工资标准", "amounts": "1,6500\n2,6800\n3，7100",
            "floor_chief": "100", "floor_deputy": "80", "floor_other": "80",
            "welfare": "住房公积金,12%\n交通补贴,300元", "source": "区人社局2027年1号",
            "effective_from": "2027-01-01"}  # fmt: skip
    client.post(url, form)
    scale = PayScale.objects.get(name="2027年工资标准")
    assert scale.amounts == {"1": 650_000, "2": 680_000, "3": 710_000}
    assert scale.floor_shares == {"chief": 1000, "deputy": 800, "other": 800}
    assert scale.welfare[0] == {"name": "住房公积金", "kind": "percent", "value": 1200}
    before = PayScale.objects.count()
    page = client.post(url, {**form, "amounts": "1,6500\n3,7100", "effective_from": "2028-01-01"})
    assert "等级须从1级起连续填写" in page.content.decode() and PayScale.objects.count() == before


def test_assessment_page_masks_results_until_a_purpose_and_records_whole(d, me, client):
    _account, worker = me
    street = d.users["street_officer:own"]
    client.force_login(street)
    url = reverse("workforce:assessments") + f"?year=2025&community={d.communities[0].pk}"
    page = client.get(url).content.decode()
    assert 'id="results"' in page and "••" in page and "称职</td>" not in page
    views = AuditEvent.objects.filter(action="workforce.assessment_view").count()
    page = client.post(url, {"action": "reveal", "purpose": "核对绩效工资"}).content.decode()
    assert "称职</td>" in page and "8,000.00" in page
    assert AuditEvent.objects.filter(action="workforce.assessment_view").count() == views + 1
    # 2026: an empty form is refused with the rule named, nothing written.
    url = reverse("workforce:assessments") + f"?year=2026&community={d.communities[0].pk}"
    page = client.post(url, {"action": "record"}).content.decode()
    assert "须为每一名在岗社区工作者评定结果" in page
    assert not Assessment.objects.filter(year=2026).exists()
    client.post(url, {"action": "record", f"result_{worker.pk}": "competent"})
    assert Assessment.objects.filter(year=2026).exists()


def test_surge_work_recorded_by_the_community_approved_by_the_street(d, me, client):
    account, worker = me
    client.force_login(account)  # not the head: their own hours are on their page only
    url = reverse("workforce:surge")
    assert client.get(url).status_code == 403
    client.force_login(new_on_file(d, d.communities[0]))
    form = {"action": "record", "kind": "cold", "reason": "寒潮入户走访", "instruction": "",
            "started_on": "2026-10-20", "ended_on": "2026-10-21", f"hours_{worker.pk}": "9.5"}  # fmt: skip
    page = client.post(url, form).content.decode()
    assert "须写明区级指令" in page and not SurgeTask.objects.exists()
    response = client.post(url, {**form, "instruction": "区应急局寒潮通知"})
    task = SurgeTask.objects.get()
    assert response.url == reverse("workforce:surge_task", args=[task.pk])
    assert 'data-step-form="approve"' not in client.get(response.url).content.decode()
    client.force_login(d.users["street_officer:own"])
    page = client.get(response.url).content.decode()
    assert 'data-step-form="approve"' in page and 'data-step-form="refuse"' in page
    client.post(response.url, {"action": "approve", "note": "属实"})
    task.refresh_from_db()
    assert task.state == "approved" and task.subsidy_fen == 28_500  # 9.5 h × 30 元
    client.force_login(d.users["coordinator:own"])
    listing = client.get(url).content.decode()
    assert "区应急局寒潮通知" in listing and "已审核" in listing
    client.force_login(d.users["street_officer:other"])
    assert client.get(response.url).status_code == 404
    client.force_login(account)  # the worker reads their own hours and subsidy on their page
    mine = client.get(reverse("workforce:me")).content.decode()
    assert 'id="my-surge"' in mine and "工作9.5小时" in mine and "补贴285.00元" in mine


def test_the_api_reads_roster_own_record_and_surge(d, me, client):
    account, worker = me
    client.force_login(d.users["street_officer:own"])
    roster = client.get("/api/workforce/workers").json()
    assert roster["count"] == 1 and roster["items"][0]["id"] == worker.pk
    assert "monthly_pay_fen" not in roster["items"][0]
    client.force_login(d.users["street_officer:other"])
    assert client.get("/api/workforce/workers").json()["count"] == 0
    assert client.get("/api/workforce/me").status_code == 404
    client.force_login(account)
    own = client.get("/api/workforce/me").json()
    assert own["grade"] == row_grade(worker) and own["next_post"] == "副职"
    assert own["training_hours"] == 34 and own["training_hours_due"] == 72
    assert [a["year"] for a in own["assessments"]] == [2025, 2024]
    assert client.get("/api/workforce/surge").json() == {"items": [], "count": 0}


def row_grade(worker):
    return workers.rows_for([worker], D(2026, 11, 2))[0].grade


def test_the_district_adds_a_career_rule_on_the_grades_page(d, frozen, client):
    from workforce.models import CareerRule

    url = reverse("workforce:grades")
    form = {"action": "career", "name": "2027年晋升条件", "min_years_in_post": "2",
            "assessments_needed": "3", "training_required": "on", "source": "区委组织部2027年2号",
            "effective_from": "2027-01-01"}  # fmt: skip
    client.force_login(d.users["street_officer:own"])
    client.post(url, form)
    assert not CareerRule.objects.exists()  # the street only reads the rules
    client.force_login(d.users["coordinator:own"])
    page = client.post(url, {**form, "source": " "}).content.decode()
    assert "has-error" in page and not CareerRule.objects.exists()
    client.post(url, form)
    rule = CareerRule.objects.get()
    assert (rule.min_years_in_post, rule.assessments_needed, rule.training_required) == (2, 3, True)
    assert "区委组织部2027年2号" in client.get(url).content.decode()
