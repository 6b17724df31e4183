"""Who is told what about a request (issue #15 item 2), through the notify app: the resident at
accepted, dispatched, answered and closed (with the number, a link and the rating invitation),
in-app and by SMS; the department at new work and 催办; the dispatchers every ten minutes of the
new requests waiting; a closed request's warnings and 催办 resolved with it (item 4)."""

import datetime

import pytest
from django.utils import timezone

from core.models import Notification
from notify import sms, tasks
from notify.models import Delivery
from services import services as request_services
from services import tasks as services_tasks
from services.models import State
from services.services import notices

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _console_sms(settings):
    settings.SMS = {"BACKEND": "console", "TEMPLATES": {}}
    sms.outbox.clear()


def submit(world, **kwargs):
    values = {
        "actor": world.resident, "place": world.d.grids[0], "item": world.items["CG-002"],
        "description": "小区门口垃圾桶满了三天没人清运", "resident": world.resident.person,
    } | kwargs  # fmt: skip
    return request_services.request_submit(**values)


def send_pending():
    for row in Delivery.objects.filter(status=Delivery.Status.PENDING):
        tasks.attempt(row.pk)


def titles(user, request):
    return list(
        Notification.objects.filter(user=user, title__startswith=request.number)
        .order_by("pk")
        .values_list("title", flat=True)
    )


def test_the_resident_hears_each_step_in_app_and_by_sms(world):
    request = submit(world)
    request_services.request_accept(actor=world.dispatcher, request=request, note="已登记")
    request_services.request_dispatch(
        actor=world.dispatcher, request=request, department=world.d.departments[0]
    )
    request_services.request_sign(actor=world.officer, request=request)
    request_services.request_answer(actor=world.officer, request=request, answer="已清运")
    request_services.request_close(actor=world.dispatcher, request=request)
    n = request.number
    assert titles(world.resident, request) == [
        f"{n} 已受理", f"{n} 已派单，由民政局办理", f"{n} 部门已签收，正在办理", f"{n} 部门已答复",
        f"{n} 已办结，请您评价",
    ]  # fmt: skip
    closing = Notification.objects.filter(user=world.resident).latest("pk")
    assert closing.url == f"/services/requests/{request.pk}/"  # where the rating is given
    assert titles(world.officer, request) == [f"{n} 新派单，请签收"]
    send_pending()
    texts = [m["text"] for m in sms.outbox]
    assert texts[0].startswith(f"{n} 已受理 已登记 http://127.0.0.1:8000/services/requests/")
    assert texts[-1].startswith(f"{n} 已办结，请您评价")
    assert {m["phone"] for m in sms.outbox} == {world.d.logins["resident:own"]}
    assert len(texts) == 5


def test_a_closed_request_resolves_its_warnings_and_chasers(world):
    request = submit(world)
    request_services.request_accept(actor=world.dispatcher, request=request)
    request_services.request_dispatch(
        actor=world.dispatcher, request=request, department=world.d.departments[0]
    )
    request_services.request_urge(actor=world.dispatcher, request=request, internal_note="今天答复")
    chaser = Notification.objects.filter(user=world.officer, title__contains="催办：今天答复")
    assert chaser.get().read_at is None
    request_services.request_sign(actor=world.officer, request=request)
    request_services.request_answer(actor=world.officer, request=request, answer="已清运")
    request_services.request_close(actor=world.dispatcher, request=request)
    resolved = chaser.get()
    assert resolved.read_at is not None and resolved.message.resolved_at is not None
    # The closing notice itself stays open: it asks for the rating.
    closing = Notification.objects.filter(user=world.resident).latest("pk")
    assert closing.read_at is None and closing.message.resolved_at is None


def test_muted_steps_tell_nobody_outside_the_app(world):
    from services import notify as services_notify

    request = submit(world)
    with services_notify.muted():
        request_services.request_reject(actor=world.dispatcher, request=request, reason="重复")
    assert titles(world.resident, request) == [f"{request.number} 不予受理"]
    assert not Delivery.objects.filter(notification__user=world.resident, channel="sms").exists()


def test_dispatchers_hear_of_new_requests_every_ten_minutes(world):
    first, second = submit(world), submit(world, description="路灯不亮")
    end = timezone.localtime(max(first.created_at, second.created_at)) + datetime.timedelta(
        minutes=10
    )
    slot = end.replace(minute=end.minute // 10 * 10, second=0, microsecond=0)
    result = services_tasks.new_requests_notice(period=slot.strftime("%Y-%m-%dT%H:%M"))
    assert result[str(world.d.district.pk)] >= 2
    told = Notification.objects.filter(user=world.dispatcher, title__endswith="件新诉求待受理")
    assert told.count() == 1 and told.get().url == "/services/dispatch/"
    assert first.state == State.SUBMITTED


def test_the_department_hears_of_a_decision_on_what_it_asked(world):
    request = submit(world)
    request_services.request_accept(actor=world.dispatcher, request=request)
    request_services.request_dispatch(
        actor=world.dispatcher, request=request, department=world.d.departments[0]
    )
    application = request_services.return_ask(
        actor=world.officer, request=request, reason="非本部门"
    )
    request_services.application_decide(actor=world.dispatcher, application=application,
                                        approve=True)  # fmt: skip
    assert f"{request.number} 同意退单" in titles(world.officer, request)


def test_a_caller_without_an_account_is_texted(world):
    from core import services as core_services

    caller = core_services.person_register(
        actor=world.d.root, place=world.d.grids[0], name="来电居民", mobile="13955556666"
    )
    request = submit(world, actor=world.dispatcher, resident=caller, channel="staff")
    request_services.request_accept(actor=world.dispatcher, request=request)
    notices.settle(request)
    send_pending()
    assert [m["phone"] for m in sms.outbox] == ["13955556666"]
    assert sms.outbox[0]["text"].startswith(f"{request.number} 已受理")
