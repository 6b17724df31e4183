"""The community channel end to end through its services and pages: a worker writes, a second
staff member reviews, the post is public without signing in and its followers hear it; events
take sign-ups to capacity until the deadline and may be cancelled until the rule's cut-off;
bad input is refused in words with nothing written; typed text is never served as HTML."""

import datetime
import io

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from channel import services
from channel.models import ChannelRule, Post, Signup
from channel.testing import event_fields, published_post
from core.models import AuditEvent, Notification
from core.testing import build_small_district
from core.tests.modules import rolled_back_after
from notify import follows
from notify.models import Message

pytestmark = pytest.mark.django_db
DAY = datetime.datetime(2026, 6, 10, 2, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def district(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker), time_machine.travel(DAY, tick=False):
        d = build_small_district()
        services.rules_seed(actor=d.root, district=d.district)
        yield d


@pytest.fixture
def world(district, db):
    with time_machine.travel(DAY, tick=True):
        yield district


def users(d):
    return (d.users["community_worker:own"], d.users["street_officer:own"],
            d.users["resident:own"])  # fmt: skip


def counts():
    return [Post.objects.count(), Signup.objects.count(), ChannelRule.objects.count(),
            AuditEvent.objects.count()]  # fmt: skip


def test_write_review_publish_and_followers_hear_it(world, client):
    d = world
    worker, officer, resident = users(d)
    community = d.communities[0]
    follows.follow(actor=resident, target=follows.key_of(community))
    post = services.post_create(actor=worker, community=community, kind="notice",
                                title="停水通知", body="周三9时至12时停水。")  # fmt: skip
    # Not published yet: the public does not see it.
    assert client.get(f"/channel/p/{post.pk}/").status_code == 404
    services.post_submit(actor=worker, post=post)
    asked = Message.objects.filter(kind="channel.review_asked", notification__user=officer)
    assert asked.count() == 1
    # The author may not review their own post.
    before = counts()
    with pytest.raises(PermissionDenied):
        services.post_approve(actor=worker, post=post)
    assert counts() == before
    services.post_approve(actor=officer, post=post)
    post.refresh_from_db()
    assert post.state == "published" and post.reviewer == officer
    assert asked.get().resolved_at is not None  # the review ask is settled
    told = Notification.objects.get(user=resident)
    assert told.title == "第1街道第1社区发布通知公告：停水通知"
    # Anyone reads it, signed in or not.
    page = client.get(f"/channel/p/{post.pk}/").content.decode()
    assert "周三9时至12时停水。" in page
    assert "停水通知" in client.get(f"/channel/c/{community.pk}/").content.decode()
    assert "停水通知" in client.get("/channel/").content.decode()


def test_returned_post_is_edited_and_resubmitted(world):
    d = world
    worker, officer, _resident = users(d)
    post = services.post_create(actor=worker, community=d.communities[0], kind="service",
                                title="理发", body="每月5日义务理发", contact="社区服务站")  # fmt: skip
    services.post_submit(actor=worker, post=post)
    before = counts()
    with pytest.raises(ValidationError, match="退回理由不能为空"):
        services.post_return(actor=officer, post=post, note="  ")
    assert counts() == before
    services.post_return(actor=officer, post=post, note="请写明时间地点")
    assert Notification.objects.filter(user=worker, title__contains="理发").exists()
    services.post_edit(actor=worker, post=post, title="义务理发", body="每月5日上午，社区服务站",
                       contact="社区服务站")  # fmt: skip
    services.post_submit(actor=worker, post=post)
    services.post_approve(actor=officer, post=post)
    assert Post.objects.get(pk=post.pk).title == "义务理发"


@pytest.mark.parametrize(
    ("kind", "fields", "message"),
    [
        ("notice", {"title": "", "body": "x"}, "标题不能为空"),
        ("notice", {"title": "通知", "body": ""}, "正文不能为空"),
        ("notice", {"title": "通知", "body": "长" * 5001}, "正文过长"),
        ("service", {"title": "理发", "body": "义务理发"}, "便民服务须写明联系方式"),
        ("deliberation_result", {"title": "结果", "body": "x"}, "议事结果由协商议事模块发布"),
        ("poem", {"title": "诗", "body": "x"}, "未知的文章类别"),
        ("event", {"capacity": 0}, "名额应在1至500之间"),
        ("event", {"capacity": 501}, "名额应在1至500之间"),
        ("event", {"starts_at": None}, "请填写活动开始时间"),
        ("event", {"location": ""}, "活动地点不能为空"),
        ("event", {"days": -1}, "活动开始时间应晚于现在"),
        ("event", {"signup_deadline": DAY + datetime.timedelta(days=30)},
         "报名截止时间应晚于现在、不晚于活动开始时间"),
    ],
)  # fmt: skip
def test_bad_posts_are_refused_in_words_and_write_nothing(world, kind, fields, message):
    d = world
    worker = d.users["community_worker:own"]
    before = counts()
    with time_machine.travel(DAY, tick=False), pytest.raises(ValidationError, match=message):
        if kind == "event":  # an event's fields around the test's moment, one of them bad
            fields = {**event_fields(days=fields.pop("days", 7)), **fields}
        services.post_create(actor=worker, community=d.communities[0], kind=kind, **fields)
    assert counts() == before


def test_a_street_is_not_a_community_and_an_image_must_be_one(world):
    d = world
    worker = d.users["street_officer:own"]
    before = counts()
    with pytest.raises(ValidationError, match="请选择社区"):
        services.post_create(actor=worker, community=d.streets[0], kind="notice",
                             title="通知", body="x")  # fmt: skip
    fake = SimpleUploadedFile("x.png", b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError):
        services.post_create(actor=worker, community=d.communities[0], kind="notice",
                             title="通知", body="x", image=fake)  # fmt: skip
    assert counts() == before


def test_an_image_is_reencoded_and_served_as_an_image(world, client):
    d = world
    worker, officer, _resident = users(d)
    raw = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(raw, "PNG")
    upload = SimpleUploadedFile("../../evil name.png", raw.getvalue(), content_type="image/png")
    post = published_post(author=worker, reviewer=officer, community=d.communities[0],
                          image=upload)  # fmt: skip
    assert "evil" not in post.image.name
    answer = client.get(f"/channel/p/{post.pk}/image/")
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"


def test_typed_text_is_escaped(world, client):
    d = world
    worker, officer, _resident = users(d)
    post = published_post(author=worker, reviewer=officer, community=d.communities[0],
                          title="<b>粗</b>", body="<script>alert('x')</script>")  # fmt: skip
    page = client.get(f"/channel/p/{post.pk}/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    assert "<b>粗</b>" not in page and "&lt;b&gt;粗&lt;/b&gt;" in page


def test_event_sign_up_capacity_deadline_and_cancel(world, client):
    d = world
    worker, officer, resident = users(d)
    event = published_post(author=worker, reviewer=officer, community=d.communities[0],
                           kind="event", **event_fields(capacity=2))  # fmt: skip
    other = d.users["resident:other"]
    grid = d.users["grid_worker:own"]
    services.signup_create(actor=resident, post=event)
    before = counts()
    with pytest.raises(ValidationError, match="您已报名这个活动"):
        services.signup_create(actor=resident, post=event)
    services.signup_create(actor=other, post=event)
    with pytest.raises(ValidationError, match="名额已满"):
        services.signup_create(actor=grid, post=event)
    assert Signup.objects.filter(cancelled_at__isnull=True).count() == 2
    services.signup_cancel(actor=other, post=event)
    services.signup_create(actor=grid, post=event)  # the place given back is taken
    # Staff see the list with names masked.
    client.force_login(worker)
    page = client.get(f"/channel/p/{event.pk}/").content.decode()
    assert "已报2 / 共2" in page and "resident-own" not in page and "r****" in page
    # Past the deadline nobody signs up; inside the cut-off nobody cancels.
    with time_machine.travel(event.signup_deadline + datetime.timedelta(minutes=1)):
        before = counts()
        with pytest.raises(ValidationError, match="报名已截止"):
            services.signup_create(actor=other, post=event)
        assert counts() == before
    with time_machine.travel(event.starts_at - datetime.timedelta(hours=1)):
        with pytest.raises(ValidationError, match="活动开始前2小时内不能取消报名"):
            services.signup_cancel(actor=resident, post=event)
        assert counts() == before
    # Not an event, and not signed in.
    notice = published_post(author=worker, reviewer=officer, community=d.communities[0])
    with pytest.raises(ValidationError, match="不是正在报名的活动"):
        services.signup_create(actor=resident, post=notice)
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.signup_create(actor=AnonymousUser(), post=event)


def test_a_withdrawn_event_tells_those_signed_up(world):
    d = world
    worker, officer, resident = users(d)
    event = published_post(author=worker, reviewer=officer, community=d.communities[0],
                           kind="event")  # fmt: skip
    services.signup_create(actor=resident, post=event)
    services.post_withdraw(actor=officer, post=event, note="天气原因取消")
    note = Notification.objects.get(user=resident, title__startswith="活动已撤回")
    assert note.body == "天气原因取消"
    before = counts()
    with pytest.raises(ValidationError, match="不是正在报名的活动"):
        services.signup_create(actor=d.users["resident:other"], post=event)
    assert counts() == before


def test_deliberation_publishes_its_result_once(world):
    d = world
    worker, _officer, resident = users(d)
    community = d.communities[0]
    follows.follow(actor=resident, target=follows.key_of(community))
    post = services.publish_deliberation_result(
        actor=worker, community=community, title="加装电梯议事结果", body="同意加装。",
        source="deliberation.decision:7",
    )  # fmt: skip
    assert post.state == "published" and post.kind == "deliberation_result"
    again = services.publish_deliberation_result(
        actor=worker, community=community, title="加装电梯议事结果", body="同意加装。",
        source="deliberation.decision:7",
    )  # fmt: skip
    assert again.pk == post.pk and Post.objects.count() == 1
    assert Notification.objects.filter(user=resident).count() == 1
    with pytest.raises(PermissionDenied):
        services.publish_deliberation_result(
            actor=d.users["community_worker:other"], community=community, title="x", body="y",
            source="deliberation.decision:8",
        )  # fmt: skip


def test_rules_are_a_table_with_source_and_start(world, client):
    d = world
    admin = d.users["admin:own"]
    before = counts()
    with pytest.raises(ValidationError, match="同一生效日期已有规则"):
        services.rule_create(actor=admin, district=d.district, max_capacity=100,
                             cancel_hours=1, source="x", effective_from=datetime.date(2024, 1, 1))  # fmt: skip
    with pytest.raises(ValidationError, match="政策依据不能为空"):
        services.rule_create(actor=admin, district=d.district, max_capacity=100,
                             cancel_hours=1, source=" ", effective_from=datetime.date(2026, 7, 1))  # fmt: skip
    assert counts() == before
    client.force_login(admin)
    page = client.post("/channel/rules/", {
        "max_capacity": "30", "cancel_hours": "24", "source": "区民政局2026年第3号通知",
        "effective_from": "2026-06-01",
    }, follow=True).content.decode()  # fmt: skip
    assert "单场活动最多30个名额" in page and "区民政局2026年第3号通知" in page
    worker = d.users["community_worker:own"]
    with pytest.raises(ValidationError, match="名额应在1至30之间"):
        services.post_create(actor=worker, community=d.communities[0], kind="event",
                             **event_fields(capacity=31))  # fmt: skip


def test_pages_answer_each_visitor(world, client):
    d = world
    worker, officer, resident = users(d)
    post = services.post_create(actor=worker, community=d.communities[0], kind="notice",
                                title="草稿", body="x")  # fmt: skip
    for url in ("/channel/", f"/channel/c/{d.communities[0].pk}/"):
        assert client.get(url).status_code == 200
    for url in ("/channel/manage/", "/channel/mine/", "/channel/rules/"):
        assert client.get(url).status_code == 302  # to log in
    client.force_login(resident)
    assert client.get("/channel/manage/").status_code == 403
    assert client.get(f"/channel/p/{post.pk}/").status_code == 404
    assert client.get("/channel/mine/").status_code == 200
    client.force_login(worker)
    manage = client.get("/channel/manage/")
    assert manage.status_code == 200 and "草稿" in manage.content.decode()
    # The form's post: a draft, then review by the officer on the page.
    answer = client.post("/channel/manage/", {
        "community": d.communities[0].pk, "kind": "notice", "title": "垃圾分类宣传",
        "body": "周六上午", "contact": "",
    })  # fmt: skip
    made = Post.objects.get(title="垃圾分类宣传")
    assert answer.status_code == 302
    client.post(f"/channel/p/{made.pk}/", {"action": "submit"})
    client.force_login(officer)
    client.post(f"/channel/p/{made.pk}/", {"action": "approve", "note": ""})
    assert Post.objects.get(pk=made.pk).state == "published"
    # A bad post on the form: refused in words, nothing written.
    client.force_login(worker)
    before = counts()
    page = client.post("/channel/manage/", {
        "community": d.communities[0].pk, "kind": "event", "title": "活动", "body": "x",
    }).content.decode()  # fmt: skip
    assert "请填写活动开始时间" in page and counts() == before
