"""The channel's demo builder on the small test district: three published posts (one an event
open for sign-up) and one waiting for review, readable without signing in."""

import pytest

from channel import demo
from channel.models import Post
from core.testing import build_small_district

pytestmark = pytest.mark.django_db


def test_the_demo_channel_has_published_posts_and_one_in_review(client):
    d = build_small_district()
    demo.build(district=d.district, builder=d.root, seed=2026, out=print)
    assert Post.objects.filter(state="published").count() == 3
    assert Post.objects.filter(state="in_review").count() == 1
    event = Post.objects.get(kind="event")
    page = client.get(f"/channel/p/{event.pk}/").content.decode()
    assert "重阳节包饺子活动" in page and "登录后报名" in page
