"""Public and internal notes (issue #14 item 5): an internal note never reaches the resident.

One request walks its whole life with an internal note on every step that takes one (some taken
on the page and through the JSON API, the rest through the services); then the resident's
page, JSON API, Open311 (JSON and XML) and every notice row written for the resident (core's
Notification and whatever the ``notify`` app stores, when installed) are read back: none holds
an internal note, while the public notes do reach the resident and staff read both.
"""

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from core import services as core_services
from core.models import Notification
from services import services as request_services
from services.models import EventKind, RequestEvent, State

pytestmark = pytest.mark.django_db

SECRET = "内部勿外传"  # every internal note carries it


def _bearer(user):
    _token, secret = core_services.api_token_create(actor=user, name="t", scope="write")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _submit(world):
    return request_services.request_submit(
        actor=world.resident, place=world.d.grids[0], item=world.items["CG-002"],
        description="小区门口垃圾桶满了三天没人清运", resident=world.resident.person,
    )  # fmt: skip


def _walk(world, client):
    """The main path with internal notes everywhere; returns the request."""
    d, dispatcher, officer = world.d, world.dispatcher, world.officer
    req = _submit(world)
    act = reverse("services:request_act", args=[req.pk])
    client.force_login(dispatcher)
    client.post(act, {
        "action": "accept_dispatch", "department": d.departments[0].pk,
        "note": "已受理，交民政局办理", "internal_note": f"{SECRET}：派单说明，居民情绪激动",
    })  # fmt: skip
    req.refresh_from_db()
    assert req.state == State.DISPATCHED
    api = _bearer(dispatcher)
    urged = client.post(
        f"/api/services/requests/{req.pk}/steps/urge",
        {"internal_note": f"{SECRET}：催办"}, content_type="application/json", **api,
    )  # fmt: skip
    assert urged.status_code == 200, urged.content
    request_services.request_redispatch(
        actor=dispatcher, request=req, department=d.departments[1], reason=f"{SECRET}：改派理由"
    )
    request_services.request_redispatch(
        actor=dispatcher, request=req, department=d.departments[0],
        reason=f"{SECRET}：改回", note="已转回民政局办理",
    )  # fmt: skip
    request_services.request_note(actor=officer, request=req, internal_note=f"{SECRET}：进展")
    request_services.request_sign(actor=officer, request=req)
    request_services.request_note(
        actor=officer, request=req, note="已联系环卫所", internal_note=f"{SECRET}：联系人电话"
    )
    extension = request_services.extension_ask(
        actor=officer, request=req, days=2, reason=f"{SECRET}：延期理由"
    )
    request_services.application_decide(
        actor=dispatcher, application=extension, approve=True,
        internal_note=f"{SECRET}：同意延期", note="办理期限延长两个工作日",
    )  # fmt: skip
    request_services.request_answer(actor=officer, request=req, answer="已安排清运")
    request_services.request_close(
        actor=dispatcher, request=req, internal_note=f"{SECRET}：办结意见"
    )
    request_services.request_visit(
        actor=dispatcher, request=req, internal_note=f"{SECRET}：回访记录"
    )
    request_services.request_rate(
        actor=world.resident, request=req, rating="unsatisfied", note="垃圾桶还是满的"
    )
    request_services.rating_review(
        actor=dispatcher, request=req, upheld=True,
        internal_note=f"{SECRET}：核实意见", note="已安排重新清运",
    )  # fmt: skip
    return req


def _resident_notice_rows(user) -> list:
    """Every stored notice row addressed to ``user``: core's Notification and, when the notify
    app is installed, each of its models with a user (or a notification of the user)."""
    rows = list(Notification.objects.filter(user=user).values())
    if apps.is_installed("notify"):
        for model in apps.get_app_config("notify").get_models():
            names = {f.name for f in model._meta.get_fields()}
            if "user" in names:
                rows += list(model.objects.filter(user=user).values())
            elif "notification" in names:
                rows += list(model.objects.filter(notification__user=user).values())
    return rows


def test_an_internal_note_never_reaches_the_resident(client, world):
    req = _walk(world, client)
    internal = RequestEvent.objects.filter(request=req).exclude(internal_note="")
    assert internal.count() == 11  # every internal note above was kept, as internal
    assert not RequestEvent.objects.filter(request=req, note__contains=SECRET).exists()

    # The resident's page: public notes yes, internal ones no.
    client.force_login(world.resident)
    page = client.get(reverse("services:request_detail", args=[req.pk])).content.decode()
    assert "已受理，交民政局办理" in page and "已安排重新清运" in page
    assert "已联系环卫所" in page and "办理期限延长两个工作日" in page
    assert SECRET not in page and "内部说明" not in page
    # The JSON API, as the resident.
    detail = client.get(f"/api/services/requests/{req.pk}", **_bearer(world.resident))
    assert detail.status_code == 200 and SECRET not in detail.content.decode()
    assert {e["internal_note"] for e in detail.json()["events"]} == {""}
    assert "已受理，交民政局办理" in {e["note"] for e in detail.json()["events"]}
    # Open311, to anyone.
    client.logout()
    for path in (f"/open311/v2/requests/{req.pk}.json", f"/open311/v2/requests/{req.pk}.xml",
                 "/open311/v2/requests.json"):  # fmt: skip
        answer = client.get(path)
        assert answer.status_code == 200 and SECRET not in answer.content.decode(), path
    # Every notice stored for the resident; the public words did reach them.
    rows = _resident_notice_rows(world.resident)
    assert rows and SECRET not in str(rows)
    assert "办理期限延长两个工作日" in str(rows) and "已安排重新清运" in str(rows)
    assert "延期理由" not in str(rows)  # the department's reason for the extension


def test_staff_read_both_notes(client, world):
    req = _walk(world, client)
    client.force_login(world.dispatcher)
    page = client.get(reverse("services:request_detail", args=[req.pk])).content.decode()
    assert f"{SECRET}：派单说明" in page and "已受理，交民政局办理" in page
    detail = client.get(f"/api/services/requests/{req.pk}", **_bearer(world.officer)).json()
    assert f"{SECRET}：进展" in {e["internal_note"] for e in detail["events"]}


def test_a_progress_note_needs_one_of_the_two_and_an_internal_only_step_is_internal(world):
    req = _submit(world)
    req = request_services.request_accept_dispatch(
        actor=world.dispatcher, request=req, department=world.d.departments[0]
    )
    before = RequestEvent.objects.count()
    with pytest.raises(Exception, match="至少一项"):
        request_services.request_note(actor=world.officer, request=req, note=" ", internal_note="")
    assert RequestEvent.objects.count() == before
    event = request_services.request_note(
        actor=world.officer, request=req, internal_note="只给内部"
    )
    assert event.public is False and event.note == ""
    with pytest.raises(Exception, match="给居民的说明"):
        request_services.request_note(actor=world.officer, request=req, note="长" * 2001)
    assert RequestEvent.objects.count() == before + 1


def test_the_page_form_of_a_dispatch_offers_both_notes(client, world):
    req = _submit(world)
    client.force_login(world.dispatcher)
    page = client.get(reverse("services:request_detail", args=[req.pk])).content.decode()
    assert 'name="internal_note"' in page and "派单说明（内部，居民不可见）" in page
    assert "给居民的说明（居民可见" in page


def test_existing_notes_split_by_what_the_step_meant():
    """The data migration: a note stays public only where the step addressed the resident."""
    from core.testing import build_small_district

    d = build_small_district(code="320105", name="测试区")
    req = request_services.request_submit(
        actor=d.users["resident:own"], place=d.grids[0], description="路灯不亮",
        resident=d.users["resident:own"].person,
    )  # fmt: skip
    made = {
        kind: RequestEvent.objects.create(
            request=req, district=d.district, kind=kind, note=f"旧{kind}", public=public
        )
        for kind, public in [
            (EventKind.DISPATCH, True), (EventKind.VISIT, True), (EventKind.CLOSE, True),
            (EventKind.PROGRESS, True), (EventKind.URGE, False), (EventKind.REJECT, True),
            (EventKind.ANSWER, True), (EventKind.MERGE, True), (EventKind.REVIEW_UPHELD, True),
            (EventKind.EXTEND_OK, True),
        ]
    }  # fmt: skip
    migration = importlib.import_module("services.migrations.0009_event_internal_note")
    migration.split_notes(apps, None)
    for kind, event in made.items():
        event.refresh_from_db()
        public = kind in (EventKind.REJECT, EventKind.ANSWER, EventKind.MERGE,
                          EventKind.REVIEW_UPHELD)  # fmt: skip
        assert (event.note, event.internal_note) == (
            (f"旧{kind}", "") if public else ("", f"旧{kind}")
        ), kind
