"""A resident who follows their community hears what is published there
(notify.follows.tell_community_followers): new public requests, the channel's posts. Who may
still see the community is checked at the send; the author is not told; bad targets refused."""

import pytest
from django.core.exceptions import PermissionDenied

from core.models import Notification, RoleAssignment
from notify import follows
from notify.models import Delivery, Follow, Message

pytestmark = pytest.mark.django_db

PARAMS = {"community": "第1社区", "number": "R20260001", "summary": "路灯不亮"}


def tell(d, **extra):
    return follows.tell_community_followers(
        community=d.community, kind="notify.community_request", params=PARAMS, url="/x/", **extra
    )


def test_followers_of_the_community_hear_it_once_each(d):
    resident, worker = d.users["resident:own"], d.users["community_worker:own"]
    for user in (resident, worker):
        follows.follow(actor=user, target=follows.key_of(d.community))
    assert tell(d, skip=[worker]) == 1
    note = Notification.objects.get(user=resident)
    assert note.title == "第1社区：新的公开诉求R20260001" and note.body == "路灯不亮"
    assert Message.objects.get(pk=note.pk).kind == "notify.community_request"
    assert not Notification.objects.filter(user=worker).exists()
    # Without their own choice, community news stays in-app (no SMS for every new request).
    assert list(Delivery.objects.filter(user=resident).values_list("channel", flat=True)) == [
        "inapp"
    ]


def test_a_follower_who_moved_away_hears_nothing_more(d):
    resident = d.users["resident:own"]
    follows.follow(actor=resident, target=follows.key_of(d.community))
    RoleAssignment.objects.filter(user=resident).update(ended_at="2026-01-01T00:00:00Z")
    resident = type(resident).objects.get(pk=resident.pk)
    assert tell(d) == 0
    assert not Notification.objects.filter(user=resident).exists()


def test_nobody_following_and_a_place_that_is_not_a_community(d):
    assert tell(d) == 0
    with pytest.raises(ValueError):
        follows.tell_community_followers(
            community=d.grids[0], kind="notify.community_request", params=PARAMS, url=""
        )


def test_a_resident_may_not_follow_another_district_s_community(d):
    other = d.users["resident:other"]
    before = Follow.objects.count()
    from core import services as core_services

    far = core_services.district_create(
        actor=d.root, name="玄武区", code="320102", population=1, households=1
    )
    with pytest.raises(PermissionDenied):
        follows.follow(actor=other, target=follows.key_of(far))
    assert Follow.objects.count() == before


def test_following_the_community_from_its_channel_page(d, client):
    resident = d.users["resident:own"]
    client.force_login(resident)
    back = f"/channel/c/{d.community.pk}/"
    page = client.post("/notify/follow/", {"target": follows.key_of(d.community), "next": back},
                       follow=True).content.decode()  # fmt: skip
    assert "已关注：这里有新消息时会通知您。" in page and "取消关注" in page
    assert Follow.objects.filter(user=resident, target=f"core.place:{d.community.pk}").exists()
