"""A closed request's page puts the resident's rating form first (issue #21 item 5: it sat at
the bottom of a 4,000-px page), and saving a catalogue item says what changed and what follows
(item 6: not "已保存。")."""

import re

import pytest
from django.urls import reverse

from services.models import ServiceRequest, State
from services.tests.test_views import form_data

pytestmark = pytest.mark.django_db


def _closed(client, world) -> ServiceRequest:
    client.force_login(world.resident)
    client.post(reverse("services:request_new") + "?free=1", form_data(world, key="rate-first"))
    req = ServiceRequest.objects.get(client_key="k-rate-first")
    act = reverse("services:request_act", args=[req.pk])
    client.force_login(world.dispatcher)
    client.post(act, {"action": "accept_dispatch", "department": world.d.departments[0].pk})
    client.force_login(world.officer)
    client.post(act, {"action": "sign"})
    client.post(act, {"action": "answer", "note": "已更换楼道灯"})
    client.force_login(world.dispatcher)
    client.post(act, {"action": "close"})
    req.refresh_from_db()
    assert req.state == State.CLOSED
    return req


def test_the_rating_form_comes_before_the_request_content(client, world):
    req = _closed(client, world)
    client.force_login(world.resident)
    page = client.get(reverse("services:request_detail", args=[req.pk])).content.decode()
    rating = page.index('data-step-form="rate"')
    assert rating < page.index("诉求内容") and rating < page.index("办理进度")
    assert len(re.findall(r'data-step-form="rate"', page)) == 1  # shown once, not twice
    # Rated from there, the request is rated.
    client.post(reverse("services:request_act", args=[req.pk]), {"action": "rate",
                                                                   "rating": "satisfied"})  # fmt: skip
    req.refresh_from_db()
    assert req.state == State.RATED


def test_saving_a_catalogue_item_says_what_follows(client, world):
    item = world.items["CG-003"]
    url = reverse("services:item_detail", args=[item.pk])
    client.force_login(world.dispatcher)
    data = {
        "name": "违章搭建", "category": "report", "group": "城市管理", "keywords": "违建",
        "lead_department": world.d.departments[1].pk, "acceptance_days": 1, "deadline_days": 10,
        "applicant": "anyone", "is_active": "on", "fields_json": "[]",
    }  # fmt: skip
    page = client.post(url, data, follow=True).content.decode()
    assert "事项“违章搭建”已更新：此后提交的诉求按新的设置受理和办理。" in page
    assert "已保存。" not in page
