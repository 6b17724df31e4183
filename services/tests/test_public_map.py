"""The public map and list of requests (issue #14 item 4): readable without signing in, it leaks
nothing personal — no name, phone, address, resident text or internal note; coordinates rounded
to 3 decimals — only the text a dispatcher published; filterable by item and state; the place
outlines drawn as the base map; a bounded number of queries; the community's followers hear of a
request when its text is first published."""

import json
import re

import pytest

from core import boundaries
from core.models import Notification
from notify import follows
from services import services as request_services
from services.models import ServiceRequest

pytestmark = pytest.mark.django_db
URL = "/services/public/"
NAME, MOBILE = "张秀英", "13812345678"
STORY = f"我叫{NAME}，手机{MOBILE}，家门口的窨井盖松动了"
SECRET = "内部：与物业经理私下沟通过"


def filed(world, item_code="CG-003", grid=0, **extra):
    return request_services.request_submit(
        actor=world.d.root, place=world.d.grids[grid], item=world.items[item_code],
        description=STORY, contact_name=NAME, contact_phone=MOBILE,
        address=f"白鹭小区3栋201 {NAME}", lat="32.041567", long="118.794612", **extra,
    )  # fmt: skip


def dispatched(world, req):
    root = world.d.root
    req = request_services.request_accept(actor=root, request=req, note="", internal_note=SECRET)
    return request_services.request_dispatch(
        actor=root, request=req, department=world.d.departments[1], internal_note=SECRET
    )


def page(client, **query):
    response = client.get(URL, query)
    assert response.status_code == 200, response.content[:500]
    return response.content.decode()


def map_data(html) -> dict:
    found = re.search(r'id="place-map-data"[^>]*>(.*?)</script>', html, re.S)
    return json.loads(found.group(1))


def test_anyone_reads_it_and_nothing_personal_is_on_it(world, client):
    req = dispatched(world, filed(world))
    hardship = filed(world, "MZ-001", grid=1)  # about a person's circumstances: not named
    html = page(client)
    assert req.number in html and "违章搭建" in html and hardship.number in html
    for leak in (NAME, MOBILE, "3栋201", "白鹭小区", "窨井盖", SECRET, "32.041567", "118.794612"):
        assert leak not in html, leak
    assert "困难群众救助" not in html  # the sensitive item's name
    points = {p["number"]: p for p in map_data(html)["points"]}
    assert points[req.number]["lat"] == 32.042 and points[req.number]["lng"] == 118.795
    assert points[hardship.number]["label"] == "其他诉求"


def test_only_published_words_are_shown(world, client):
    req = dispatched(world, filed(world))
    request_services.request_publish_public_text(
        actor=world.dispatcher, request=req, description="某小区门口井盖松动，已派城管处理",
        status_notes="已设置警示标志",
    )  # fmt: skip
    html = page(client)
    assert "某小区门口井盖松动，已派城管处理" in html and "已设置警示标志" in html
    assert STORY not in html and NAME not in html


def test_filters_by_item_and_state_and_ignores_nonsense(world, client):
    shed = dispatched(world, filed(world, "CG-003"))
    bins = filed(world, "CG-002")
    by_item = page(client, item="CG-002")
    assert bins.number in by_item and shed.number not in by_item
    by_state = page(client, state="dispatched")
    assert shed.number in by_state and bins.number not in by_state
    opened = page(client, state="open")
    assert shed.number in opened and bins.number in opened
    assert shed.number not in page(client, state="closed")
    # A sensitive item's code is not a filter (it cannot single those requests out): ignored,
    # like any unknown value — the whole list, never a 500.
    hardship = filed(world, "MZ-001")
    unfiltered = page(client, item="MZ-001", state="submitted")
    assert bins.number in unfiltered and hardship.number in unfiltered
    assert "困难群众救助" not in unfiltered
    everything = page(client, item="<script>", state="merged", page="x")
    assert shed.number in everything and bins.number in everything
    assert client.get(URL, {"district": "999999"}).status_code == 404


def test_outlines_are_the_base_map(world, client):
    collection = boundaries.demo_collection(world.d.district, (32.04, 118.79))
    boundaries.boundaries_import(
        actor=world.d.root, district=world.d.district, collection=collection
    )
    drawn = map_data(page(client))
    levels = [f["properties"]["level"] for f in drawn["boundaries"]["features"]]
    assert levels[0] == "district" and levels.count("grid") == len(world.d.grids)
    assert drawn["tiles"] == ""  # no tile server: the outlines are all there is
    assert set(drawn["boundaries"]["features"][0]["properties"]) == {"code", "name", "level"}


def test_query_count_does_not_grow_with_the_rows(world, client, django_assert_max_num_queries):
    """Pin: district, items, the page's rows, their published text, the outlines (5); the same
    with 3 rows as with 12."""
    for _n in range(3):
        dispatched(world, filed(world))
    with django_assert_max_num_queries(6):
        page(client, state="open")
    for _n in range(9):
        filed(world)
    with django_assert_max_num_queries(6):
        html = page(client)
    assert html.count('<tr id="r') >= 12


def test_followers_of_the_community_hear_when_its_text_is_published(world):
    req = dispatched(world, filed(world))
    follower = world.user("resident:own")
    follows.follow(actor=follower, target=follows.key_of(world.d.grids[0].parent))
    before = Notification.objects.filter(user=follower).count()
    request_services.request_publish_public_text(
        actor=world.dispatcher, request=req, description="井盖松动，已派城管处理"
    )
    note = Notification.objects.filter(user=follower).latest("pk")
    assert Notification.objects.filter(user=follower).count() == before + 1
    assert req.number in note.title and note.body == "井盖松动，已派城管处理"
    assert note.url == f"{URL}#r{req.pk}"
    # Publishing again (a new wording) does not tell them twice.
    request_services.request_publish_public_text(
        actor=world.dispatcher, request=req, description="井盖已更换"
    )
    assert Notification.objects.filter(user=follower).count() == before + 1
    assert ServiceRequest.objects.get(pk=req.pk).public_texts.count() == 2
