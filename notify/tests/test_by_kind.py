"""Preferences per message kind (issue #15 item 2): a kind's own channels win over the general
choice, urgent kinds ignore quiet hours either way; the page lists only the kinds the reader's
roles receive; each delivery carries its district."""

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from core.models import AuditEvent
from notify import selectors, services
from notify.models import Delivery, Preference

pytestmark = pytest.mark.django_db
NIGHT = datetime.datetime(2026, 6, 10, 15, tzinfo=datetime.UTC)  # 23:00 in Beijing


def channels_of(user, kind):
    return sorted(Delivery.objects.filter(user=user, kind=kind).values_list("channel", flat=True))


def test_a_kind_s_own_channels_win(d):
    user = d.users["department_officer:own"]
    user.email = "officer@example.cn"
    user.save(update_fields=["email"])
    services.preferences_update(
        actor=user, channels=["email"],
        by_kind={"services.department_dispatched": ["sms"], "services.department_co": []},
    )  # fmt: skip
    for kind in ("services.department_dispatched", "services.department_co",
                 "services.department_redispatched"):  # fmt: skip
        services.send(kind=kind, recipients=[user], params={"number": "R1"})
    assert channels_of(user, "services.department_dispatched") == ["inapp", "sms"]
    assert channels_of(user, "services.department_co") == ["inapp"]
    assert channels_of(user, "services.department_redispatched") == ["email", "inapp"]
    district = d.district.pk
    assert set(Delivery.objects.filter(user=user).values_list("district", flat=True)) == {district}


def test_urgent_kinds_ignore_quiet_hours_with_per_kind_choices(d):
    user = d.users["department_officer:own"]
    services.preferences_update(
        actor=user, channels=[], quiet_start="22:00", quiet_end="07:00",
        by_kind={"services.request_chased": ["sms"], "services.department_dispatched": ["sms"]},
    )  # fmt: skip
    with time_machine.travel(NIGHT, tick=False):
        services.send(kind="services.request_chased", recipients=[user],
                      params={"number": "R1", "note": "快"})  # fmt: skip
        services.send(kind="services.department_dispatched", recipients=[user],
                      params={"number": "R2"})  # fmt: skip
    urgent = Delivery.objects.get(user=user, kind="services.request_chased", channel="sms")
    held = Delivery.objects.get(user=user, kind="services.department_dispatched", channel="sms")
    assert urgent.not_before is None and held.not_before is not None


def test_bad_per_kind_choices_are_refused(d):
    resident = d.users["resident:own"]
    before = [AuditEvent.objects.count(), Preference.objects.count()]
    with pytest.raises(ValidationError, match="您不会收到这类消息"):
        services.preferences_update(actor=resident, channels=[],
                                    by_kind={"workload.task_new": ["sms"]})  # fmt: skip
    with pytest.raises(ValidationError, match="未知的接收渠道"):
        services.preferences_update(actor=resident, channels=[],
                                    by_kind={"services.request_closed": ["fax"]})  # fmt: skip
    with pytest.raises(ValidationError, match="尚未绑定微信"):
        services.preferences_update(actor=resident, channels=[],
                                    by_kind={"services.request_closed": ["wechat"]})  # fmt: skip
    assert [AuditEvent.objects.count(), Preference.objects.count()] == before


def test_the_page_lists_the_kinds_of_the_reader_s_roles(d, client):
    keys = {role: {k.key for k in selectors.kinds_for(d.users[role])}
            for role in ("resident:own", "community_worker:own", "department_officer:own",
                         "coordinator:own", "admin:own")}  # fmt: skip
    assert "services.request_closed" in keys["resident:own"]
    assert not {k for k in keys["resident:own"] if k.startswith(("workload.", "admission."))}
    assert "workload.task_new" in keys["community_worker:own"]
    assert "workload.task_new" not in keys["department_officer:own"]
    assert "services.department_dispatched" in keys["department_officer:own"]
    assert "services.department_dispatched" not in keys["community_worker:own"]
    assert "core.audit_broken" in keys["admin:own"]
    assert "core.audit_broken" not in keys["coordinator:own"]
    client.force_login(d.users["resident:own"])
    page = client.get("/notify/preferences/").content.decode()
    assert "诉求办结与评价邀请" in page and "社区新任务" not in page
    # The page's per-kind choice is saved.
    client.post("/notify/preferences/", {
        "language": "zh-hans", "kind:services.request_closed": "none",
        "kind:services.request_accepted": "",
    })  # fmt: skip
    pref = Preference.objects.get(user=d.users["resident:own"])
    assert pref.by_kind == {"services.request_closed": []}


def test_the_district_of_a_person_without_an_account_and_of_a_superuser(d):
    from core import services as core_services

    person = core_services.person_register(actor=d.root, place=d.grids[0], name="张三",
                                           mobile="13912345678")  # fmt: skip
    services.send(kind="services.request_accepted", recipients=[person, d.root],
                  params={"number": "R1", "note": ""}, actor=None)  # fmt: skip
    assert Delivery.objects.get(person=person).district_id == d.district.pk
    assert set(Delivery.objects.filter(user=d.root).values_list("district", flat=True)) == {None}
