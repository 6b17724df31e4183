"""What Open311 GET (anyone; an api_key in the URL is refused) tells about a request: its service
(unless the item is about a person's circumstances), its state, its community and dates, and
only the text a dispatcher published — never what a resident typed. Publishing: who may, and
what bad text is refused. Also the other ways a request is read, for the same leak."""

import json
from decimal import Decimal
from xml.etree import ElementTree as ET

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from core.models import AuditEvent
from services import services as request_services
from services.models import EventKind, RequestEvent, RequestPublicText, ServiceRequest

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"
NAME, MOBILE = "张秀英", "13812345678"
ADDRESS = f"白鹭小区3栋201 {NAME} {MOBILE}"
STORY = f"我叫{NAME}，手机{MOBILE}，老伴瘫痪在床，家里实在困难"
MEDIA = "https://example.org/photos/zhang-xiuying-home.jpg"
PERSONAL = [NAME, MOBILE, "3栋201", "白鹭小区", "瘫痪", "困难", MEDIA, "zhang-xiuying"]


def _file(client, api_key, code, **extra):
    """A request posted through Open311 the way a third-party app would, full of the resident's
    name and mobile number."""
    data = {
        "api_key": api_key, "service_code": code, "address_string": ADDRESS,
        "description": STORY, "lat": "32.041567", "long": "118.794612", "media_url": MEDIA,
        "first_name": "秀英", "last_name": "张", "phone": MOBILE, **extra,
    }  # fmt: skip
    response = client.post(f"{BASE}/requests.json", data)
    assert response.status_code == 200, response.content
    return ServiceRequest.objects.get(pk=response.json()[0]["service_request_id"])


@pytest.fixture
def hardship(client, world, api_key):
    """困难群众救助 (sensitive), dispatched to 民政局 and answered with the resident's name."""
    req = _file(client, api_key, "MZ-001", address_id=world.d.grids[1].code)
    root = world.d.root
    req = request_services.request_accept(actor=root, request=req)
    req = request_services.request_dispatch(
        actor=root, request=req, department=world.d.departments[0]
    )
    req = request_services.request_sign(actor=root, request=req)
    return request_services.request_answer(
        actor=root, request=req, answer=f"{NAME}您好，已为您家办理临时救助，联系{MOBILE}"
    )


@pytest.fixture
def shed(client, world, api_key):
    """违章搭建 (not sensitive), filed in a grid with the reporter's name in the address."""
    req = _file(client, api_key, "CG-003", address_id=world.d.grids[5].code)
    root = world.d.root
    req = request_services.request_accept(actor=root, request=req)
    return request_services.request_dispatch(
        actor=root, request=req, department=world.d.departments[1]
    )


def _rows(response, fmt) -> list[dict]:
    """The requests of a GET, as dicts of text (None for empty), from JSON or XML."""
    assert response.status_code == 200, response.content
    if fmt == "json":
        return [
            {k: None if v in (None, "") else str(v) for k, v in row.items()}
            for row in response.json()
        ]
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    root = ET.fromstring(response.content)  # noqa: S314 - our own response, in a test
    return [{child.tag: child.text for child in request} for request in root.findall("request")]


def _get(fmt, req, how):
    """The URL and query of one of the three ways to GET a request."""
    if how == "one":
        return f"{BASE}/requests/{req.pk}.{fmt}", {}
    if how == "ids":
        return f"{BASE}/requests.{fmt}", {"service_request_id": str(req.pk)}
    return f"{BASE}/requests.{fmt}", {}


def _fetch(client, fmt, req, how):
    url, query = _get(fmt, req, how)
    rows = _rows(client.get(url, query), fmt)
    return [row for row in rows if row["service_request_id"] == str(req.pk)]


FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code",
    "description", "agency_responsible", "service_notice", "requested_datetime",
    "updated_datetime", "expected_datetime", "address", "address_id", "zipcode", "lat", "long",
    "media_url",
}  # fmt: skip
WAYS = [(fmt, how) for fmt in ("json", "xml") for how in ("one", "ids", "list")]


@pytest.mark.parametrize(("fmt", "how"), WAYS)
def test_open311_get_sends_no_free_text_grid_or_exact_place(
    client, world, hardship, shed, fmt, how
):
    for req in (hardship, shed):
        [row] = _fetch(client, fmt, req, how)
        assert set(row) == FIELDS  # every field of the spec, empty when withheld
        text = json.dumps(row, ensure_ascii=False)
        for secret in PERSONAL:
            assert secret not in text, (secret, row)
        assert req.grid.code not in text and req.place.code not in text
        assert row["description"] is None and row["media_url"] is None
        assert row["zipcode"] is None
        assert row["address"] == req.community.name
        assert row["address_id"] == req.community.code
        # about 100 m: three decimals
        assert Decimal(row["lat"]) == Decimal("32.042") and Decimal(row["long"]) == Decimal(
            "118.795"
        )
        assert row["status"] == "open" and row["status_notes"] == req.get_state_display()
        assert row["requested_datetime"].endswith("+08:00")
        assert row["updated_datetime"] and row["expected_datetime"]
    # 困难群众救助 is about a person's circumstances: neither it nor its department is named.
    [row] = _fetch(client, fmt, hardship, how)
    assert row["service_code"] is None and row["service_name"] is None
    assert row["agency_responsible"] is None
    assert "救助" not in json.dumps(row, ensure_ascii=False)
    # 违章搭建 is named, with the department handling it.
    [row] = _fetch(client, fmt, shed, how)
    assert (row["service_code"], row["service_name"]) == ("CG-003", "违章搭建")
    assert row["agency_responsible"] == world.d.departments[1].name


@pytest.mark.parametrize(("fmt", "how"), WAYS)
def test_open311_get_with_an_api_key_in_the_url_is_refused_and_tells_nothing(
    client, api_key, hardship, shed, fmt, how
):
    """The api_key belongs in a POST body: a GET carrying one in its URL is refused (400), and
    the refusal shows nothing of the request."""
    for req in (hardship, shed):
        url, query = _get(fmt, req, how)
        refused = client.get(url, {**query, "api_key": api_key})
        assert refused.status_code == 400
        text = refused.content.decode()
        assert not [secret for secret in PERSONAL if secret in text]
        assert req.grid.code not in text and req.description not in text


def test_a_sensitive_code_finds_nothing_publicly(client, hardship, shed):
    for fmt in ("json", "xml"):
        assert _rows(client.get(f"{BASE}/requests.{fmt}", {"service_code": "MZ-001"}), fmt) == []
        found = _rows(client.get(f"{BASE}/requests.{fmt}", {"service_code": "MZ-001,CG-003"}), fmt)
        assert [row["service_request_id"] for row in found] == [str(shed.pk)]
    # The catalogue itself stays public: apps must be able to file such a request.
    codes = {s["service_code"] for s in client.get(f"{BASE}/services.json").json()}
    assert "MZ-001" in codes


def test_the_catalogue_seed_marks_the_items_about_a_persons_circumstances(world):
    from services.catalogue_defaults import DEFAULT_ITEMS

    marked = {spec["code"] for spec in DEFAULT_ITEMS if spec.get("sensitive")}
    assert marked == {"MZ-001", "MZ-002", "RS-001"}  # hardship relief, elderly care, wages owed
    seeded = {code for code, item in world.items.items() if item.sensitive}
    assert seeded == marked & set(world.items)  # (this small district has no 人社局 for RS-001)


def test_after_a_dispatcher_publishes_exactly_that_text_appears(client, world, hardship):
    summary = "社区已协助申请临时救助，民政部门已办结。"
    note = "已办理完毕"
    audits = AuditEvent.objects.count()
    published = request_services.request_publish_public_text(
        actor=world.dispatcher, request=hardship, description=f"  {summary}\n", status_notes=note
    )
    assert (published.description, published.status_notes) == (summary, note)
    assert AuditEvent.objects.count() == audits + 1
    audit = AuditEvent.objects.latest("id")
    assert audit.action == "services.request_publish" and audit.object_id == str(hardship.pk)
    event = RequestEvent.objects.filter(request=hardship).latest("id")
    assert event.kind == EventKind.PUBLISH and event.note == summary
    for fmt in ("json", "xml"):
        for how in ("one", "list"):
            [row] = _fetch(client, fmt, hardship, how)
            assert row["description"] == summary and row["status_notes"] == note
            assert row["service_code"] is None  # publishing text does not name the item
            text = json.dumps(row, ensure_ascii=False)
            assert NAME not in text and MOBILE not in text
    # Publishing the same again writes nothing; new text replaces the old, both kept.
    request_services.request_publish_public_text(
        actor=world.dispatcher, request=hardship, description=summary, status_notes=note
    )
    assert AuditEvent.objects.count() == audits + 1
    request_services.request_publish_public_text(
        actor=world.dispatcher, request=hardship, description="已办结。", status_notes=""
    )
    assert RequestPublicText.objects.filter(request=hardship).count() == 2
    [row] = client.get(f"{BASE}/requests/{hardship.pk}.json").json()
    assert row["description"] == "已办结。"
    assert row["status_notes"] == hardship.get_state_display()  # no note published: the state


BAD = [
    ({"description": ""}, "公开摘要不能为空"),
    ({"description": " \n\t "}, "公开摘要不能为空"),
    ({"description": "长" * 1001}, "公开摘要过长（最多1000字）"),
    ({"description": "已办结\x00"}, "公开摘要含有控制字符"),
    ({"description": "已办结", "status_notes": "a\x00b"}, "公开办理说明含有控制字符"),
    ({"description": "已办结", "status_notes": "长" * 501}, "公开办理说明过长（最多500字）"),
    ({"description": "请联系138 1234 5678"}, "公开摘要中有手机号或身份证号"),
    ({"description": "身份证320104199001011234"}, "公开摘要中有手机号或身份证号"),
    ({"description": f"{NAME}家已救助"}, "公开摘要中有诉求人的姓名"),
]


@pytest.mark.parametrize(("text", "message"), BAD, ids=[m for _t, m in BAD])
def test_bad_text_is_refused_in_chinese_and_changes_nothing(world, hardship, text, message):
    counts = (
        RequestPublicText.objects.count(),
        AuditEvent.objects.count(),
        RequestEvent.objects.count(),
    )
    updated = ServiceRequest.objects.get(pk=hardship.pk).updated_at
    with pytest.raises(ValidationError) as error:
        request_services.request_publish_public_text(
            actor=world.dispatcher, request=hardship, **{"status_notes": "", **text}
        )
    assert message in " ".join(error.value.messages)
    assert counts == (
        RequestPublicText.objects.count(),
        AuditEvent.objects.count(),
        RequestEvent.objects.count(),
    )
    assert ServiceRequest.objects.get(pk=hardship.pk).updated_at == updated


@pytest.mark.parametrize(
    "who", ["resident:own", "department_officer:own", "street_officer:own", "grid_worker:own"]
)
def test_only_dispatchers_publish(world, hardship, who):
    with pytest.raises(PermissionDenied):
        request_services.request_publish_public_text(
            actor=world.user(who), request=hardship, description="已办结", status_notes=""
        )
    assert not RequestPublicText.objects.filter(request=hardship).exists()


def test_the_detail_page_form_publishes_and_shows_what_is_public(client, world, hardship):
    url = reverse("services:request_detail", args=[hardship.pk])
    act = reverse("services:request_act", args=[hardship.pk])
    client.force_login(world.dispatcher)
    page = client.get(url).content.decode()
    assert 'id="publish-form"' in page and 'name="public_description"' in page
    # Bad text: the reason in Chinese, nothing published.
    response = client.post(
        act, {"action": "publish", "public_description": "已办结\x00"}, follow=True
    )
    assert "公开摘要含有控制字符" in response.content.decode()
    assert not RequestPublicText.objects.filter(request=hardship).exists()
    response = client.post(
        act,
        {
            "action": "publish",
            "public_description": "已协助办理救助。",
            "public_status_notes": "已办结",
        },
        follow=True,
    )
    assert "已保存" in response.content.decode()
    [row] = client.get(f"{BASE}/requests/{hardship.pk}.json").json()
    assert (row["description"], row["status_notes"]) == ("已协助办理救助。", "已办结")
    # The resident sees what is public about their request, and has no form to publish.
    client.force_login(world.resident)
    ServiceRequest.objects.filter(pk=hardship.pk).update(resident=world.resident.person)
    page = client.get(url).content.decode()
    assert "已协助办理救助。" in page and 'id="publish-form"' not in page
    client.post(act, {"action": "publish", "public_description": "改掉它"})
    assert RequestPublicText.objects.filter(request=hardship).count() == 1


def test_json_api_publishes_for_dispatchers_only(client, world, hardship):
    url = f"/api/services/requests/{hardship.pk}/public-text"
    client.force_login(world.dispatcher)
    response = client.post(
        url, {"description": "已协助办理。", "status_notes": ""}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["public_text"]["description"] == "已协助办理。"
    bad = client.post(url, {"description": "已办结\u0000"}, content_type="application/json")
    assert bad.status_code == 422 and "控制字符" in bad.json()["detail"]
    client.force_login(world.user("department_officer:own"))  # sees it, may not publish
    response = client.post(url, {"description": "x"}, content_type="application/json")
    assert response.status_code == 403
    client.force_login(world.user("resident:other"))  # does not even see it
    response = client.post(url, {"description": "x"}, content_type="application/json")
    assert response.status_code == 404
    assert RequestPublicText.objects.filter(request=hardship).count() == 1


def test_other_residents_and_strangers_never_read_a_request(client, world, shed):
    """The pages and the JSON API show a request only to those who may see it: not to another
    resident, not to anyone logged out."""
    mine = request_services.request_submit(
        actor=world.resident, place=world.d.grids[0], description=STORY, address=ADDRESS,
        resident=world.resident.person,
    )  # fmt: skip
    page = reverse("services:request_detail", args=[mine.pk])
    assert client.get(page).status_code == 302  # to the login page
    assert client.get(f"/api/services/requests/{mine.pk}").status_code == 401
    client.force_login(world.user("resident:other"))
    assert client.get(page).status_code == 404
    assert client.get(f"/api/services/requests/{mine.pk}").status_code == 404
    listed = json.dumps(client.get("/api/services/requests").json(), ensure_ascii=False)
    assert NAME not in listed and mine.number not in listed and shed.number not in listed
    client.force_login(world.resident)
    own = client.get(f"/api/services/requests/{mine.pk}").json()  # their own, in full
    assert own["description"] == STORY and own["address"] == ADDRESS


def test_open311_list_reads_in_a_fixed_number_of_queries(
    client, world, api_key, django_assert_max_num_queries
):
    for n in range(6):
        _file(client, api_key, "CG-003", address_string=f"{n}号")
    with django_assert_max_num_queries(4):
        rows = client.get(f"{BASE}/requests.json").json()
    assert len(rows) >= 6


def test_in_english_too(client, world, hardship):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ValidationError) as error:
        request_services.request_publish_public_text(
            actor=world.dispatcher, request=hardship, description="ok\x00", status_notes=""
        )
    assert error.value.messages == [
        "Public summary contains control characters (such as NUL); remove them before publishing."
    ]
    request_services.request_publish_public_text(
        actor=world.dispatcher, request=hardship, description="Done.", status_notes=""
    )
    client.force_login(world.dispatcher)
    page = client.get(
        reverse("services:request_detail", args=[hardship.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Reviewed and published by a dispatcher on" in page
    assert "Public status note (optional)" in page and "公开" not in page


def test_a_dispatcher_marks_an_item_sensitive_and_open311_stops_naming_it(client, world, shed):
    item = world.items["CG-003"]
    [row] = client.get(f"{BASE}/requests/{shed.pk}.json").json()
    assert row["service_code"] == "CG-003"
    client.force_login(world.dispatcher)
    url = reverse("services:item_detail", args=[item.pk])
    data = {
        "name": item.name, "category": item.category, "group": item.group,
        "lead_department": item.lead_department_id, "acceptance_days": 1, "deadline_days": 13,
        "applicant": "anyone", "is_active": "on", "sensitive": "on", "fields_json": "[]",
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    item.refresh_from_db()
    assert item.sensitive and item.version == 2
    assert AuditEvent.objects.filter(
        action="services.item_update", object_id=str(item.pk), changes__has_key="sensitive"
    ).exists()
    assert "涉及个人情况" in client.get(url).content.decode()
    client.logout()
    [row] = client.get(f"{BASE}/requests/{shed.pk}.json").json()
    assert row["service_code"] is None and row["service_name"] is None
    assert row["agency_responsible"] is None
