"""The training pages by role: who gets each page and what it shows; the worker's own page,
the certificate PDF and the public verification; forms refusing bad input in words."""

import pytest
from django.urls import reverse

from core.models import Role
from training import services
from training.models import Attendance, Enrolment

STAFF = {Role.ADMIN, Role.COORDINATOR, Role.OVERSIGHT_OFFICER, Role.STREET_OFFICER, Role.AUDITOR}


@pytest.fixture
def done(d):
    """The worker enrolled, attended and certified."""
    services.enrol(actor=d.root, course=d.course, worker=d.worker)
    attendance = services.attendance_record(actor=d.root, course=d.course, worker=d.worker)
    d.certificate = services.certificate_issue(actor=d.root, attendance=attendance)
    return d


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_the_pages_it_may(client, done, role, django_assert_max_num_queries):
    d = done
    client.force_login(d.users[f"{role}:own"])
    expected = 200 if role in STAFF else 403
    with django_assert_max_num_queries(30):  # constant in workers: hours in one query
        index = client.get(reverse("training:index"))
    assert index.status_code == expected
    assert client.get(reverse("training:rules")).status_code == expected
    course = client.get(reverse("training:course", args=[d.course.pk]))
    assert course.status_code == expected
    if expected == 200:
        text = index.content.decode()
        assert d.worker.person.name in text  # the own street's worker, on every staff page
        assert ("周强" in text) is (role not in {Role.STREET_OFFICER, Role.AUDITOR})
        assert "每名社区工作者每年须完成72学时" in text
    me = client.get(reverse("training:me"))
    assert me.status_code == (200 if role == Role.COMMUNITY_WORKER else 404)


def test_the_worker_sees_their_hours_and_downloads_the_certificate(client, done):
    d = done
    client.force_login(d.users["community_worker:own"])
    page = client.get(reverse("training:me")).content.decode()
    assert 'id="hours-done">8<' in page and 'id="hours-due">72<' in page and "还差64学时" in page
    pdf = client.get(reverse("training:certificate_pdf", args=[d.certificate.pk]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and d.certificate.number in pdf["Content-Disposition"]
    client.force_login(d.users["community_worker:other"])  # another worker: not theirs
    assert (
        client.get(reverse("training:certificate_pdf", args=[d.certificate.pk])).status_code == 404
    )
    assert "还没有关联社区工作者档案" in client.get(reverse("training:me")).content.decode()


def test_anyone_verifies_a_certificate_by_its_code(client, done):
    d = done
    url = reverse("training:verify")
    page = client.get(url, {"code": d.certificate.verification_code.lower()}).content.decode()
    assert (
        'data-verified="1"' in page
        and d.certificate.number in page
        and d.worker.person.name in page
    )
    assert 'data-verified="0"' in client.get(url, {"code": "NOPE"}).content.decode()
    assert client.get(url, {"code": "A\x00"}).status_code in (200, 400)


def test_attendance_of_a_worker_not_enrolled_is_refused_on_the_page(client, d):
    client.force_login(d.users["coordinator:own"])
    url = reverse("training:course", args=[d.course.pk])
    before = (Enrolment.objects.count(), Attendance.objects.count())
    page = client.post(url, {"action": "attend", "worker": d.worker.pk, "passed": "on"})
    assert (
        page.status_code == 200
        and f"{d.worker.person.name}未报名该课程，不能登记出勤。" in page.content.decode()
    )
    assert (Enrolment.objects.count(), Attendance.objects.count()) == before
    client.post(url, {"action": "enrol", "worker": d.worker.pk})
    response = client.post(
        url, {"action": "attend", "worker": d.worker.pk, "hours": "", "passed": "on"}
    )
    assert response.status_code == 302 and Attendance.objects.get().hours == 8


def test_a_street_officer_cannot_enrol_another_streets_worker_on_the_page(client, d):
    client.force_login(d.users["street_officer:own"])
    url = reverse("training:course", args=[d.course.pk])
    page = client.post(url, {"action": "enrol", "worker": d.far_worker.pk})
    assert page.status_code == 200 and not Enrolment.objects.exists()  # not among the choices


def test_rules_page_bad_input_and_seed(client, d):
    client.force_login(d.users["coordinator:own"])
    url = reverse("training:rules")
    page = client.post(url, {"action": "rule", "name": "新规", "annual_hours": "0", "induction_months": "12",
                             "induction_hours": "10", "source": "文件", "effective_from": "2030-01-01"})  # fmt: skip
    assert "每年培训学时要求应为1到500之间的整数。" in page.content.decode()
    ok = client.post(url, {"action": "area", "name": "应急处置", "source": "区委组织部"})
    assert ok.status_code == 302
    assert "应急处置" in client.get(url).content.decode()
    client.force_login(d.users["street_officer:own"])
    assert "新增培训学时规则" not in client.get(url).content.decode()


def test_forged_posts_are_not_found_never_a_server_error(client, done):
    d = done
    client.force_login(d.users["coordinator:own"])
    url = reverse("training:course", args=[d.course.pk])
    assert client.post(url, {"action": "certificate", "attendance": "x"}).status_code == 404
    assert client.post(url, {"action": "enrol", "worker": "x"}).status_code == 200
    client.force_login(d.users["community_worker:own"])
    assert client.post(reverse("training:me"), {"survey": "1;drop"}).status_code == 404
    assert client.get(reverse("training:course", args=[d.course.pk])).status_code == 403
