"""Pay standards (issue #16 item 4): the scale per grade, the floor from the previous year's
average wage entered by the district (everyone below it listed at once), welfare items as rows,
the 岗位等级花名册 in Excel; amounts masked until a purpose is given, every full view audited."""

import datetime
import io

import openpyxl
import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core.models import AuditEvent
from core.tests.refused import refused
from workforce import defaults, pay, services
from workforce.models import AverageWage, PayScale

D = datetime.date
DAY = datetime.datetime(2026, 12, 1, 2, tzinfo=datetime.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(DAY, tick=False):
        yield


@pytest.fixture
def staffed(d, enrol, frozen):
    services.grade_schemes_seed(actor=d.root, district=d.district)
    services.pay_scales_seed(actor=d.users["coordinator:own"], district=d.district)
    other = enrol(name="王芳")  # other post, grade 5: 7,200 元
    chief = enrol(name="李强", post="chief", title="主任")  # grade 11: 9,000 元
    top = enrol(name="赵敏", post="chief", title="书记", education="doctorate",
                service_start=D(1995, 1, 1))  # fmt: skip  # capped at 18: 11,100 元
    return other, chief, top


def test_entering_the_average_wage_lists_who_is_below_the_floor(d, staffed):
    other, chief, top = staffed
    coordinator = d.users["coordinator:own"]
    scale, wage, rows = pay.pay_rows(coordinator, d.district, D(2026, 12, 1))
    assert wage is None and not any(r.below_floor for r in rows)
    assert {r.row.worker: r.monthly_fen for r in rows} == {other: 720_000, chief: 900_000, top: 1_110_000}  # fmt: skip
    services.average_wage_enter(actor=coordinator, district=d.district, year=2025,
                                annual_fen=13_000_000, source="市统计局")  # fmt: skip
    _scale, wage, rows = pay.pay_rows(coordinator, d.district, D(2026, 12, 1))
    by = {r.row.worker: r for r in rows}
    assert by[other].floor_monthly_fen == 866_667 and by[chief].floor_monthly_fen == 1_083_334
    assert [w for w, r in by.items() if r.below_floor] == [other, chief]
    assert by[other].welfare(scale) == [("养老保险（单位缴纳）", 115_200), ("住房公积金（单位缴纳）", 86_400), ("交通补贴", 30_000)]  # fmt: skip
    # The floor of 2027 waits for 2026's wage.
    assert pay.pay_rows(coordinator, d.district, D(2027, 1, 1))[1] is None


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"amounts": {"1": 100, "3": 300}}, "amounts"),
        ({"amounts": {"1": 300, "2": 200}}, "amounts"),
        ({"amounts": {"1": -5}}, "out_of_range"),
        ({"amounts": {}}, "amounts"),
        ({"floor_shares": {"boss": 800}}, "floor_shares"),
        ({"floor_shares": {"other": 5000}}, "out_of_range"),
        ({"welfare": [{"name": "补贴", "kind": "bonus", "value": 1}]}, "welfare"),
        ({"welfare": [{"name": "", "kind": "fixed", "value": 1}]}, "required"),
        ({"effective_from": D(2021, 1, 1)}, "same_start"),
    ],
)  # fmt: skip
def test_bad_pay_scales_are_refused_and_write_nothing(d, staffed, fields, code):
    values = {**{k: defaults.PAY_SCALE[k] for k in ("name", "amounts", "floor_shares", "welfare", "source")},
              "effective_from": D(2027, 1, 1)}  # fmt: skip
    before = AuditEvent.objects.count()
    with refused(code):
        services.pay_scale_create(actor=d.users["coordinator:own"], district=d.district, **{**values, **fields})  # fmt: skip
    assert PayScale.objects.count() == 1 and AuditEvent.objects.count() == before
    with pytest.raises(PermissionDenied):
        services.pay_scale_create(actor=d.users["street_officer:own"], district=d.district, **values)  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "code"),
    [({"year": 2027}, "out_of_range"), ({"year": "去年"}, "out_of_range"), ({"annual_fen": -1}, "out_of_range"),
     ({"annual_fen": 1.5e20}, "out_of_range"), ({"source": " "}, "required"), ({}, "already_entered")],
)  # fmt: skip
def test_bad_average_wages_are_refused(d, staffed, fields, code):
    coordinator = d.users["coordinator:own"]
    services.average_wage_enter(actor=coordinator, district=d.district, year=2024, annual_fen=12_000_000, source="市统计局")  # fmt: skip
    values = {"year": 2024, "annual_fen": 13_000_000, "source": "市统计局"}
    with refused(code):
        services.average_wage_enter(actor=coordinator, district=d.district, **{**values, **fields})
    assert AverageWage.objects.count() == 1


def below(page: str) -> str:
    """The table of workers below the floor (the scale itself is a public standard)."""
    return page.split('id="below"', 1)[1].split("</table>", 1)[0]


def test_the_pay_page_masks_amounts_until_a_purpose_is_given(d, staffed, client):
    client.force_login(d.users["coordinator:own"])
    url = reverse("workforce:pay")
    page = client.get(url).content.decode()
    assert "录入上年度城市平均工资后列出" in page
    response = client.post(url, {"action": "wage", "year": "2025", "annual_yuan": "130000.00", "source": "市统计局公报"}, follow=True)  # fmt: skip
    page = response.content.decode()
    assert "保底线已按新数重新计算" in page and 'id="below-count">2<' in page
    assert "王芳" in below(page) and "7,200.00" not in below(page) and "••••" in below(page)
    page = client.post(url, {"action": "reveal", "purpose": ""}).content.decode()
    assert "7,200.00" not in below(page)
    page = client.post(url, {"action": "reveal", "purpose": "核对保底工资"}).content.decode()
    assert "7,200.00" in below(page) and "8,666.67" in below(page)
    assert (
        AuditEvent.objects.filter(action="workforce.pay_view", purpose="核对保底工资").count() == 1
    )
    client.force_login(d.users["street_officer:own"])
    page = client.post(url, {"action": "wage", "year": "2024", "annual_yuan": "1", "source": "x"}).content.decode()  # fmt: skip
    assert "录入城市平均工资" not in page and AverageWage.objects.count() == 1
    client.force_login(d.users["community_worker:own"])
    assert client.get(url).status_code == 403
    assert client.get(reverse("workforce:pay_roster")).status_code == 403


def test_the_grade_roster_in_excel_is_audited_and_formula_safe(d, staffed, client):
    other, _chief, _top = staffed
    other.person.name = "=HYPERLINK(1)"
    other.person.save()
    client.force_login(d.users["coordinator:own"])
    services.average_wage_enter(actor=d.root, district=d.district, year=2025, annual_fen=13_000_000, source="市统计局")  # fmt: skip
    response = client.get(reverse("workforce:pay_roster"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("街道", "社区", "姓名") and rows[0][-1] == "交通补贴" and len(rows) == 4
    first = rows[1]
    assert (
        not str(first[2]).startswith("=")
        and first[7] == 5
        and first[8] == "7,200.00"
        and first[10] == "是"
    )
    assert AuditEvent.objects.filter(action="workforce.pay_roster_export").count() == 1


def test_a_worker_sees_their_own_pay_standard(d, enrol, frozen, client):
    services.grade_schemes_seed(actor=d.root, district=d.district)
    services.pay_scales_seed(actor=d.root, district=d.district)
    services.average_wage_enter(actor=d.root, district=d.district, year=2025, annual_fen=13_000_000, source="市统计局")  # fmt: skip
    account = d.users["community_worker:own"]
    enrol(person=account.person)
    client.force_login(account)
    page = client.get(reverse("workforce:me")).content.decode()
    assert "月岗位工资7,200.00元" in page and "8,666.67" in page and "低于保底线" in page
