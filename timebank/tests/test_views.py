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


def test_home_without_account_and_need_form_errors(bank, client):
    client.force_login(bank.d.users["resident:own"])
    page = client.get(reverse("timebank:home"))
    assert page.status_code == 200 and "您还没有时间银行账户" in page.text
    bad = client.post(
        reverse("timebank:need_create"),
        {"title": "陪聊", "category": "company", "minutes": "30", "payer": "none"},
    )
    assert bad.status_code == 200 and "请先到社区开立时间银行账户" in bad.text


def test_worker_posts_for_a_resident_and_bad_contact_is_refused(bank, client):
    from timebank.models import Listing

    client.force_login(bank.worker)
    form = client.get(reverse("timebank:need_create"))
    assert "王奶奶" in form.text and "孙大爷" not in form.text  # only the worker's community
    data = {
        "recipient": bank.elder.pk, "title": "陪聊", "category": "company", "minutes": "30",
        "payer": "none", "contact_mobile": "13700000000",
    }  # fmt: skip
    bad = client.post(reverse("timebank:need_create"), data)
    assert bad.status_code == 200 and "没有找到使用该手机号登录的居民" in bad.text
    assert not Listing.objects.exists()
    data["contact_mobile"] = ""
    ok = client.post(reverse("timebank:need_create"), data)
    assert ok.status_code == 302
    listing = Listing.objects.get()
    assert listing.recipient_id == bank.elder.person_id and listing.poster_id == bank.worker.pk
    assert ok.url == reverse("timebank:need", args=[listing.pk])  # the suggestions next


def test_order_actions_refuse_strangers_without_500(bank, client):
    listing = services.listing_create(
        actor=bank.worker, kind="need", category="company", title="陪聊", minutes=30,
        recipient=bank.elder.person,
    )  # fmt: skip
    client.force_login(bank.d.users["resident:own"])  # no account: cannot take
    response = client.post(reverse("timebank:take", args=[listing.pk]), follow=True)
    assert "请先开立时间银行账户" in response.text
    assert client.get(reverse("timebank:approvals")).status_code == 403
    assert (
        client.post(reverse("timebank:order_action", args=[999999, "approve"])).status_code == 404
    )


def test_counter_withdraw_posts_once_on_double_submit(bank, client):
    from timebank.models import Account, Transaction

    services.deposit(actor=bank.worker, account=bank.elder, minutes=120, key="v-seed")
    client.force_login(bank.worker)
    url = reverse("timebank:account", args=[bank.elder.pk])
    page = client.get(url)
    assert "支取（兑换服务）" in page.text and "转赠亲属" in page.text
    data = {"action": "withdraw", "w-key": "form-key-1", "w-minutes": "30", "w-memo": "助浴"}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # the browser sends it again
    assert Transaction.objects.filter(idempotency_key="form-key-1").count() == 1
    assert Account.objects.get(pk=bank.elder.pk).balance == 90
    too_much = client.post(url, {**data, "w-key": "form-key-2", "w-minutes": "91"})
    assert too_much.status_code == 200 and "余额不足" in too_much.text
    assert Account.objects.get(pk=bank.elder.pk).balance == 90
    zero = client.post(url, {**data, "w-key": "form-key-3", "w-minutes": "0"})
    assert zero.status_code == 200 and not Transaction.objects.filter(idempotency_key="form-key-3")


def test_counter_forms_hidden_from_residents_and_auditors(bank, client):
    client.force_login(bank.d.users["auditor:own"])
    page = client.get(reverse("timebank:account", args=[bank.elder.pk]))
    assert page.status_code == 200 and "支取（兑换服务）" not in page.text
    refused = client.post(
        reverse("timebank:account", args=[bank.elder.pk]),
        {"action": "withdraw", "w-key": "aud-1", "w-minutes": "1", "w-memo": "x"},
    )
    assert refused.status_code == 200
    from timebank.models import Transaction

    assert not Transaction.objects.filter(idempotency_key="aud-1").exists()


def test_accounts_page_opens_accounts(bank, client):
    from timebank.models import Account
    from timebank.testing import resident, years_ago

    person = resident(actor=bank.d.root, place=bank.d.grids[0], name="新来的", birth=years_ago(50))
    client.force_login(bank.worker)
    page = client.get(reverse("timebank:accounts"))
    assert "新来的" in page.text and "王奶奶" in page.text and "孙大爷" not in page.text
    assert client.post(reverse("timebank:accounts"), {"person": person.pk}).status_code == 302
    assert Account.objects.filter(person=person).exists()
    client.post(
        reverse("timebank:accounts"),
        {"community": bank.d.communities[0].pk, "kind": "team", "name": "银发志愿队"},
    )
    assert Account.objects.filter(name="银发志愿队", kind="team").exists()
    client.force_login(bank.d.users["resident:own"])
    assert client.get(reverse("timebank:accounts")).status_code == 403


def test_workbench_cards(bank, client):
    client.force_login(bank.worker)
    page = client.get(reverse("workbench"))
    assert page.status_code == 200 and "时间银行待审核" in page.text
    client.force_login(bank.d.users["auditor:own"])
    assert "时间银行待审核" not in client.get(reverse("workbench")).text


def test_street_officer_reverses_from_the_ledger_page(bank, client):
    from timebank.models import Account

    tx = services.deposit(actor=bank.worker, account=bank.young, minutes=40, key="v-rev")
    client.force_login(bank.officer)
    page = client.get(reverse("timebank:ledger"))
    assert f"/timebank/ledger/{tx.pk}/reverse/" in page.text
    url = reverse("timebank:reverse", args=[tx.pk])
    empty = client.post(url, {"key": "pg-rev-1", "reason": ""}, follow=True)
    assert "请填写冲正原因" in empty.text
    client.post(url, {"key": "pg-rev-2", "reason": "录错人"})
    client.post(url, {"key": "pg-rev-2", "reason": "录错人"})  # resubmitted
    assert Account.objects.get(pk=bank.young.pk).balance == 0
    again = client.post(url, {"key": "pg-rev-3", "reason": "再冲"}, follow=True)
    assert "已冲正过" in again.text
    client.force_login(bank.worker)  # a worker records, but does not reverse
    assert f"/timebank/ledger/{tx.pk}/reverse/" not in client.get(reverse("timebank:ledger")).text


def test_certificate_pdf(bank, client):
    services.deposit(actor=bank.worker, account=bank.young, minutes=90, key="v-cert", memo="助老")
    client.force_login(bank.worker)
    response = client.get(reverse("timebank:certificate", args=[bank.young.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 5000
    client.force_login(bank.d.users["community_worker:other"])
    assert client.get(reverse("timebank:certificate", args=[bank.young.pk])).status_code == 404


def test_statistics_page(bank, client):
    services.deposit(actor=bank.worker, account=bank.young, minutes=120, key="v-stat")
    client.force_login(bank.d.users["street_officer:own"])
    page = client.get(reverse("timebank:statistics"))
    assert page.status_code == 200 and "每月入账服务时长" in page.text
    months = page.context["charts"]["months"]  # the option written beside the chart
    assert months["series"][0]["data"] == [2.0] and '"data": [2.0]' in page.text
    client.force_login(bank.d.users["resident:own"])
    assert client.get(reverse("timebank:statistics")).status_code == 403


def test_transfer_targets_are_listed_in_pinyin_order(bank, client):
    # 李 li, 孙 sun, 赵 zhao; in code-point order 孙 (U+5B59) would come before 李 (U+674E).
    client.force_login(bank.worker)
    page = client.get(reverse("timebank:account", args=[bank.elder.pk]))
    targets = page.context["forms"]["transfer"].fields["target"].queryset
    assert [a.name for a in targets] == ["李志愿", "孙大爷", "赵阿姨"]
