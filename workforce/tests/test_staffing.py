"""Staffing standards (issue #16, item 1): the standard headcount by the rule in force, against
the community workers each community has; rules as rows with their source, refused when wrong."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core import clock
from core.models import AuditEvent, Role
from core.testing import build_small_district
from core.tests.refused import refused
from workforce import defaults, selectors, services
from workforce.models import StaffingRule
from workforce.standard import standard_headcount

PER = StaffingRule.Kind.PER_RESIDENTS
BANDS = StaffingRule.Kind.HOUSEHOLD_BANDS


def rule(**fields):
    values = {"kind": PER, "per_10k_residents": 18, "bands": [], "step_households": 0, "cap": 0}
    return SimpleNamespace(Kind=StaffingRule.Kind, **{**values, **fields})


@pytest.mark.parametrize(
    ("residents", "staff"), [(0, 0), (5000, 9), (5001, 10), (10_000, 18), (12_345, 23)]
)
def test_per_10k_residents_rounds_up(residents, staff):
    assert standard_headcount(rule(), residents=residents, households=0) == staff


TAIYUAN = {"kind": BANDS, **{k: defaults.TAIYUAN_BANDS[k] for k in ("bands", "step_households", "cap")}}  # fmt: skip


@pytest.mark.parametrize(
    ("households", "staff"),
    [(0, 3), (1999, 3), (2000, 4), (2999, 4), (4999, 6), (5000, 7), (5499, 7), (5500, 8),
     (100_000, 17)],
)  # fmt: skip
def test_household_bands_step_and_cap(households, staff):
    assert standard_headcount(rule(**TAIYUAN), residents=0, households=households) == staff


@pytest.fixture
def d(db):
    return build_small_district()


def test_seed_then_a_local_rule_takes_over_from_its_date(d):
    coordinator = d.users["coordinator:own"]
    assert services.staffing_rules_seed(actor=coordinator, district=d.district) == 1
    assert services.staffing_rules_seed(actor=coordinator, district=d.district) == 0
    seeded = selectors.rule_in_force(d.district, datetime.date(2026, 12, 1))
    assert seeded.per_10k_residents == 18 and "国办发〔2021〕56号" in seeded.source
    local = services.staffing_rule_create(
        actor=coordinator, district=d.district, name="按户数分档", kind=BANDS,
        source="区委组织部2027年1号文", effective_from=datetime.date(2027, 1, 1),
        **{k: defaults.TAIYUAN_BANDS[k] for k in ("bands", "step_households", "cap")},
    )  # fmt: skip
    assert selectors.rule_in_force(d.district, datetime.date(2026, 12, 31)) == seeded
    assert selectors.rule_in_force(d.district, datetime.date(2027, 1, 1)) == local
    assert AuditEvent.objects.filter(action="workforce.staffing_rule_create").count() == 1


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"source": "  "}, "required"),
        ({"name": ""}, "required"),
        ({"per_10k_residents": 0}, "out_of_range"),
        ({"per_10k_residents": "十八"}, "out_of_range"),
        ({"kind": "guess"}, "kind"),
        ({"kind": BANDS, "bands": []}, "bands"),
        ({"kind": BANDS, "bands": [[3000, 4], [2000, 3]]}, "bands"),
        ({"kind": BANDS, "bands": [[2000, 4], [3000, 3]]}, "bands"),
        ({"kind": BANDS, "bands": [["两千", 3]]}, "out_of_range"),
        ({"effective_from": "2027-01-01"}, "effective_from"),
        ({"cap": -1}, "out_of_range"),
    ],
)
def test_bad_rules_are_refused_and_write_nothing(d, fields, code):
    values = {"name": "标准", "kind": PER, "per_10k_residents": 18, "source": "依据",
              "effective_from": datetime.date(2027, 1, 1)}  # fmt: skip
    with refused(code):
        services.staffing_rule_create(
            actor=d.users["coordinator:own"], district=d.district, **{**values, **fields}
        )
    assert not StaffingRule.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="workforce.").exists()


def test_a_second_rule_on_the_same_day_and_a_street_are_refused(d):
    coordinator = d.users["coordinator:own"]
    values = {"name": "标准", "kind": PER, "per_10k_residents": 18, "source": "依据",
              "effective_from": datetime.date(2027, 1, 1)}  # fmt: skip
    services.staffing_rule_create(actor=coordinator, district=d.district, **values)
    with refused("same_start"):
        services.staffing_rule_create(actor=coordinator, district=d.district, **values)
    with refused("not_a_district"):
        services.staffing_rule_create(actor=coordinator, district=d.streets[0], **values)
    assert StaffingRule.objects.count() == 1


def test_the_page_shows_shortfalls_by_role(d, client):
    services.staffing_rules_seed(actor=d.root, district=d.district)
    client.force_login(d.users["coordinator:own"])
    page = client.get(reverse("workforce:staffing")).content.decode()
    # Each test community: 5,000 residents → 9 staff; none has a worker on record (an account
    # with the community-worker role is not a worker record).
    assert page.count("<tr><td>第") == 4 and 'id="total-standard">36<' in page
    own = d.communities[0]
    _rule, rows = selectors.staffing(d.users["coordinator:own"], d.district, clock.today())
    row = next(r for r in rows if r.community == own)
    assert (row.standard, row.actual, row.shortfall) == (9, 0, 9)
    client.force_login(d.users["street_officer:own"])
    page = client.get(reverse("workforce:staffing")).content.decode()
    assert page.count("<tr><td>第") == 2 and "新增配备标准" not in page
    client.force_login(d.users["community_worker:own"])
    page = client.get(reverse("workforce:staffing")).content.decode()
    assert page.count("<tr><td>第") == 1 and own.name in page
    client.force_login(d.users[f"{Role.RESIDENT}:own"])
    assert client.get(reverse("workforce:staffing")).status_code == 403
    assert "workforce/staffing" not in client.get(reverse("workbench")).content.decode()


def test_a_coordinator_adds_a_rule_through_the_page(d, client):
    client.force_login(d.users["coordinator:own"])
    url = reverse("workforce:staffing")
    page = client.get(url).content.decode()
    assert "载入默认配备标准" in page
    client.post(url, {"action": "seed"})
    form = {"name": "按户数分档", "kind": BANDS, "bands": "2000,3\n3000，4", "step_households": "500",
            "cap": "17", "source": "区委组织部文件", "effective_from": "2030-01-01"}  # fmt: skip
    response = client.post(url, {**form, "bands": "3000,4\n2000,3"})
    assert response.status_code == 200 and "从少到多" in response.content.decode()
    assert StaffingRule.objects.count() == 1
    response = client.post(url, form, follow=True)
    assert "已新增配备标准" in response.content.decode()
    assert StaffingRule.objects.get(name="按户数分档").bands == [[2000, 3], [3000, 4]]
    with pytest.raises(PermissionDenied):
        services.staffing_rules_seed(actor=d.users["street_officer:own"], district=d.district)


def test_shortfall_agrees_with_the_staffing_rows_in_two_queries(
    d, enrol, django_assert_max_num_queries
):
    services.staffing_rules_seed(actor=d.users["coordinator:own"], district=d.district)
    enrol()  # one worker in post in the first community (standard 9 at 5,000 residents)
    enrol(name="李雷", starts_on=datetime.date(2021, 1, 1))
    day = datetime.date(2026, 12, 1)
    _rule, rows = selectors.staffing(d.users["coordinator:own"], d.district, day)
    scope = SimpleNamespace(district=d.district, communities=d.communities, today=day)
    with django_assert_max_num_queries(2):
        figures = selectors.shortfall(scope)
    assert figures.standard == sum(r.standard for r in rows) == 36
    assert figures.actual == sum(r.actual for r in rows) == 2
    assert figures.shortfall == sum(r.shortfall for r in rows) == 34
    assert figures.short_communities == 4
    # One street's communities only.
    scope.communities = d.communities[2:]
    assert selectors.shortfall(scope).shortfall == 18
