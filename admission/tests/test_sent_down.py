"""Meetings communities are called to and documents sent down to them (issue #13 item 5):
registered with who sent them and their length; a meeting needs an admitted meeting item, a
document has a length limit, and a year's count may not pass last year's."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from admission import services
from admission.models import AdmittedItem, SentDown
from admission.selectors_formalism import gate_load_by_month, meeting_minutes_by_month
from admission.tests.conftest import application, decide
from core.models import AuditEvent
from core.tests.refused import refused

pytestmark = pytest.mark.django_db


def document(d, actor, **overrides):
    values = {
        "actor": actor, "kind": "document", "department": d.departments[0],
        "title": "关于做好冬季困难群众救助工作的通知", "day": services.local_today(),
        "communities": d.communities[:2], "length_chars": 3200, "submit_token": "doc-1",
    }  # fmt: skip
    values.update(overrides)
    return values


def counts():
    return (SentDown.objects.count(), AuditEvent.objects.count())


def test_a_document_is_registered_and_counted_for_each_community(d, officer):
    row = services.sent_down_register(**document(d, officer))
    assert row.number.endswith("0001") and "WJ" in row.number
    month = row.day.replace(day=1)
    load = gate_load_by_month(
        [c.pk for c in d.communities], month, month + datetime.timedelta(days=31)
    )
    assert load[(d.communities[0].pk, month)]["documents"] == 1
    assert (d.communities[2].pk, month) not in load
    with refused("duplicate_submit"):
        services.sent_down_register(**document(d, officer))


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"length_chars": 5001}, "too_long"),
        ({"length_chars": 4001, "special_topic": True}, "too_long"),
        ({"kind": "meeting", "minutes": 60}, "no_item"),
        ({"length_chars": 0}, "length"),
        ({"kind": "fax"}, "kind"),
        ({"title": ""}, "required"),
    ],
)
def test_bad_registrations_are_refused_and_nothing_is_written(d, officer, overrides, code):
    before = counts()
    with refused(code):
        services.sent_down_register(**document(d, officer, **overrides))
    assert counts() == before


def test_only_officers_of_the_sender_register(d, officer):
    before = counts()
    for actor in (d.users["coordinator:own"], d.users["community_worker:own"]):
        with pytest.raises(PermissionDenied):
            services.sent_down_register(**document(d, actor))
    with pytest.raises(PermissionDenied):
        services.sent_down_register(
            **document(d, d.users["street_officer:own"], department=None, street=d.streets[1])
        )
    with refused("outside_street"):
        services.sent_down_register(
            **document(d, d.users["street_officer:own"], department=None, street=d.streets[0],
                       communities=d.communities[2:3])
        )  # fmt: skip
    assert counts() == before


def test_counts_only_go_down(d, officer):
    today = services.local_today()
    last_year = today.replace(year=today.year - 1, day=1)
    services.sent_down_register(**document(d, officer, day=last_year, submit_token="old"))
    services.sent_down_register(**document(d, officer, submit_token="new-1"))
    before = counts()
    with refused("not_down") as refusal:
        services.sent_down_register(**document(d, officer, submit_token="new-2"))
    message = refusal.value.messages[0]
    assert "已向社区发文件1次" in message and "上一年共1次" in message and "只减不增" in message
    assert counts() == before


def test_a_meeting_stands_on_an_admitted_meeting_item(d, officer):
    request = services.request_submit(
        **application(d, officer, kind="meeting", title="安全生产季度例会",
                      communities=d.communities[:1], submit_token="meeting-item")
    )  # fmt: skip
    decide(d, request)
    item = AdmittedItem.objects.get(request=request)
    meeting = {"kind": "meeting", "length_chars": 0, "minutes": 90, "item": item}
    with refused("not_admitted"):
        services.sent_down_register(**document(d, officer, **meeting))
    with refused("minutes"):
        services.sent_down_register(
            **document(d, officer, **{**meeting, "minutes": 0}, communities=d.communities[:1])
        )
    row = services.sent_down_register(
        **document(d, officer, **meeting, communities=d.communities[:1], title="四季度例会")
    )
    assert row.item == item
    month = row.day.replace(day=1)
    assert list(
        meeting_minutes_by_month([d.communities[0].pk], month, month + datetime.timedelta(days=31))
    ) == [(d.communities[0].pk, month, 90)]
