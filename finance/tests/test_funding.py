"""Results feed community funding (issue #17 item 1): the district's funding rule turns each
community's assessment result into the next year's district grant, paid once per result, the
rule and score in the income's note; bad input refused with nothing written."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core import clock
from core.models import AuditEvent, Role
from finance import services
from finance.models import FundingRule, Income
from oversight import defaults as oversight_defaults
from oversight import services as oversight
from oversight.models import Result

pytestmark = pytest.mark.django_db


def _assessed(d, year):
    officer = d.users.get(f"{Role.OVERSIGHT_OFFICER}:own")
    scheme = oversight.scheme_draft(actor=officer, district=d.district, year=year, name="考核",
                                    weights=dict(oversight_defaults.WEIGHTS), source="测试")  # fmt: skip
    oversight.scheme_approve(actor=d.root, scheme=scheme)
    oversight.results_compute(actor=officer, scheme=scheme)
    # Scores as the district set them (no requests in this small district): 95, 70, 50, none.
    for community, tenths in zip(d.communities, (950, 700, 500, None), strict=True):
        Result.objects.filter(scheme=scheme, community=community).update(score_tenths=tenths)
    return scheme


def _rule(d, **extra):
    values = {"actor": d.users["coordinator:own"], "district": d.district, "floor_score": 60,
              "full_fen": 4_000_000, "source": "测试：本区考核拨款办法",
              "effective_from": datetime.date(2020, 1, 1), **extra}  # fmt: skip
    return services.funding_rule_create(**values)


def _counts():
    return (Income.objects.count(), FundingRule.objects.count(), AuditEvent.objects.count())


def test_grants_follow_the_results_once(d):
    year = clock.today().year - 1
    _assessed(d, year)
    coordinator = d.users["coordinator:own"]
    before = _counts()
    with pytest.raises(ValidationError, match="没有生效的考核拨款规则"):
        services.assessment_grants_pay(actor=coordinator, district=d.district, year=year)
    assert _counts() == before
    rule = _rule(d)
    with pytest.raises(PermissionDenied):
        services.assessment_grants_pay(actor=d.users["street_officer:own"], district=d.district,
                                       year=year)  # fmt: skip
    paid = services.assessment_grants_pay(actor=coordinator, district=d.district, year=year)
    amounts = {i.community_id: i.amount_fen for i in paid}
    # 95 → 4,000,000 × 35/40 = 3,500,000; 70 → 1,000,000; 50 and unscored → nothing.
    assert amounts == {d.communities[0].pk: 3_500_000, d.communities[1].pk: 1_000_000}
    first = next(i for i in paid if i.community_id == d.communities[0].pk)
    assert first.kind == Income.Kind.GRANT and first.received_on == clock.today()
    assert f"{year}年度考核95.0分" in first.note and rule.source in first.note
    assert "¥35,000.00" in first.note
    again = _counts()
    assert services.assessment_grants_pay(actor=coordinator, district=d.district, year=year) == []
    assert _counts()[0] == again[0]


def test_bad_input_is_refused(d):
    coordinator = d.users["coordinator:own"]
    before = _counts()
    with pytest.raises(ValidationError, match="年度结束后"):
        services.assessment_grants_pay(actor=coordinator, district=d.district,
                                       year=clock.today().year)  # fmt: skip
    with pytest.raises(ValidationError, match="起拨分数"):
        _rule(d, floor_score=100)
    with pytest.raises(ValidationError, match="满分拨款"):
        _rule(d, full_fen=12.5)
    with pytest.raises(PermissionDenied):
        _rule(d, actor=d.users["community_worker:own"])
    assert _counts() == before
    _rule(d)
    with pytest.raises(ValidationError, match="已有一条"):
        _rule(d)
    with pytest.raises(ValidationError, match="尚未计算"):
        services.assessment_grants_pay(actor=coordinator, district=d.district, year=2021)


def test_the_funding_page(client, d):
    from core.testing import PASSWORD

    _rule(d)
    client.login(username=d.logins["coordinator:own"], password=PASSWORD)
    page = client.get("/finance/funding/").content.decode()
    assert "次年拨款" in page and "¥40,000.00" in page and "拨付考核拨款" in page
    response = client.post("/finance/funding/", {"action": "pay", "pay-year": "2021"})
    assert "尚未计算" in response.content.decode()
    client.login(username=d.logins["street_officer:own"], password=PASSWORD)
    page = client.get("/finance/funding/").content.decode()
    assert "次年拨款" in page and "拨付考核拨款" not in page
    client.login(username=d.logins["resident:own"], password=PASSWORD)
    assert client.get("/finance/funding/").status_code == 403
