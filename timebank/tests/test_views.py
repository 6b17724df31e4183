"""Ledger, rules and account pages: who sees them, and rule edits through the page."""

import pytest
from django.urls import reverse

from timebank import services
from timebank.models import Rule

pytestmark = pytest.mark.django_db


def test_ledger_page_for_admin_and_refused_for_a_resident(bank, client):
    services.deposit(actor=bank.worker, account=bank.young, minutes=30, key="v-1")
    client.force_login(bank.d.users["admin:own"])
    page = client.get(reverse("timebank:ledger"))
    assert page.status_code == 200
    assert "实时对账" in page.text and "哈希链完整" in page.text
    client.force_login(bank.d.users["resident:own"])
    assert client.get(reverse("timebank:ledger")).status_code == 403


def test_rules_page_shows_sources_and_edits(bank, client):
    client.force_login(bank.d.users["coordinator:own"])
    page = client.get(reverse("timebank:rules"))
    assert "1500小时" in page.text and "南京市时间银行" in page.text
    bad = client.post(
        reverse("timebank:rules"), {"code": "withdrawal_min_age", "value": "-1", "source": "x"}
    )
    assert bad.status_code == 200 and "规则取值必须大于零" in bad.text
    assert not Rule.objects.filter(district=bank.d.district).exists()
    ok = client.post(
        reverse("timebank:rules"),
        {"code": "withdrawal_min_age", "value": "65", "source": "参照上海2026年规定"},
    )
    assert ok.status_code == 302
    assert services.rule_value("withdrawal_min_age", bank.d.district) == 65
    client.force_login(bank.worker)
    assert "参照上海" in client.get(reverse("timebank:rules")).text
    refused = client.post(
        reverse("timebank:rules"), {"code": "withdrawal_min_age", "value": "70", "source": "x"}
    )
    assert refused.status_code == 403
    assert services.rule_value("withdrawal_min_age", bank.d.district) == 65


def test_account_page_scoped(bank, client):
    services.deposit(actor=bank.worker, account=bank.young, minutes=75, key="v-2", memo="陪诊")
    url = reverse("timebank:account", args=[bank.young.pk])
    client.force_login(bank.worker)
    page = client.get(url)
    assert page.status_code == 200 and "1小时15分" in page.text and "陪诊" in page.text
    client.force_login(bank.d.users["community_worker:other"])
    assert client.get(url).status_code == 404
