"""Each step of a request says what happened and what comes next (issue #21, item 6), not
"已保存。": the department and its deadline on dispatch, the deadline to answer on signing, who
acts next after an answer and a closure; a step that leaves the state says where it stands."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import formats, timezone

from services.models import ServiceRequest
from services.tests.test_lifecycle import submit

pytestmark = pytest.mark.django_db


def told(client, url, data) -> str:
    response = client.post(url, data)
    assert response.status_code == 302
    shown = [str(m) for m in get_messages(response.wsgi_request)]  # unread ones pile up
    return shown[-1]


def test_each_step_tells_what_happened_and_what_comes_next(client, world):
    req = submit(world)
    act = reverse("services:request_act", args=[req.pk])
    department = world.d.departments[0]
    client.force_login(world.dispatcher)
    said = told(client, act, {"action": "accept_dispatch", "department": department.pk})
    req = ServiceRequest.objects.get(pk=req.pk)
    due = formats.date_format(timezone.localtime(req.due_at), "MONTH_DAY_FORMAT")
    assert said == f"已派单至{department.name}，办理时限{due}，等待部门签收。"
    assert "月" in due  # "12月8日"
    assert told(client, act, {"action": "urge", "internal_note": "请尽快处理"}) == (
        f"已催办{department.name}，办理时限{due}。"
    )
    client.force_login(world.officer)
    assert told(client, act, {"action": "sign"}) == f"{department.name}办理中，请在{due}前答复。"
    said = told(client, act, {"action": "answer", "note": "已清运"})
    assert said == "答复已提交，等待派单人审核办结。"
    client.force_login(world.dispatcher)
    assert told(client, act, {"action": "close"}) == "已办结，等待反映人评价或回访。"
    other = submit(world)
    said = told(
        client,
        reverse("services:request_act", args=[other.pk]),
        {"action": "reject", "note": "不属于受理范围"},
    )
    assert said == "已不予受理，诉求到此结束。"
