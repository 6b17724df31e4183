"""The preferences page and opening a message: one's own only; bad input changes nothing."""

import pytest
from django.urls import reverse

from core.models import AuditEvent, Notification
from notify import services, tasks
from notify.models import Delivery, Preference

pytestmark = pytest.mark.django_db


def test_preferences_are_saved_and_audited(d, client):
    user = d.users["community_worker:own"]
    client.force_login(user)
    page = client.get(reverse("notify:preferences")).content.decode()
    assert "新任务" in page or "社区新任务" in page
    response = client.post(
        reverse("notify:preferences"),
        {"channels": ["sms"], "quiet_start": "22:00", "quiet_end": "07:00", "language": "en"},
    )
    assert response.status_code == 302
    pref = Preference.objects.get(user=user)
    assert pref.channels == ["sms"] and str(pref.quiet_start) == "22:00:00"
    assert pref.language == "en"
    assert AuditEvent.objects.filter(action="notify.preferences_update", actor=user).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"channels": ["email"], "language": "zh-hans"}, "没有登记电子邮箱"),
        ({"channels": ["wechat"], "language": "zh-hans"}, "尚未绑定微信"),
        ({"quiet_start": "22:00", "language": "zh-hans"}, "须同时填写开始和结束"),
        ({"quiet_start": "22:00", "quiet_end": "22:00", "language": "zh-hans"}, "两者不同"),
        ({"channels": ["fax"], "language": "zh-hans"}, "fax"),
        ({"quiet_start": "25:99", "quiet_end": "07:00", "language": "zh-hans"}, "时间"),
    ],
)
def test_bad_preferences_are_refused_and_change_nothing(d, client, data, message):
    user = d.users["community_worker:own"]
    client.force_login(user)
    before = AuditEvent.objects.count()
    response = client.post(reverse("notify:preferences"), data)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Preference.objects.filter(user=user).exists()
    assert AuditEvent.objects.count() == before


def test_sms_needs_a_mobile_number(d):
    from django.core.exceptions import ValidationError

    user = d.root  # a superuser without a person
    with pytest.raises(ValidationError, match="没有登记手机号"):
        services.preferences_update(actor=user, channels=["sms"])


def test_opening_a_message_marks_it_read_and_follows_its_link(d, client):
    user, other = d.users["coordinator:own"], d.users["admin:own"]
    [mine] = services.send(kind="core.calendar_missing", recipients=[user], params={"year": 2030},
                           url="/calendar/?year=2030")  # fmt: skip
    [theirs] = services.send(kind="core.calendar_missing", recipients=[other],
                             params={"year": 2030})  # fmt: skip
    client.force_login(user)
    response = client.get(reverse("notify:open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/calendar/?year=2030"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.get(reverse("notify:open", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_workbench_links_through_open(d, client):
    user = d.users["coordinator:own"]
    [note] = services.send(kind="core.calendar_missing", recipients=[user], params={"year": 2030})
    client.force_login(user)
    page = client.get(reverse("workbench")).content.decode()
    assert reverse("notify:open", args=[note.pk]) in page and "请录入2030年节假日安排" in page


def test_a_user_sees_only_their_own_messages(d, client):
    user, other = d.users["resident:own"], d.users["resident:other"]
    services.send(kind="services.request_accepted", recipients=[other],
                  params={"number": "R-OTHER", "note": ""})  # fmt: skip
    services.send(kind="services.request_accepted", recipients=[user],
                  params={"number": "R-MINE", "note": ""})  # fmt: skip
    for row in Delivery.objects.filter(status="pending"):
        tasks.attempt(row.pk)
    client.force_login(user)
    page = client.get("/notifications/").content.decode()
    assert "R-MINE" in page and "R-OTHER" not in page
    deliveries = client.get(reverse("notify:preferences")).content.decode()
    assert "139****0004" in deliveries and "139****0005" not in deliveries
    assert Notification.objects.filter(user=other, read_at__isnull=True).count() == 1


def test_an_external_link_is_not_followed(d, client):
    user = d.users["coordinator:own"]
    [note] = services.send(kind="core.calendar_missing", recipients=[user], params={"year": 2030},
                           url="https://evil.example/")  # fmt: skip
    client.force_login(user)
    assert client.get(reverse("notify:open", args=[note.pk]))["Location"] == "/notifications/"
