"""Routing help: department and class from free text (jieba + naive Bayes), likely duplicates."""

import pytest
from django.urls import reverse

from core import jobs
from services import routing
from services import services as request_services
from services.models import RoutingModel
from services.tests.test_lifecycle import submit

pytestmark = pytest.mark.django_db


def test_free_text_is_routed_from_the_catalogue(world):
    request = submit(world, item=None, description="小区门口垃圾桶满了，好几天没人清运，气味很大")
    suggestion = routing.suggest(request)
    assert suggestion.department == world.d.departments[1]  # 城管局 handles 垃圾清运
    assert 0 < suggestion.department_confidence <= 100
    request = submit(world, item=None, description="家里老人想申请助餐服务，独居")
    assert routing.suggest(request).department == world.d.departments[0]  # 民政局
    # Text the model knows nothing about: no suggestion rather than a guess.
    assert routing.suggest(submit(world, item=None, description="zzzz qqqq")) is None


def test_past_dispatch_decisions_teach_the_model(world):
    for _n in range(6):
        request = submit(world, item=None, description="共享单车乱停放堵住盲道")
        request = request_services.request_accept(actor=world.dispatcher, request=request)
        request_services.request_dispatch(
            actor=world.dispatcher, request=request, department=world.d.departments[0]
        )
    model = routing.retrain(world.d.district)
    assert model.samples > 6
    fresh = submit(world, item=None, description="单车乱停放")
    assert routing.suggest(fresh).department == world.d.departments[0]
    assert jobs.run_once("services.retrain_routing", "2026-11-27")
    assert RoutingModel.objects.filter(district=world.d.district).count() == 2


def test_likely_duplicates_nearby_and_recent(world):
    first = submit(world, item=None, description="三栋门口路灯不亮，晚上很黑")
    unrelated = submit(world, item=None, description="想咨询居住证办理流程")
    far = submit(world, item=None, description="三栋门口路灯不亮", place=world.d.grids[4])
    second = submit(world, item=None, description="路灯不亮，三栋门口晚上很黑")
    found = [other.pk for other, _similarity in routing.likely_duplicates(second)]
    assert first.pk in found
    assert unrelated.pk not in found and far.pk not in found


def test_dispatcher_sees_suggestion_and_duplicates(world, client):
    submit(world, item=None, description="垃圾桶满溢，垃圾没人清运")
    request = submit(world, item=None, description="垃圾没人清运，垃圾桶满溢很臭")
    client.force_login(world.dispatcher)
    page = client.get(reverse("services:request_detail", args=[request.pk])).content.decode()
    assert 'id="suggestion"' in page and "城管局" in page
    assert 'id="duplicates"' in page
    client.force_login(world.resident)
    page = client.get(reverse("services:request_detail", args=[request.pk])).content.decode()
    assert "系统建议" not in page
