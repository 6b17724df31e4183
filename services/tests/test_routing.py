"""Routing help: a lead department with a calibrated confidence, or an abstention said out loud;
never a weak suggestion preselected; trained on the catalogue and dispatcher decisions only."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core import jobs
from core import services as core_services
from core.demo.names import DEPARTMENTS
from core.models import AuditEvent
from services import routing
from services import services as request_services
from services.models import RoutingModel, ServiceRule
from services.rule_defaults import ROUTING_MIN_CONFIDENCE
from services.services import rules as rule_services
from services.tests.test_api import bearer
from services.tests.test_lifecycle import submit

pytestmark = pytest.mark.django_db

STREET_LIGHT = "小区门口路灯不亮"


def _all_departments(world) -> dict:
    """The district gets the demo's twelve departments and the catalogue items they lead."""
    found = {d.short_code: d for d in world.d.departments}
    for name, code in DEPARTMENTS:
        if code not in found:
            found[code] = core_services.department_create(
                actor=world.d.root, district=world.d.district, name=name, short_code=code
            )
    request_services.catalogue_seed(actor=world.d.root, district=world.d.district)
    return found


def _dispatch(world, actor, text, department):
    request = submit(world, item=None, description=text)
    request = request_services.request_accept(actor=actor, request=request)
    return request_services.request_dispatch(actor=actor, request=request, department=department)


def _threshold(world, value):
    rule_services.rule_update(
        actor=world.dispatcher, district=world.d.district, code=ROUTING_MIN_CONFIDENCE,
        value=value, source="测试：调整门槛",
    )  # fmt: skip


def test_free_text_is_routed_from_the_catalogue(world):
    request = submit(world, item=None, description="小区门口垃圾桶满了，好几天没人清运，气味很大")
    suggestion = routing.suggest(request)
    assert suggestion.department == world.d.departments[1]  # 城管局 handles 垃圾清运
    assert suggestion.threshold <= suggestion.confidence <= 100 and suggestion.reason == "sure"
    request = submit(world, item=None, description="家里独居老人想申请助餐服务")
    assert routing.suggest(request).department == world.d.departments[0]  # 民政局
    # Text the model knows nothing about: an abstention with its reason, not a guess.
    unknown = routing.suggest(submit(world, item=None, description="zzzz qqqq"))
    assert unknown.department is None and unknown.reason == "unknown"
    assert unknown.abstained and unknown.best is None


def test_the_street_light_is_not_sent_to_health_even_after_random_history(world):
    departments = _all_departments(world)
    # The demo's old history: street lights "dispatched" to the health commission at random,
    # by the demo's builder (a superuser with no role), not by a dispatcher.
    for _n in range(8):
        _dispatch(world, world.d.root, "楼下路灯坏了好几天，晚上很黑", departments["wj"])
    routing.retrain(world.d.district)
    suggestion = routing.suggest(submit(world, item=None, description=STREET_LIGHT))
    assert suggestion.best != departments["wj"]
    assert suggestion.department in (None, departments["cg"])
    if suggestion.department is None:
        assert suggestion.reason == "unsure"
    # Whatever it says is calibrated: on the kept complaints, the stated confidence of the
    # ones it would suggest is not far above how often they are right.
    model, known = routing._model_for(world.d.district.pk, routing._active_departments(
        world.d.district.pk)[1])  # fmt: skip
    codes = {str(d.pk): code for code, d in departments.items()}
    stated, right = [], []
    for found, acceptable in routing.calibration_rows():
        scored = routing.score(model, found, known)
        if scored.known:
            stated.append(routing.probability(model["calibration"], scored.signals()))
            right.append(codes[scored.ranked[0][0]] in acceptable)
    assert len(stated) > 100
    assert abs(sum(stated) / len(stated) - sum(right) / len(right)) < 0.05


def test_below_the_threshold_it_abstains_and_says_so(world, client):
    request = submit(world, item=None, description="楼下的垃圾桶坏了")  # known, not certain
    _threshold(world, 30)
    suggestion = routing.suggest(request)
    assert suggestion.department == world.d.departments[1] and suggestion.threshold == 30
    _threshold(world, 100)
    withheld = routing.suggest(request)
    assert withheld.department is None and withheld.reason == "unsure"
    assert withheld.confidence == suggestion.confidence < 100 and withheld.threshold == 100
    assert withheld.best == world.d.departments[1]  # known inside, never shown
    client.force_login(world.dispatcher)
    page = client.get(reverse("services:request_detail", args=[request.pk])).content.decode()
    assert 'id="no-suggestion"' in page and "低于本区设定的 100%" in page
    assert 'id="suggestion"' not in page and "城管局（把握" not in page


def _selected_lead(page: str) -> list[str]:
    """The values preselected in the dispatch form's lead-department select."""
    select = re.search(r'<select name="department" id="department".*?</select>', page, re.S)
    assert select, "no dispatch form on the page"
    return re.findall(r'<option value="(\d+)" selected>', select.group(0))


def test_a_weak_suggestion_is_never_preselected(world, client):
    client.force_login(world.dispatcher)
    strong = submit(world, item=None, description="垃圾桶满了好几天没人清运，臭得不行")
    page = client.get(reverse("services:request_detail", args=[strong.pk])).content.decode()
    assert 'id="suggestion"' in page and "城管局" in page
    assert _selected_lead(page) == [str(world.d.departments[1].pk)]
    weak = submit(world, item=None, description="楼下的垃圾桶坏了")
    _threshold(world, 99)
    assert routing.suggest(weak).department is None
    page = client.get(reverse("services:request_detail", args=[weak.pk])).content.decode()
    assert 'id="no-suggestion"' in page and _selected_lead(page) == []
    unknown = submit(world, item=None, description="zzzz qqqq")
    page = client.get(reverse("services:request_detail", args=[unknown.pk])).content.decode()
    assert "不认识这段描述里的词" in page and _selected_lead(page) == []
    client.force_login(world.resident)
    page = client.get(reverse("services:request_detail", args=[strong.pk])).content.decode()
    assert "系统建议" not in page and "把握" not in page


def test_training_ignores_history_no_dispatcher_decided(world):
    text = "共享单车乱停放堵住盲道"
    catalogue_only = routing.retrain(world.d.district).samples
    for _n in range(6):  # the demo's builder, and a department officer's own returns: no
        _dispatch(world, world.d.root, text, world.d.departments[0])
    assert routing.retrain(world.d.district).samples == catalogue_only
    assert (
        routing.suggest(submit(world, item=None, description="单车乱停放")).best
        == (
            world.d.departments[1]  # the catalogue: 城管局
        )
    )
    for _n in range(12):  # a dispatcher decides otherwise, again and again: it learns
        _dispatch(world, world.dispatcher, text, world.d.departments[0])
    model = routing.retrain(world.d.district)
    assert model.samples == catalogue_only + 12
    assert (
        routing.suggest(submit(world, item=None, description="单车乱停放")).best
        == (world.d.departments[0])
    )
    assert jobs.run_once("services.retrain_routing", "2026-11-27")
    assert RoutingModel.objects.filter(district=world.d.district).count() == 4


def test_a_redispatch_by_a_dispatcher_is_the_decision_learnt(world):
    request = _dispatch(world, world.d.root, "共享单车乱停放堵住盲道", world.d.departments[0])
    decisions = routing._decisions(world.d.district)
    assert decisions == []
    request_services.request_redispatch(
        actor=world.dispatcher, request=request, department=world.d.departments[1],
        reason="单车停放归城管",
    )  # fmt: skip
    assert routing._decisions(world.d.district) == [
        (f"{request.title} {request.description}", str(world.d.departments[1].pk))
    ]


def test_calibration_fit_is_monotone_and_falls_back_when_data_is_thin():
    points = [([m / 10, 1.0, 1.0], m > 10 + (m % 3)) for m in range(30)] * 3
    fitted = routing.fit_calibration(points, source="test")
    assert fitted["rows"] == 90 and fitted["from"] == "test"
    low = routing.probability(fitted, [0.2, 1.0, 1.0])
    high = routing.probability(fitted, [2.8, 1.0, 1.0])
    assert low < 0.2 < 0.8 < high
    assert routing.fit_calibration(points[:10], source="test") == routing.DEFAULT_CALIBRATION


def test_the_api_shows_the_suggestion_to_dispatchers_only(world, client):
    request = submit(world, item=None, description="垃圾桶满了好几天没人清运")
    url = f"/api/services/requests/{request.pk}"
    shown = client.get(url, **bearer(world.dispatcher)).json()["routing"]
    assert shown == {
        "suggested": True, "department_id": world.d.departments[1].pk, "department": "城管局",
        "confidence": routing.suggest(request).confidence, "threshold": 70, "reason": "sure",
    }  # fmt: skip
    assert client.get(url, **bearer(world.resident)).json()["routing"] is None
    grid = world.d.users["grid_worker:own"]
    assert client.get(url, **bearer(grid)).json()["routing"] is None
    _threshold(world, 100)
    withheld = client.get(url, **bearer(world.dispatcher)).json()["routing"]
    assert withheld["suggested"] is False and withheld["department_id"] is None
    assert withheld["reason"] == "unsure"
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert "routing" in schema["RequestDetailOut"]["properties"]
    assert set(schema["RoutingOut"]["properties"]) == {
        "suggested", "department_id", "department", "confidence", "threshold", "reason",
    }  # fmt: skip


def test_the_threshold_is_a_rule_with_its_source(world, client):
    district = world.d.district
    assert rule_services.rule_value(ROUTING_MIN_CONFIDENCE, district) == 70
    default = ServiceRule.objects.get(district=None, code=ROUTING_MIN_CONFIDENCE)
    assert "本区设定" in default.source
    bad = [
        ({"value": "0"}, "取值应在1到100之间"),
        ({"value": "101"}, "取值应在1到100之间"),
        ({"value": "七十"}, "规则取值应为整数"),
        ({"source": "  "}, "请注明依据"),
        ({"source": "长" * 301}, "最多300字"),
        ({"code": "nope"}, "未知规则"),
    ]
    for change, message in bad:
        data = {"code": ROUTING_MIN_CONFIDENCE, "value": "80", "source": "区减负办会议纪要"}
        with pytest.raises(ValidationError, match=message):
            rule_services.rule_update(
                actor=world.dispatcher, district=district, **{**data, **change}
            )
    for user in (world.officer, world.resident, world.d.users["auditor:own"]):
        with pytest.raises(PermissionDenied):
            rule_services.rule_update(
                actor=user, district=district, code=ROUTING_MIN_CONFIDENCE, value=80, source="x"
            )
    assert not ServiceRule.objects.filter(district=district).exists()
    assert not AuditEvent.objects.filter(action="services.rule_update").exists()
    # The page: everyone with a role reads it; only the district's dispatchers change it.
    client.force_login(world.officer)
    assert "最低把握" in client.get(reverse("services:rules")).content.decode()
    post = {"code": ROUTING_MIN_CONFIDENCE, "value": "85", "source": "区减负办会议纪要"}
    assert client.post(reverse("services:rules"), post).status_code == 403
    client.force_login(world.dispatcher)
    client.post(reverse("services:rules"), {**post, "value": "abc"})
    assert rule_services.rule_value(ROUTING_MIN_CONFIDENCE, district) == 70
    response = client.post(reverse("services:rules"), post, follow=True)
    assert "已将" in response.content.decode()
    assert rule_services.rule_value(ROUTING_MIN_CONFIDENCE, district) == 85
    assert AuditEvent.objects.filter(action="services.rule_update").count() == 1


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


def test_the_demo_trains_on_its_catalogue_not_on_its_own_history(world):
    from services import demo

    demo.build(district=world.d.district, builder=world.d.root, seed=7, out=lambda line: None)
    stored = RoutingModel.objects.filter(district=world.d.district).latest("trained_at")
    assert routing._decisions(world.d.district) == []  # 90 requests, none a dispatcher's
    assert stored.samples == len(routing._catalogue(world.d.district))


def test_every_role_reads_the_rules_from_the_catalogue_page(world, client):
    readers = set()
    for key, user in world.d.users.items():
        client.force_login(user)
        catalogue = client.get(reverse("services:catalogue"))
        if catalogue.status_code != 200:
            continue
        readers.add(key.split(":")[0])
        assert 'id="service-rules-link"' in catalogue.content.decode(), key
        page = client.get(reverse("services:rules")).content.decode()
        assert "系统建议主办部门的最低把握" in page and "70%" in page, key
        assert ('name="source"' in page) == user.has_perm("services.edit_rules", world.d.district)
    assert {"admin", "coordinator", "department_officer", "street_officer"} <= readers
