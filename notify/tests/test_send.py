"""notify.send: every kind reaches every channel (console backends), each send recorded; the
reader's language; quiet hours; resolution with the matter."""

import datetime
import re
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django_tasks_db.models import DBTaskResult

from core import personal_data
from core.models import Notification
from notify import kinds, services, sms, tasks, wechat
from notify.models import Channel, Delivery, Message, Preference

pytestmark = pytest.mark.django_db

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def sample_params(kind: kinds.Kind) -> dict:
    texts = [kind.title, kind.body, *(msgid for _name, msgid in kind.fixed)]
    names = {n for t in texts for n in PLACEHOLDER.findall(t)} - {k for k, _m in kind.fixed}
    return {n: 7 if re.search(rf"%\({n}\)d", " ".join(texts)) else f"<{n}>" for n in names}


def everything(user):
    user.email = "someone@example.cn"
    user.save(update_fields=["email"])
    Preference.objects.create(
        user=user, channels=["sms", "email", "wechat"], wechat_openid="oWX-test-openid"
    )


def run_pending():
    for row in Delivery.objects.filter(status=Delivery.Status.PENDING):
        tasks.attempt(row.pk)


def test_every_kind_reaches_every_channel(d, django_capture_on_commit_callbacks):
    user = d.users["coordinator:own"]
    everything(user)
    every = kinds.all_kinds()
    assert len(every) >= 30
    for kind in every:
        with django_capture_on_commit_callbacks(execute=True):
            services.send(kind=kind.key, recipients=[user], params=sample_params(kind), url="/x/")
    # One task per external send was queued once the caller's transaction committed.
    assert DBTaskResult.objects.count() == 3 * len(every)
    run_pending()
    rows = Delivery.objects.filter(user=user)
    for channel in Channel.values:
        assert rows.filter(channel=channel, status=Delivery.Status.SENT).count() == len(every)
    assert len(sms.outbox) == len(mail.outbox) == len(wechat.outbox) == len(every)
    assert sms.outbox[0]["phone"] == personal_data.mobile_for_message(user.person)
    assert rows.filter(channel=Channel.SMS).first().to.count("*") == 4  # masked in the record
    assert mail.outbox[0].to == ["someone@example.cn"]
    assert wechat.outbox[0]["openid"] == "oWX-test-openid"
    assert wechat.outbox[0]["url"] == "http://127.0.0.1:8000/x/"
    assert Message.objects.filter(notification__user=user).count() == len(every)


def test_without_choices_a_resident_kind_goes_by_sms_and_a_staff_kind_stays_in_app(d):
    resident, officer = d.users["resident:own"], d.users["department_officer:own"]
    services.send(kind="services.request_accepted", recipients=[resident],
                  params={"number": "R1", "note": ""})  # fmt: skip
    services.send(kind="services.department_dispatched", recipients=[officer],
                  params={"number": "R1"})  # fmt: skip
    # (Sorted: Delivery has no ordering, and PostgreSQL may return an updated row last.)
    assert sorted(Delivery.objects.filter(user=resident).values_list("channel", flat=True)) == [
        "inapp", "sms",
    ]  # fmt: skip
    assert list(Delivery.objects.filter(user=officer).values_list("channel", flat=True)) == [
        "inapp"
    ]


def test_a_person_without_an_account_is_texted(d):
    from core import services as core_services

    person = core_services.person_register(
        actor=d.root, place=d.grids[0], name="电话来电人", mobile="13911112222"
    )
    services.send(kind="services.request_closed", recipients=[person],
                  params={"number": "R9", "note": "已修复"})  # fmt: skip
    row = Delivery.objects.get(person=person)
    assert tasks.attempt(row.pk) == "sent"
    assert sms.outbox[-1]["phone"] == "13911112222"
    assert sms.outbox[-1]["text"].startswith("R9 已办结，请您评价 已修复")


def test_the_actor_is_not_told_and_inactive_accounts_are_skipped(d):
    a, b = d.users["coordinator:own"], d.users["admin:own"]
    b.is_active = False
    b.save(update_fields=["is_active"])
    told = services.send(kind="core.calendar_missing", recipients=[a, b], params={"year": 2030},
                         actor=a)  # fmt: skip
    assert told == []


def test_parameters_that_do_not_fit_the_kind_are_refused(d):
    user = d.users["coordinator:own"]
    before = Notification.objects.count()
    with pytest.raises(ValueError):
        services.send(kind="workload.task_new", recipients=[user], params={"title": "x"})
    with pytest.raises(ValueError):
        services.send(kind="no.such_kind", recipients=[user], params={})
    assert Notification.objects.count() == before


def test_rendered_in_the_readers_language(d, client):
    user = d.users["resident:own"]
    Preference.objects.create(user=user, language="en", channels=["email"])
    user.email = "resident@example.cn"
    user.save(update_fields=["email"])
    params = {"number": "SR0042", "note": "垃圾已清运"}
    [note] = services.send(kind="services.request_accepted", recipients=[user], params=params)
    assert note.title == "SR0042 已受理"  # stored in the site's language, for search
    message = Message.objects.get(pk=note.pk)
    assert kinds.render("services.request_accepted", message.params, "en")[0] == "SR0042 Accepted"
    run_pending()
    assert mail.outbox[-1].subject == "SR0042 Accepted"  # sent in the reader's language
    client.force_login(user)
    chinese = client.get("/notifications/").content.decode()
    assert "SR0042 已受理" in chinese
    client.cookies["django_language"] = "en"
    english = client.get("/notifications/").content.decode()
    assert "SR0042 Accepted" in english and "SR0042 已受理" not in english


def test_nested_text_is_stored_as_its_msgid_and_translated_when_read(d):
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    user = d.users["resident:own"]
    with translation.override("en"):  # the writer reads English; the message is not stored so
        body = kinds.msg(gettext_lazy("志愿者%(v)s已接单，将于%(at)s上门服务，到达时签到。"),
                         v="王芳", at="03-01 09:00")  # fmt: skip
        services.send(kind="timebank.order_taken", recipients=[user],
                      params={"listing": "陪同就医", "body": body})  # fmt: skip
    message = Message.objects.get(notification__user=user)
    assert message.params["body"]["msgid"].startswith("志愿者%(v)s已接单")
    title, text = kinds.render("timebank.order_taken", message.params, "zh-hans")
    assert title == "已有志愿者接单：陪同就医"
    assert text == "志愿者王芳已接单，将于03-01 09:00上门服务，到达时签到。"
    _title, text = kinds.render("timebank.order_taken", message.params, "en")
    assert text.startswith("Volunteer 王芳 has taken the need")


@pytest.mark.parametrize(
    ("at", "urgent", "held_until"),
    [
        (datetime.datetime(2026, 3, 2, 23, 30), False, datetime.datetime(2026, 3, 3, 7, 0)),
        (datetime.datetime(2026, 3, 3, 6, 59), False, datetime.datetime(2026, 3, 3, 7, 0)),
        (datetime.datetime(2026, 3, 3, 7, 0), False, None),
        (datetime.datetime(2026, 3, 2, 23, 30), True, None),
    ],
)
def test_quiet_hours_hold_a_send_unless_the_kind_is_urgent(d, at, urgent, held_until):
    user = d.users["department_officer:own"]
    Preference.objects.create(user=user, channels=["sms"], quiet_start=datetime.time(22, 0),
                              quiet_end=datetime.time(7, 0))  # fmt: skip
    kind = "services.warn_overdue" if urgent else "services.warn_due_soon"
    with time_machine.travel(at.replace(tzinfo=BEIJING), tick=False):
        services.send(kind=kind, recipients=[user], params={"number": "R1", "note": "n"})
        row = Delivery.objects.get(user=user, channel=Channel.SMS)
        expected = held_until.replace(tzinfo=BEIJING) if held_until else None
        assert row.not_before == expected
        assert Notification.objects.filter(user=user).exists()  # in-app at once either way
        status = tasks.attempt(row.pk)
    assert status == ("pending" if held_until else "sent")
    if held_until:
        with time_machine.travel(held_until.replace(tzinfo=BEIJING), tick=False):
            assert tasks.attempt(row.pk) == "sent"


def test_a_decided_matter_resolves_its_messages(d, client):
    officer = d.users["department_officer:own"]
    Preference.objects.create(user=officer, channels=["sms"], quiet_start=datetime.time(0, 0),
                              quiet_end=datetime.time(23, 59))  # fmt: skip
    subject = "services.servicerequest:41"
    services.send(kind="services.warn_due_soon", recipients=[officer],
                  params={"number": "R41", "note": "n"}, subject=subject)  # fmt: skip
    services.send(kind="services.warn_due_soon", recipients=[officer],
                  params={"number": "R42", "note": "n"}, subject="services.servicerequest:42")  # fmt: skip
    assert services.resolve(subject=subject) == 1
    mine = Notification.objects.filter(user=officer)
    resolved = mine.get(title__startswith="R41")
    assert resolved.read_at is not None and resolved.message.resolved_at is not None
    assert mine.get(title__startswith="R42").read_at is None
    held = Delivery.objects.get(notification=resolved, channel="sms")
    assert held.status == Delivery.Status.CANCELLED and tasks.attempt(held.pk) == "cancelled"
    assert services.resolve(subject=subject) == 0
    client.force_login(officer)
    assert "事项已办结" in client.get("/notifications/").content.decode()


def test_a_signed_up_resident_is_texted_at_the_number_they_signed_up_with(d):
    from django.utils import timezone

    from core.models import User
    from core.personal_data import encrypt, keyed_hash
    from core.sms_models import AccountMobile

    user = User.objects.create_user(username="m13912345678", password="x" * 16)
    AccountMobile.objects.create(
        user=user, mobile_enc=encrypt("13912345678"), mobile_hash=keyed_hash("mobile:13912345678"),
        mobile_masked="139****5678", verified_at=timezone.now(),
    )  # fmt: skip
    services.preferences_update(actor=user, channels=["sms"])
    services.send(kind="services.request_accepted", recipients=[user],
                  params={"number": "R5", "note": ""})  # fmt: skip
    row = Delivery.objects.get(user=user, channel=Channel.SMS)
    assert tasks.attempt(row.pk) == "sent" and sms.outbox[-1]["phone"] == "13912345678"
