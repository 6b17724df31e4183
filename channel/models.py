"""The community channel (社区公众号, issue #18 item 7): what a community's workers publish for
everyone to read without signing in, on a phone: notices, events with sign-up, convenience
services, and the results of deliberation.

A post is written by a community worker (or the street), reviewed by a second staff member,
and only then published; residents who follow the community (notify.Follow on the community
place) hear each published post. An event takes sign-ups up to its capacity until its deadline;
a resident may cancel until the district's cut-off before it starts (``ChannelRule``, an
editable table with its source and start date). Typed text is kept as typed and always shown
escaped; an image is re-encoded pixels only (core.images).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.clock import MomentField
from core.models import Place
from core.records import CommunityRecord, SourcedRule


class ChannelRule(SourcedRule):
    """How a district's channels take sign-ups from a date: the most places an event may offer,
    and how many hours before it starts a sign-up can no longer be cancelled."""

    max_capacity = models.PositiveIntegerField(_("单场活动名额上限"))
    cancel_hours = models.PositiveSmallIntegerField(_("活动开始前多少小时停止取消报名"))

    class Meta:
        verbose_name = _("社区公众号规则")
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "effective_from"], name="channel_rule_one_per_start"
            ),
            models.CheckConstraint(condition=Q(max_capacity__gt=0), name="channel_rule_capacity"),
        ]

    def __str__(self):
        return f"{self.max_capacity}/{self.cancel_hours}h {self.effective_from}"


class Post(CommunityRecord):
    class Kind(models.TextChoices):
        NOTICE = "notice", _("通知公告")
        EVENT = "event", _("活动报名")
        SERVICE = "service", _("便民服务")
        DELIBERATION = "deliberation_result", _("议事结果")

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        IN_REVIEW = "in_review", _("待审核")
        RETURNED = "returned", _("退回修改")
        PUBLISHED = "published", _("已发布")
        WITHDRAWN = "withdrawn", _("已撤回")

    street = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices)
    state = models.CharField(_("状态"), max_length=12, choices=State.choices, default=State.DRAFT)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("正文"))
    contact = models.CharField(_("联系方式"), max_length=100, blank=True)
    location = models.CharField(_("地点"), max_length=100, blank=True)
    starts_at = models.DateTimeField(_("活动开始时间"), null=True, blank=True)
    signup_deadline = models.DateTimeField(_("报名截止时间"), null=True, blank=True)
    capacity = models.PositiveIntegerField(_("名额"), null=True, blank=True)
    # Re-encoded pixels only, under a generated name (core.images); served only as an image.
    image = models.FileField(_("图片"), upload_to="channel/%Y/%m/", blank=True)
    # What published it from elsewhere: "deliberation.decision:12" (one post per source).
    source = models.CharField(max_length=80, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    created_at = MomentField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("社区公众号文章")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["community", "state", "published_at"], name="channel_post_feed")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source"], condition=~Q(source=""), name="channel_post_one_per_source"
            ),
            models.CheckConstraint(
                condition=~Q(kind="event")
                | Q(starts_at__isnull=False, signup_deadline__isnull=False, capacity__gt=0),
                name="channel_event_has_time_and_places",
            ),
        ]

    def __str__(self):
        return self.title


class Signup(CommunityRecord):
    """One account's place at an event; cancelled, never deleted."""

    post = models.ForeignKey(Post, on_delete=models.PROTECT, related_name="signups")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="channel_signups"
    )
    created_at = MomentField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("活动报名")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["post", "user"],
                condition=Q(cancelled_at__isnull=True),
                name="channel_signup_once",
            )
        ]

    def __str__(self):
        return f"{self.post_id}:{self.user_id}"
