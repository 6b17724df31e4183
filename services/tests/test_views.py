"""The pages, through Django's test client: good paths, refusals and bad input."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from services.models import ServiceRequest, State
from services.tests.test_lifecycle import PNG

pytestmark = pytest.mark.django_db


def client_for(client, user):
    client.force_login(user)
    return client


def form_data(world, **extra):
    return {
        "client_key": "k-" + extra.pop("key", "1"),
        "description": "楼道灯坏了一个星期",
        "place": world.d.grids[0].pk,
        "address": "3栋2单元",
        **extra,
    }


def test_resident_chooses_item_then_submits_once_even_twice(client, world):
    c = client_for(client, world.resident)
    page = c.get(reverse("services:request_new"))
    assert page.status_code == 200
    assert "垃圾清运不及时" in page.content.decode()
    item = world.items["CG-002"]
    form = c.get(reverse("services:request_new"), {"item": item.pk})
    assert "满溢垃圾桶数量" in form.content.decode()
    data = form_data(world, key="double", item=item.pk, a_bins="3")
    first = c.post(reverse("services:request_new") + f"?item={item.pk}", data)
    second = c.post(reverse("services:request_new") + f"?item={item.pk}", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert ServiceRequest.objects.filter(client_key="k-double").count() == 1
    created = ServiceRequest.objects.get(client_key="k-double")
    assert created.answers == {"bins": "3"}
    detail = c.get(first["Location"]).content.decode()
    assert "满溢垃圾桶数量" in detail and "提交诉求" in detail


def test_upload_that_is_not_an_image_is_refused_in_chinese(client, world):
    c = client_for(client, world.resident)
    before = ServiceRequest.objects.count()
    fake = SimpleUploadedFile("x.jpg", b"MZ\x90\x00 this is an exe", content_type="image/jpeg")
    page = c.post(
        reverse("services:request_new") + "?free=1", {**form_data(world, key="bad"), "photo": fake}
    )
    assert page.status_code == 200
    assert "只能上传 JPG、PNG、GIF 或 WebP 格式的图片" in page.content.decode()
    assert ServiceRequest.objects.count() == before


def test_photo_is_served_only_to_those_who_may_see_the_request(client, world):
    c = client_for(client, world.resident)
    photo = SimpleUploadedFile("p.png", PNG, content_type="image/png")
    response = c.post(
        reverse("services:request_new") + "?free=1", {**form_data(world, key="ph"), "photo": photo}
    )
    created = ServiceRequest.objects.get(client_key="k-ph")
    assert response.status_code == 302
    url = reverse("services:request_photo", args=[created.pk])
    assert c.get(url).status_code == 200
    client.force_login(world.d.users["resident:other"])
    assert client.get(url).status_code == 404
    assert client.get(reverse("services:request_detail", args=[created.pk])).status_code == 404


def test_dispatch_answer_close_rate_through_the_pages(client, world):
    c = client_for(client, world.resident)
    c.post(reverse("services:request_new") + "?free=1", form_data(world, key="flow"))
    req = ServiceRequest.objects.get(client_key="k-flow")
    act = reverse("services:request_act", args=[req.pk])

    client.force_login(world.dispatcher)
    queue = client.get(reverse("services:dispatch")).content.decode()
    assert req.title in queue
    client.post(act, {"action": "accept_dispatch", "department": world.d.departments[0].pk})
    req.refresh_from_db()
    assert req.state == State.DISPATCHED

    client.force_login(world.officer)
    assert req.title in client.get(reverse("services:department")).content.decode()
    client.post(act, {"action": "sign"})
    # Answering needs text: refused with the reason, state unchanged.
    page = client.post(act, {"action": "answer", "note": ""}, follow=True)
    assert "答复内容不能为空" in page.content.decode()
    client.post(act, {"action": "answer", "note": "已更换楼道灯"})
    req.refresh_from_db()
    assert req.state == State.ANSWERED

    client.force_login(world.dispatcher)
    client.post(act, {"action": "close"})
    client.force_login(world.resident)
    client.post(act, {"action": "rate", "rating": "satisfied"})
    req.refresh_from_db()
    assert req.state == State.RATED
    # A step not allowed now is refused with the reason.
    page = client.post(act, {"action": "rate", "rating": "satisfied"}, follow=True)
    assert "诉求当前状态为“已评价”，不能评价" in page.content.decode()


def test_intake_on_behalf_links_a_resident_by_mobile(client, world):
    worker = world.d.users["community_worker:own"]
    c = client_for(client, worker)
    mobile = world.d.logins["resident:own"]
    response = c.post(
        reverse("services:intake") + "?free=1",
        form_data(world, key="intake", resident_mobile=mobile),
    )
    assert response.status_code == 302
    req = ServiceRequest.objects.get(client_key="k-intake")
    assert req.channel == "staff" and req.resident == world.resident.person
    page = c.post(
        reverse("services:intake") + "?free=1",
        form_data(world, key="intake2", resident_mobile="13999999999"),
    )
    assert "没有找到这个手机号的居民" in page.content.decode()


def test_queues_are_closed_to_the_wrong_roles(client, world):
    for key, url, status in [
        ("resident:own", "services:dispatch", 403),
        ("department_officer:own", "services:dispatch", 403),
        ("resident:own", "services:department", 403),
        ("coordinator:own", "services:department", 403),
        ("resident:own", "services:grid", 403),
        ("grid_worker:own", "services:grid", 200),
        ("coordinator:own", "services:dispatch", 200),
        ("resident:own", "services:home", 200),
        ("resident:own", "services:catalogue", 200),
        ("resident:own", "services:intake", 403),
    ]:
        client.force_login(world.d.users[key])
        assert client.get(reverse(url)).status_code == status, (key, url)


def test_grid_worker_sees_requests_of_the_grid_and_reports_on_patrol(client, world):
    c = client_for(client, world.resident)
    c.post(
        reverse("services:request_new") + "?free=1",
        form_data(world, key="g1", description="路灯不亮"),
    )
    client.force_login(world.d.users["grid_worker:own"])
    assert "路灯不亮" in client.get(reverse("services:grid")).content.decode()
    response = client.post(
        reverse("services:patrol") + "?free=1",
        form_data(world, key="patrol", description="巡查发现井盖缺失"),
    )
    assert response.status_code == 302
    assert ServiceRequest.objects.get(client_key="k-patrol").channel == "patrol"
    client.force_login(world.d.users["grid_worker:other"])
    assert "路灯不亮" not in client.get(reverse("services:grid")).content.decode()


def test_dispatcher_edits_a_catalogue_item_and_others_cannot(client, world):
    item = world.items["CG-003"]
    url = reverse("services:item_detail", args=[item.pk])
    client.force_login(world.dispatcher)
    assert 'id="item-edit"' in client.get(url).content.decode()
    data = {
        "name": "违章搭建", "category": "report", "group": "城市管理", "keywords": "违建",
        "lead_department": world.d.departments[1].pk, "co_departments": [world.d.departments[0].pk],
        "acceptance_days": 1, "deadline_days": 10, "applicant": "anyone", "is_active": "on",
        "fields_json": '[{"code": "floor", "label": "楼层", "datatype": "number"}]',
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.version == 2 and item.deadline_days == 10 and item.fields[0]["code"] == "floor"
    bad = client.post(
        url, {**data, "fields_json": '[{"code": "x", "label": "X", "datatype": "blob"}]'}
    )
    assert "不受支持" in bad.content.decode()
    client.force_login(world.resident)
    assert 'id="item-edit"' not in client.get(url).content.decode()
    assert client.post(url, data).status_code == 403


def test_open311_keys_page_shows_a_new_key_once_and_revokes(client, world):
    from services.models import Open311Key

    client.force_login(world.dispatcher)
    page = client.post(reverse("services:open311_keys"), {"name": "城市App"}).content.decode()
    assert 'id="new-key"' in page
    key = Open311Key.objects.get(name="城市App")
    assert key.prefix in page
    client.post(reverse("services:open311_keys"), {"revoke": key.pk})
    key.refresh_from_db()
    assert key.revoked_at is not None
    client.force_login(world.resident)
    assert client.get(reverse("services:open311_keys")).status_code == 403


def test_accept_and_dispatch_is_all_or_nothing(client, world):
    from services.tests.test_lifecycle import submit

    req = submit(world)
    client.force_login(world.dispatcher)
    act = reverse("services:request_act", args=[req.pk])
    # A co-handler equal to the lead is refused: the request is not left accepted either.
    lead = world.d.departments[0].pk
    page = client.post(
        act, {"action": "accept_dispatch", "department": lead, "co": [lead]}, follow=True
    )
    assert "协办部门不能与主办部门相同" in page.content.decode()
    req.refresh_from_db()
    assert req.state == State.SUBMITTED
    page = client.post(act, {"action": "accept_dispatch", "department": ""}, follow=True)
    assert "请选择主办部门" in page.content.decode()


def test_map_pin_is_stored_and_shown_on_the_request(client, world):
    c = client_for(client, world.resident)
    form = c.get(reverse("services:request_new") + "?free=1").content.decode()
    assert 'id="pin-map"' in form and "pin-map-options" in form
    assert "未配置底图" in form  # no tiles configured: a plain coordinate grid, said so
    response = c.post(
        reverse("services:request_new") + "?free=1",
        form_data(world, key="pin", lat="32.041512", long="118.794634"),
    )
    assert response.status_code == 302
    created = ServiceRequest.objects.get(client_key="k-pin")
    assert (str(created.lat), str(created.long)) == ("32.041512", "118.794634")
    detail = c.get(response["Location"]).content.decode()
    assert 'data-lat="32.041512"' in detail and 'data-long="118.794634"' in detail
    # A request without a pin has no map on its page.
    c.post(reverse("services:request_new") + "?free=1", form_data(world, key="nopin"))
    plain = ServiceRequest.objects.get(client_key="k-nopin")
    assert plain.lat is None
    page = c.get(reverse("services:request_detail", args=[plain.pk])).content.decode()
    assert 'id="pin-map"' not in page


def test_map_tiles_come_from_configuration(client, world, settings):
    settings.LINLI_MAP_TILES = "https://tiles.example.org/{z}/{x}/{y}.png"
    page = client_for(client, world.resident).get(reverse("services:request_new") + "?free=1")
    assert "https://tiles.example.org/{z}/{x}/{y}.png" in page.content.decode()
    assert "未配置底图" not in page.content.decode()


@pytest.mark.parametrize(
    ("lat", "long", "message"),
    [
        ("91", "118.79", "纬度超出范围"),
        ("32.04", "-180.5", "经度超出范围"),
        ("北纬32", "118.79", "纬度应为数字"),
        ("32.04", "", "经纬度需要同时提供"),
        ("NaN", "118.79", "纬度超出范围"),
    ],
)
def test_bad_coordinates_are_refused_and_nothing_is_written(client, world, lat, long, message):
    c = client_for(client, world.resident)
    before = ServiceRequest.objects.count()
    page = c.post(
        reverse("services:request_new") + "?free=1",
        form_data(world, key=f"bad-{lat}-{long}", lat=lat, long=long),
    )
    assert page.status_code == 200
    assert message in page.content.decode()
    assert ServiceRequest.objects.count() == before


def test_staff_intake_page_has_the_pin_map_too(client, world):
    c = client_for(client, world.dispatcher)
    page = c.get(reverse("services:intake") + "?free=1").content.decode()
    assert 'id="pin-map"' in page
    response = c.post(
        reverse("services:intake") + "?free=1",
        form_data(world, key="intake-pin", lat="32.03", long="118.8", contact_name="王先生"),
    )
    assert response.status_code == 302
    assert ServiceRequest.objects.get(client_key="k-intake-pin").lat is not None


def test_dispatch_objection_through_the_pages(client, world):
    from services import services as request_services

    c = client_for(client, world.resident)
    c.post(reverse("services:request_new") + "?free=1", form_data(world, key="obj"))
    req = ServiceRequest.objects.get(client_key="k-obj")
    request_services.request_accept(actor=world.dispatcher, request=req)
    request_services.request_dispatch(
        actor=world.dispatcher, request=req, department=world.d.departments[0]
    )
    act = reverse("services:request_act", args=[req.pk])
    officer = client_for(client, world.officer)
    page = officer.get(reverse("services:request_detail", args=[req.pk])).content.decode()
    assert 'id="object-box"' in page
    # A department id that is not a number is refused in Chinese, nothing written.
    bad = officer.post(act, {"action": "object", "note": "不归我们", "suggested": "x"}, follow=True)
    assert "请选择本区有效的主办部门" in bad.content.decode()
    assert not req.applications.exists()
    officer.post(
        act,
        {"action": "object", "note": "属城管职责", "suggested": world.d.departments[1].pk},
    )
    application = req.applications.get()
    dispatcher = client_for(client, world.dispatcher)
    page = dispatcher.get(reverse("services:request_detail", args=[req.pk])).content.decode()
    assert "提出派单异议" in page and "异议成立，改派" in page
    dispatcher.post(
        act,
        {
            "action": "approve",
            "application": application.pk,
            "department": world.d.departments[1].pk,
            "note": "成立",
        },
    )
    req.refresh_from_db()
    assert req.lead_department == world.d.departments[1] and req.state == State.DISPATCHED


def test_catalogue_item_create_and_edit_pages(client, world):
    from core.models import AuditEvent
    from services.models import ServiceItem

    c = client_for(client, world.dispatcher)
    assert 'id="item-new"' in c.get(reverse("services:catalogue")).content.decode()
    url = reverse("services:item_new")
    assert c.get(url).status_code == 200
    data = {
        "code": "CG-090", "name": "共享单车乱停放", "category": "complaint", "group": "市容",
        "keywords": "单车,乱停", "lead_department": world.d.departments[1].pk,
        "co_departments": [world.d.departments[0].pk], "acceptance_days": "1",
        "deadline_days": "", "applicant": "anyone",
        "fields_json": '[{"code": "count", "label": "车辆数", "datatype": "number"}]',
    }  # fmt: skip
    response = c.post(url, data)
    assert response.status_code == 302
    item = ServiceItem.objects.get(district=world.d.district, code="CG-090")
    assert item.version == 1 and item.deadline_days == 13  # the class's default
    assert item.fields[0]["label"] == "车辆数"
    assert list(item.co_departments.all()) == [world.d.departments[0]]
    assert AuditEvent.objects.filter(action="services.item_create", object_id=str(item.pk))
    # The same code twice, a bad code, bad JSON fields: refused in Chinese, nothing written.
    count = ServiceItem.objects.count()
    for bad, message in [
        ({"code": "CG-090"}, "已存在"),
        ({"code": "CG 091!"}, "只能包含字母"),
        ({"code": "CG-092", "fields_json": '[{"code": "", "label": "x"}]'}, "字段编码"),
        ({"code": "CG-093", "lead_department": "999999"}, "选择一个有效的选项"),
    ]:
        page = c.post(url, {**data, **bad})
        assert page.status_code == 200 and message in page.content.decode(), message
    assert ServiceItem.objects.count() == count
    # Editing bumps the version, and the version history shows both steps.
    detail = reverse("services:item_detail", args=[item.pk])
    edit = {**data, "name": "共享单车乱停乱放", "deadline_days": "5", "is_active": "on"}
    assert c.post(detail, edit).status_code == 302
    item.refresh_from_db()
    assert item.version == 2 and item.name == "共享单车乱停乱放"
    page = c.get(detail).content.decode()
    assert 'id="item-versions"' in page and "创建" in page and "修改" in page


@pytest.mark.parametrize("role", ["resident", "department_officer", "street_officer"])
def test_catalogue_item_create_is_refused_to_others(client, world, role):
    from services.models import ServiceItem

    c = client_for(client, world.d.users[f"{role}:own"])
    assert 'id="item-new"' not in c.get(reverse("services:catalogue")).content.decode()
    count = ServiceItem.objects.count()
    assert c.get(reverse("services:item_new")).status_code == 403
    response = c.post(
        reverse("services:item_new"),
        {"code": "X-1", "name": "x", "category": "help", "acceptance_days": "1",
         "lead_department": world.d.departments[0].pk, "applicant": "anyone"},
    )  # fmt: skip
    assert response.status_code == 403 and ServiceItem.objects.count() == count


def test_home_shows_each_role_its_queues_as_buttons(client, world):
    def queue_links(key):
        client.force_login(world.d.users[key])
        page = client.get(reverse("services:home")).content.decode()
        return {
            name
            for name in ("dispatch", "department", "grid", "intake")
            if f'class="button" href="{reverse(f"services:{name}")}"' in page
        }

    assert queue_links("resident:own") == set()
    assert queue_links("department_officer:own") == {"department"}
    assert "dispatch" in queue_links("coordinator:own")
    assert "grid" in queue_links("grid_worker:own")
