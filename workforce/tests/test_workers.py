"""Worker records (issue #16 item 2): hired staff and elected 两委 members on file, contracts
with probation, leave and exit (overlaps refused), terms, qualifications; the staffing page
counts workers in post. Bad input is refused in words and writes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.models import AuditEvent, Person, Role
from core.testing import ID_NUMBERS
from core.tests.refused import refused
from workforce import selectors, services, workers
from workforce.models import Contract, Leave, Posting, Qualification, Term, Worker

D = datetime.date
TABLES = [Worker, Person, Posting, Contract, Term, Leave, Qualification, AuditEvent]


def counts():
    return [m.objects.count() for m in TABLES]


def test_a_hired_worker_with_probation_and_an_elected_member(d, enrol):
    hired = enrol(id_number=ID_NUMBERS[1], probation_months=3, starts_on=D(2026, 11, 1))
    contract = hired.contracts.get()
    assert contract.probation_ends_on == D(2027, 1, 31) and hired.person.id_number_masked
    elected = enrol(name="李强", kind="elected", post="chief", title="居委会主任",
                    body="committee", term_ends_on=D(2026, 12, 31), contract_ends_on=None)  # fmt: skip
    assert elected.terms.get().office == "居委会主任" and not elected.contracts.exists()
    rows = {r.worker: r for r in workers.rows_for([hired, elected], D(2026, 12, 1))}
    assert rows[hired].in_post and rows[hired].on_probation and rows[elected].in_post
    after_term = {r.worker: r for r in workers.rows_for([hired, elected], D(2027, 2, 1))}
    assert after_term[hired].in_post and not after_term[hired].on_probation
    assert not after_term[elected].in_post
    actions = set(AuditEvent.objects.filter(action__startswith="workforce.").values_list("action", flat=True))  # fmt: skip
    assert {"workforce.worker_enrol", "workforce.contract_add", "workforce.term_add"} <= actions


def test_an_id_number_on_file_links_that_person(d, enrol):
    person = Person.objects.get(name="community_worker-own")
    from core.personal_data import set_id_number

    set_id_number(person, ID_NUMBERS[0])
    person.save()
    worker = enrol(name="别的名字", id_number=ID_NUMBERS[0])
    assert worker.person == person
    with refused("already_worker"):
        enrol(id_number=ID_NUMBERS[0])


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"name": " "}, "required"),
        ({"kind": "volunteer"}, "choice"),
        ({"education": "kindergarten"}, "choice"),
        ({"service_start": D(2099, 1, 1)}, "future_date"),
        ({"service_start": "2016-03-01"}, "date"),
        ({"post": "boss"}, "choice"),
        ({"title": ""}, "required"),
        ({"starts_on": D(2015, 1, 1)}, "date_order"),
        ({"probation_months": 7}, "probation"),
        ({"probation_months": "三"}, "probation"),
        ({"contract_ends_on": D(2019, 12, 31)}, "date_order"),
        ({"contract_ends_on": D(2020, 2, 1), "probation_months": 6}, "probation"),
        ({"kind": "elected"}, "choice"),
        ({"kind": "elected", "body": "party"}, "date"),
        ({"id_number": "320104195001011230"}, "invalid"),
    ],
)  # fmt: skip
def test_bad_enrolments_are_refused_and_write_nothing(d, enrol, fields, code):
    before = counts()
    with pytest.raises(Exception) as refusal:
        enrol(**fields)
    assert getattr(refusal.value, "code", None) == code or code == "invalid"
    assert counts() == before


def test_outsiders_may_not_enrol(d, enrol):
    before = counts()
    # A community worker who is not on file as their community's 正职 or 副职 keeps no records.
    for who in ("community_worker:own", "community_worker:other", "street_officer:other",
                "grid_worker:own", "auditor:own"):  # fmt: skip
        with pytest.raises(PermissionDenied):
            enrol(actor=d.users[who])
    assert counts() == before


@pytest.mark.parametrize(
    ("start", "end"),
    [(D(2030, 12, 31), None), (D(2019, 1, 1), D(2020, 1, 1)), (D(2025, 1, 1), D(2026, 1, 1)),
     (D(2019, 1, 1), None)],
)  # fmt: skip
def test_overlapping_contracts_are_refused(d, enrol, head, start, end):
    worker = enrol()
    before = counts()
    with refused("overlapping_contract"):
        services.contract_add(actor=d.users["community_worker:own"], worker=worker,
                              starts_on=start, ends_on=end)  # fmt: skip
    assert counts() == before


def test_exit_ends_the_post_and_a_later_contract_is_fine(d, enrol, head):
    actor = d.users["community_worker:own"]
    worker = enrol()
    contract = worker.contracts.get()
    with refused("date_order"):
        services.contract_exit(actor=actor, contract=contract, exited_on=D(2031, 1, 1), reason="resigned")  # fmt: skip
    with refused("choice"):
        services.contract_exit(actor=actor, contract=contract, exited_on=D(2025, 6, 30), reason="bored")  # fmt: skip
    services.contract_exit(actor=actor, contract=contract, exited_on=D(2025, 6, 30), reason="resigned")  # fmt: skip
    assert worker.postings.get().ends_on == D(2025, 6, 30)
    with refused("already_exited"):
        services.contract_exit(actor=actor, contract=contract, exited_on=D(2025, 7, 1), reason="resigned")  # fmt: skip
    with refused("overlapping_contract"):
        services.contract_add(actor=actor, worker=worker, starts_on=D(2025, 6, 30))
    services.contract_add(actor=actor, worker=worker, starts_on=D(2025, 7, 1))
    assert workers.rows_for([worker], D(2025, 7, 1))[0].in_post


def test_terms_leave_and_qualifications(d, enrol):
    actor = d.users["street_officer:own"]
    worker = enrol(kind="elected", body="party", term_ends_on=D(2025, 12, 31))
    with refused("overlapping_term"):
        services.term_add(actor=actor, worker=worker, body="party", office="委员",
                          starts_on=D(2025, 12, 31), ends_on=D(2030, 12, 31))  # fmt: skip
    services.term_add(actor=actor, worker=worker, body="committee", office="委员",
                      starts_on=D(2021, 1, 1), ends_on=D(2025, 12, 31))  # fmt: skip
    term = worker.terms.get(body="party")
    with refused("date_order"):
        services.term_end(actor=actor, term=term, ended_on=D(2026, 1, 1))
    services.term_end(actor=actor, term=term, ended_on=D(2024, 5, 1))
    services.leave_add(actor=actor, worker=worker, kind="sick", starts_on=D(2024, 1, 1), ends_on=D(2024, 1, 31))  # fmt: skip
    with refused("overlapping_leave"):
        services.leave_add(actor=actor, worker=worker, kind="personal", starts_on=D(2024, 1, 31), ends_on=D(2024, 2, 2))  # fmt: skip
    with refused("date_order"):
        services.leave_add(actor=actor, worker=worker, kind="sick", starts_on=D(2024, 3, 2), ends_on=D(2024, 3, 1))  # fmt: skip
    services.qualification_add(actor=actor, worker=worker, level="social_worker", certificate_number="ab-2019-0001", obtained_on=D(2019, 6, 1))  # fmt: skip
    assert worker.qualifications.get().certificate_number == "AB-2019-0001"
    for number, code in (("AB-2019-0001", "certificate_taken"), ("证书123", "certificate_number"), ("12", "certificate_number")):  # fmt: skip
        with refused(code):
            services.qualification_add(actor=actor, worker=worker, level="senior", certificate_number=number, obtained_on=D(2020, 1, 1))  # fmt: skip
    with refused("choice"):
        services.qualification_add(actor=actor, worker=worker, level="master", certificate_number="X-1234", obtained_on=D(2020, 1, 1))  # fmt: skip
    assert Qualification.objects.count() == 1 and Leave.objects.count() == 1


def test_staffing_counts_workers_in_post(d, enrol):
    services.staffing_rules_seed(actor=d.root, district=d.district)
    coordinator = d.users["coordinator:own"]
    enrol()
    left = enrol(name="张伟")
    services.contract_exit(actor=d.root, contract=left.contracts.get(), exited_on=D(2025, 1, 1), reason="resigned")  # fmt: skip
    enrol(community=d.communities[1], name="刘洋", actor=d.users["street_officer:own"])
    _rule, rows = selectors.staffing(coordinator, d.district, D(2026, 12, 1))
    by = {r.community: r for r in rows}
    assert (by[d.communities[0]].actual, by[d.communities[0]].shortfall) == (1, 8)
    assert by[d.communities[1]].actual == 1 and by[d.communities[2]].actual == 0
    assert all(r.burden_hours == 0 and not r.first_to_see for r in rows)


def test_pages_by_role(d, enrol, head, client):
    worker = enrol()
    other = enrol(community=d.communities[3], actor=d.root, name="赵磊")
    url = reverse("workforce:workers")
    client.force_login(d.users["community_worker:own"])  # the first community's head
    page = client.get(url).content.decode()
    assert worker.person.name in page and other.person.name not in page and "登记社区工作者" in page
    assert client.get(reverse("workforce:worker", args=[other.pk])).status_code == 403
    detail = client.get(reverse("workforce:worker", args=[worker.pk])).content.decode()
    assert "新增合同" in detail and "暂停晋级" not in detail
    client.force_login(d.users["auditor:own"])
    page = client.get(url).content.decode()
    assert worker.person.name in page and "登记社区工作者" not in page
    detail = client.get(reverse("workforce:worker", args=[worker.pk])).content.decode()
    assert "新增合同" not in detail
    client.force_login(d.users["coordinator:own"])
    assert other.person.name in client.get(url).content.decode()
    client.force_login(d.users[f"{Role.RESIDENT}:own"])
    assert client.get(url).status_code == 403
    assert 'id="no-record"' in client.get(reverse("workforce:me")).content.decode()


def test_enrol_and_keep_a_file_through_the_pages(d, head, client):
    client.force_login(d.users["community_worker:own"])
    url = reverse("workforce:workers")
    form = {"community": d.communities[0].pk, "name": "陈静", "kind": "hired",
            "education": "master", "service_start": "2018-09-01", "post": "other",
            "title": "社区专职工作者", "starts_on": "2018-09-01", "contract_ends_on": "2028-08-31",
            "probation_months": "9"}  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 200 and Worker.objects.count() == 1
    response = client.post(url, {**form, "probation_months": "2"}, follow=True)
    worker = Worker.objects.exclude(pk=head.pk).get()
    assert "已登记社区工作者" in response.content.decode()
    file_url = reverse("workforce:worker", args=[worker.pk])
    response = client.post(file_url, {"action": "contract", "starts_on": "2020-01-01"})
    assert "重叠" in response.content.decode() and worker.contracts.count() == 1
    response = client.post(file_url, {"action": "qualification", "level": "assistant",
                                      "certificate_number": "2019-330", "obtained_on": "2019-06-01"}, follow=True)  # fmt: skip
    assert "已登记职业资格证书" in response.content.decode()
    response = client.post(file_url, {"action": "pause", "year": "2020", "reason": "x"})
    assert worker.pauses.count() == 0  # not offered to the community: ignored


def test_short_of_staff_and_over_the_burden_comes_first(d, enrol):
    """The burden index is read through workload's selector (its monthly summary rows are
    written here directly, standing in for the tasks that would make them)."""
    from workload.models import BurdenMonth

    services.staffing_rules_seed(actor=d.root, district=d.district)
    day = D(2026, 12, 1)
    for community, minutes in zip(d.communities, (600, 60, 1200, 0), strict=True):
        BurdenMonth.objects.create(district=d.district, community=community, month=day,
                                   logged_minutes=minutes)  # fmt: skip
    for _ in range(9):  # the third community fully staffed: heavy, but not short
        enrol(community=d.communities[2], actor=d.root, name="满员", id_number="")
    _rule, rows = selectors.staffing(d.users["coordinator:own"], d.district, day)
    assert [(r.community, r.burden_hours, r.first_to_see) for r in rows] == [
        (d.communities[0], 10.0, True),  # average 7.5 h: short and at 10 h
        (d.communities[1], 1.0, False),
        (d.communities[3], 0.0, False),
        (d.communities[2], 20.0, False),
    ]
