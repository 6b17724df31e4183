"""Following a request (issue #15 item 3): whoever may see a request may follow it and hears its
public steps (never internal notes) through notify; the filer is not told twice; following what
one may not see is refused with nothing written; a follower who loses access hears nothing more.
Places and service items are followed under the same rule (roles x places)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core import services as core_services
from core.models import AuditEvent, Notification, RoleAssignment
from notify import follows
from notify.models import Follow
from services import services as request_services
from services.selectors import requests_visible_to

pytestmark = pytest.mark.django_db
SECRET = "内部：勿外传的派单说明"


def submit(world):
    return request_services.request_submit(
        actor=world.resident, place=world.d.grids[0], item=world.items["CG-002"],
        description="小区门口垃圾桶满了三天没人清运", resident=world.resident.person,
    )  # fmt: skip


def run_to_close(world, request):
    request_services.request_accept(
        actor=world.dispatcher, request=request, note="已登记", internal_note=SECRET
    )
    request_services.request_dispatch(
        actor=world.dispatcher, request=request, department=world.d.departments[0]
    )
    request_services.request_sign(actor=world.officer, request=request)
    request_services.request_answer(actor=world.officer, request=request, answer="已清运完毕")
    request_services.request_close(actor=world.dispatcher, request=request)


def notes_of(user, request):
    return list(
        Notification.objects.filter(user=user, title__startswith=request.number).order_by("pk")
    )


def test_a_follower_hears_the_public_steps_and_the_filer_once(world):
    request = submit(world)
    follower = world.user("community_worker:own")
    follows.follow(actor=follower, target=follows.key_of(request))
    # The filer following too changes nothing: they are told once, as the requester.
    follows.follow(actor=world.resident, target=follows.key_of(request))
    run_to_close(world, request)
    n = request.number
    assert [x.title for x in notes_of(follower, request)] == [
        f"{n} （关注）已受理", f"{n} （关注）已派单，由民政局办理", f"{n} （关注）部门已答复",
        f"{n} （关注）已办结",
    ]  # fmt: skip
    bodies = " ".join(x.body for x in notes_of(follower, request))
    assert "已登记" in bodies and "已清运完毕" in bodies and SECRET not in bodies
    assert [x.title for x in notes_of(world.resident, request)] == [
        f"{n} 已受理", f"{n} 已派单，由民政局办理", f"{n} 部门已签收，正在办理", f"{n} 部门已答复",
        f"{n} 已办结，请您评价",
    ]  # fmt: skip


def test_following_what_one_may_not_see_is_refused_and_writes_nothing(world):
    request = submit(world)
    target = follows.key_of(request)
    seeing = set()
    for key, user in world.d.users.items():
        before = (Follow.objects.count(), AuditEvent.objects.count())
        if requests_visible_to(user).filter(pk=request.pk).exists():
            follows.follow(actor=user, target=target)
            seeing.add(key)
            continue
        with pytest.raises(PermissionDenied, match="无权查看"):
            follows.follow(actor=user, target=target)
        assert (Follow.objects.count(), AuditEvent.objects.count()) == before, key
    # Those of the request's own place and district, and the filer; nobody of the other side.
    assert seeing == {
        "admin:own", "coordinator:own", "street_officer:own", "community_worker:own",
        "grid_worker:own", "auditor:own", "resident:own",
    }  # fmt: skip
    with pytest.raises(ValidationError, match="已关注"):
        follows.follow(actor=world.dispatcher, target=target)
    with pytest.raises(ValidationError, match="只能关注"):
        follows.follow(actor=world.dispatcher, target="core.person:1")
    with pytest.raises(ValidationError, match="没有关注"):
        follows.unfollow(actor=world.user("resident:other"), target=target)


def test_places_and_items_follow_the_same_rule(world):
    own, other = world.d.communities[0], world.d.communities[-1]
    worker = world.user("community_worker:own")
    follows.follow(actor=worker, target=follows.key_of(own))
    with pytest.raises(PermissionDenied):
        follows.follow(actor=worker, target=follows.key_of(other))
    resident = world.resident  # a resident may follow their own community, not another
    follows.follow(actor=resident, target=follows.key_of(world.d.grids[0].parent))
    with pytest.raises(PermissionDenied):
        follows.follow(actor=resident, target=follows.key_of(other))
    item = world.items["CG-002"]
    follows.follow(actor=world.officer, target=follows.key_of(item))
    shown = follows.follows_of(worker)
    assert [(f["name"], str(f["kind"])) for f in shown] == [(own.name, "地区")]


def test_a_follower_who_loses_access_stops_hearing(world):
    request = submit(world)
    follower = world.user("community_worker:own")
    follows.follow(actor=follower, target=follows.key_of(request))
    request_services.request_accept(actor=world.dispatcher, request=request, note="已登记")
    assignment = RoleAssignment.objects.active().get(user=follower)
    core_services.role_end(actor=world.d.root, assignment=assignment)
    request_services.request_dispatch(
        actor=world.dispatcher, request=request, department=world.d.departments[0]
    )
    assert [x.title for x in notes_of(follower, request)] == [f"{request.number} （关注）已受理"]
    fresh = type(follower).objects.get(pk=follower.pk)  # the fixture's object caches its roles
    assert [f["name"] for f in follows.follows_of(fresh)] == ["（您已无权查看）"]


def test_the_buttons_follow_and_unfollow(world, client):
    request = submit(world)
    staff = world.user("street_officer:own")
    client.force_login(staff)
    page = client.get(f"/services/requests/{request.pk}/")
    assert 'id="follow"' in page.content.decode()
    target = follows.key_of(request)
    back = f"/services/requests/{request.pk}/"
    response = client.post("/notify/follow/", {"target": target, "next": back})
    assert response.status_code == 302 and response.url == back
    assert 'id="unfollow"' in client.get(back).content.decode()
    listed = client.get("/notify/preferences/").content.decode()
    assert request.number in listed and "我的关注" in listed
    client.post("/notify/follow/", {"target": target, "undo": "1"})
    assert not Follow.objects.filter(user=staff).exists()
    # Someone who may not see it gets a 404 and nothing is written.
    client.force_login(world.user("street_officer:other"))
    assert client.post("/notify/follow/", {"target": target}).status_code == 404
    assert not Follow.objects.filter(target=target).exists()


def test_followers_of_a_place_or_an_item_hear_of_new_requests_they_may_see(world):
    from django.utils import timezone

    from services import tasks as services_tasks

    worker, resident = world.user("community_worker:own"), world.resident
    home = world.d.grids[0].parent
    follows.follow(actor=worker, target=follows.key_of(home))
    follows.follow(actor=world.dispatcher, target=follows.key_of(world.items["CG-002"]))
    follows.follow(actor=resident, target=follows.key_of(home))
    follows.follow(actor=world.user("street_officer:other"), target=follows.key_of(
        world.d.communities[-1]))  # fmt: skip
    request = submit(world)
    end = timezone.localtime(request.created_at) + datetime.timedelta(minutes=10)
    slot = end.replace(minute=end.minute // 10 * 10, second=0, microsecond=0)
    result = services_tasks.new_requests_notice(period=slot.strftime("%Y-%m-%dT%H:%M"))
    assert result["followers"] == 2

    def told(user):
        return list(
            Notification.objects.filter(user=user, title__endswith="件新诉求").values_list(
                "title", flat=True
            )
        )

    assert told(worker) == [f"{home.name}：1件新诉求"]
    assert told(world.dispatcher) == [f"{world.items['CG-002'].name}：1件新诉求"]
    assert told(resident) == []  # their own request; others' they may not see
    assert told(world.user("street_officer:other")) == []  # none in the other community
