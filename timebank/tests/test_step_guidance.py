"""What an order's steps tell people (issue #21, item 4): sign-in only near the agreed time (an
editable rule with its source); minutes far from the agreed ones are flagged on the confirm
form and to the approver; the worker who confirmed is told that another worker approves, and
who; the poster's list follows the order; both sides are notified at every step."""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core import services as core_services
from core.models import AuditEvent, Notification, Role
from core.testing import PASSWORD
from timebank import defaults, order_notes, selectors, services
from timebank.models import Order
from timebank.tests.test_exchange import people  # noqa: F401 - the module fixture

pytestmark = pytest.mark.django_db


def _need(bank, people, *, wanted_at=None, minutes=60, title="陪王奶奶散步"):  # noqa: F811
    return services.listing_create(
        actor=bank.worker, kind="need", category="company", title=title, minutes=minutes,
        recipient=people["elder"], contact_mobile="13900000002", wanted_at=wanted_at,
    )  # fmt: skip


def _signed_out(bank, people, **kw):  # noqa: F811
    order = services.order_take(actor=people["volunteer"], listing=_need(bank, people, **kw))
    services.order_sign_in(actor=people["volunteer"], order=order)
    return services.order_sign_out(actor=people["volunteer"], order=order)


# ---------------------------------------------------------------- the sign-in window


def test_a_sign_in_32_hours_early_is_refused_naming_the_window_and_nothing_is_written(
    bank,
    people,  # noqa: F811
):
    wanted = (timezone.now() + datetime.timedelta(hours=32)).replace(microsecond=0)
    order = services.order_take(
        actor=people["volunteer"], listing=_need(bank, people, wanted_at=wanted)
    )
    events = AuditEvent.objects.count()
    notices = Notification.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.order_sign_in(actor=people["volunteer"], order=order)
    assert refused.value.code == "outside_sign_in_window"
    message = refused.value.messages[0]
    opens = timezone.localtime(wanted - datetime.timedelta(hours=2))
    assert "前后2小时" in message and opens.strftime("%m-%d %H:%M") in message, message
    order.refresh_from_db()
    assert (order.status, order.signed_in_at) == (Order.Status.TAKEN, None)
    assert (AuditEvent.objects.count(), Notification.objects.count()) == (events, notices)
    # Inside the window (1 h 59 min early) the same volunteer signs in.
    with time_machine.travel(wanted - datetime.timedelta(minutes=119), tick=False):
        services.order_sign_in(actor=people["volunteer"], order=order)
    assert Order.objects.get(pk=order.pk).status == Order.Status.SIGNED_IN


def test_a_sign_in_after_the_window_closes_is_refused(bank, people):  # noqa: F811
    wanted = timezone.now() + datetime.timedelta(minutes=30)
    order = services.order_take(
        actor=people["volunteer"], listing=_need(bank, people, wanted_at=wanted)
    )
    with time_machine.travel(wanted + datetime.timedelta(minutes=121), tick=False):
        with pytest.raises(ValidationError, match="现在不能签到"):
            services.order_sign_in(actor=people["volunteer"], order=order)
    assert Order.objects.get(pk=order.pk).status == Order.Status.TAKEN


def test_the_window_is_a_rule_of_the_district_with_its_source(bank, people):  # noqa: F811
    rule = {r.code: r for r in services.rules_for(bank.d.district)}[defaults.SIGN_IN_WINDOW]
    assert (rule.value, rule.unit) == (120, "minutes") and "2小时" in rule.source
    wanted = timezone.now() + datetime.timedelta(hours=32)
    order = services.order_take(
        actor=people["volunteer"], listing=_need(bank, people, wanted_at=wanted)
    )
    services.rule_update(
        actor=bank.d.users["admin:own"], district=bank.d.district, code=defaults.SIGN_IN_WINDOW,
        value=48 * 60, source="本区试行：约定前后两天内可签到",
    )  # fmt: skip
    services.order_sign_in(actor=people["volunteer"], order=order)
    assert Order.objects.get(pk=order.pk).status == Order.Status.SIGNED_IN


def test_a_need_without_an_agreed_time_is_signed_in_any_time(bank, people):  # noqa: F811
    order = _signed_out(bank, people)
    assert order.status == Order.Status.SIGNED_OUT


def test_the_rules_page_shows_the_window_and_says_what_a_change_does(client, bank):
    admin = bank.d.users["admin:own"]
    client.force_login(admin)
    page = client.get(reverse("timebank:rules")).content.decode()
    assert "签到时间窗口" in page and "时长差异提示比例" in page and "50%" in page
    done = client.post(
        reverse("timebank:rules"),
        {"code": defaults.MINUTES_MISMATCH, "value": "30", "source": "本区调整为30%"},
        follow=True,
    ).content.decode()
    assert "已将“时长差异提示比例”改为30%" in done and "规则已保存" not in done


# ---------------------------------------------------------------- minutes far from agreed


def test_the_confirm_form_shows_agreed_and_signed_minutes_and_warns_without_a_prefill(
    client,
    bank,
    people,  # noqa: F811
):
    order = _signed_out(bank, people, title="陪诊")  # signed 1 minute against 60 agreed
    client.force_login(bank.worker)  # the worker posted it for the elder: confirms
    home = client.get(reverse("timebank:home")).content.decode()
    warning = re.search(r'data-testid="minutes-mismatch">(.*?)</p>', home, re.S)
    assert warning and "约定 60 分钟" in warning[1] and "签到签退 1 分钟" in warning[1]
    minutes = re.search(rf'<input[^>]*name="o{order.pk}-minutes"[^>]*>', home)[0]
    assert "value=" not in minutes  # nothing pre-filled to confirm by habit
    detail = client.get(reverse("timebank:order", args=[order.pk])).content.decode()
    assert 'data-testid="minutes-mismatch"' in detail


def test_minutes_near_the_agreed_ones_are_not_flagged_and_stay_pre_filled(
    client,
    bank,
    people,  # noqa: F811
):
    order = services.order_take(actor=people["volunteer"], listing=_need(bank, people))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.order_sign_in(actor=people["volunteer"], order=order)
    with time_machine.travel(start + datetime.timedelta(minutes=55), tick=False):
        services.order_sign_out(actor=people["volunteer"], order=order)
    client.force_login(bank.worker)
    home = client.get(reverse("timebank:home")).content.decode()
    minutes = re.search(rf'<input[^>]*name="o{order.pk}-minutes"[^>]*>', home)[0]
    assert 'value="55"' in minutes
    assert 'data-testid="minutes-mismatch"' not in home


def test_the_approver_sees_the_mismatch_flagged_and_the_event_keeps_it(
    client,
    bank,
    people,  # noqa: F811
):
    order = _signed_out(bank, people, title="买菜")
    services.order_confirm(actor=bank.worker, order=order, minutes=60)
    event = AuditEvent.objects.filter(action="timebank.order_confirm").latest("pk")
    assert event.changes["mismatch"] == {"agreed": 60, "measured": 1}
    client.force_login(bank.d.users["admin:own"])
    page = client.get(reverse("timebank:approvals")).content.decode()
    row = re.search(rf'<tr>\s*<td><a href="/timebank/orders/{order.pk}/".*?</tr>', page, re.S)
    assert row and 'data-testid="mismatch-flag"' in row[0] and "约定 60 分钟" in row[0]


def test_a_confirmation_as_agreed_is_not_flagged_to_the_approver(client, bank, people):  # noqa: F811
    order = services.order_take(actor=people["volunteer"], listing=_need(bank, people))
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        services.order_sign_in(actor=people["volunteer"], order=order)
    with time_machine.travel(start + datetime.timedelta(minutes=62), tick=False):
        services.order_sign_out(actor=people["volunteer"], order=order)
    services.order_confirm(actor=bank.worker, order=order, minutes=60)
    assert (
        "mismatch"
        not in AuditEvent.objects.filter(action="timebank.order_confirm").latest("pk").changes
    )
    client.force_login(bank.d.users["admin:own"])
    page = client.get(reverse("timebank:approvals")).content.decode()
    row = re.search(rf'<tr>\s*<td><a href="/timebank/orders/{order.pk}/".*?</tr>', page, re.S)
    assert row and "mismatch-flag" not in row[0]


# ---------------------------------------------------------------- who approves


def test_the_confirming_worker_is_told_another_worker_approves_and_who(
    client,
    bank,
    people,  # noqa: F811
):
    order = _signed_out(bank, people, title="读报")
    services.order_confirm(actor=bank.worker, order=order, minutes=60)
    client.force_login(bank.worker)
    approvals = client.get(reverse("timebank:approvals")).content.decode()
    assert not re.search(rf'<tr>\s*<td><a href="/timebank/orders/{order.pk}/"', approvals)
    awaiting = re.search(r'data-testid="awaiting-other">(.*?)</section>', approvals, re.S)[1]
    assert "读报" in awaiting and "另一位社区工作者" in awaiting and "可审核" in awaiting
    home = client.get(reverse("timebank:home")).content.decode()
    assert 'data-testid="awaiting-other"' in home
    detail = client.get(reverse("timebank:order", args=[order.pk])).content.decode()
    assert "由另一位社区工作者" in re.search(r'data-testid="who-approves">(.*?)</p>', detail)[1]


def test_the_colleagues_who_may_approve_are_named(bank, people):  # noqa: F811
    colleague = core_services.person_register(
        actor=bank.d.root, place=bank.d.communities[0], name="钱同事", mobile="13900000077",
        username="qian-colleague", password=PASSWORD, password_is_temporary=False,
        role=Role.COMMUNITY_WORKER,
    )  # fmt: skip
    order = _signed_out(bank, people, title="理发")
    services.order_confirm(actor=bank.worker, order=order, minutes=60)
    assert order_notes.approvers(order, bank.worker) == ["钱同事"]
    # The colleague sees it to approve; who confirmed it does not.
    assert order in selectors.orders_to_approve(colleague.account)
    assert order not in selectors.orders_to_approve(bank.worker)


# ---------------------------------------------------------------- the poster's list


def test_my_needs_follow_the_order_after_sign_out(client, bank, people):  # noqa: F811
    _signed_out(bank, people, title="送餐上门")
    client.force_login(bank.worker)
    home = client.get(reverse("timebank:home")).content.decode()
    mine = re.search(r'data-testid="my-needs">(.*?)</ul>', home, re.S)[1]
    item = re.search(r"送餐上门</a></span><span class=\"tag\">(.*?)</span>", mine)
    assert item and item[1] == "待确认"


# ---------------------------------------------------------------- notices at each step


def _notices(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("pk").values_list("title", flat=True)
    )


def test_both_sides_are_notified_at_every_step_but_not_of_their_own(bank, people):  # noqa: F811
    volunteer, daughter, worker = people["volunteer"], people["daughter"], bank.worker
    before = {u.pk: len(_notices(u)) for u in (volunteer, daughter, worker)}
    order = services.order_take(actor=volunteer, listing=_need(bank, people, title="打扫"))
    services.order_sign_in(actor=volunteer, order=order)
    services.order_sign_out(actor=volunteer, order=order)
    services.order_confirm(actor=daughter, order=order, minutes=50)
    services.order_approve(actor=bank.d.users["admin:own"], order=order)
    new = {u.pk: _notices(u)[before[u.pk] :] for u in (volunteer, daughter, worker)}
    steps = ["已有志愿者接单", "志愿者已签到", "请确认服务", "服务已确认", "服务已审核入账"]
    # The served side (the poster and the family contact) hears of every step but its own.
    assert [t.split("：")[0] for t in new[worker.pk]] == steps
    assert [t.split("：")[0] for t in new[daughter.pk]] == [s for s in steps if s != "服务已确认"]
    assert [t.split("：")[0] for t in new[volunteer.pk]] == ["服务已确认", "服务已审核入账"]
    assert all(t.endswith("：打扫") for t in new[worker.pk])
    deposit = Notification.objects.filter(user=volunteer).latest("pk")
    assert "50分钟已存入您的时间账户" in deposit.body
    assert deposit.url == reverse("timebank:order", args=[order.pk])


def test_a_rejection_and_a_cancellation_are_told_to_the_other_side(bank, people):  # noqa: F811
    volunteer = people["volunteer"]
    order = _signed_out(bank, people, title="修水管")
    services.order_reject(actor=bank.d.users["admin:own"], order=order, reason="未上门")
    rejected = Notification.objects.filter(user=volunteer).latest("pk")
    assert rejected.title == "服务未通过审核：修水管" and "未上门" in rejected.body
    order = services.order_take(actor=volunteer, listing=_need(bank, people, title="取快递"))
    services.order_cancel(actor=volunteer, order=order)
    told = Notification.objects.filter(user=bank.worker).latest("pk")
    assert told.title == "志愿者取消了接单：取快递" and "重新开放" in told.body
