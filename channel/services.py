"""Every write of the community channel: posts written, reviewed by a second staff member and
published (or returned, or withdrawn), sign-ups to events and their cancelling, the district's
sign-up rules, and the door the deliberation app publishes its results through."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from channel import defaults
from channel.models import ChannelRule, Post, Signup
from core import audit, clock, images
from core.clock import one_write
from core.models import Place, PlaceLevel, Role
from core.selectors import role_holders
from core.validation import clean_int, clean_name, clean_text
from core.validation import require_perm as _require

MAX_IMAGE_BYTES = 5 * 1024 * 1024
BODY_LIMIT = 5000
S = Post.State


def rule_in_force(district, day: datetime.date) -> ChannelRule | None:
    return ChannelRule.objects.in_force(day, district=district)


# ---------------------------------------------------------------- rules


@one_write
def rule_create(
    *, actor, district: Place, max_capacity, cancel_hours, source: str, effective_from
) -> ChannelRule:
    """A new sign-up rule for the district from ``effective_from`` (never an edit in place)."""
    if district is None or district.level != PlaceLevel.DISTRICT:
        raise ValidationError(_("规则按区设定，请选择区。"), code="district")
    _require(actor, "channel.set_rules", district, _("只有区系统管理员或区减负办可以设定规则。"))
    capacity = clean_int(max_capacity, _("单场活动名额上限"), 1, 100_000)
    hours = clean_int(cancel_hours, _("停止取消报名的小时数"), 0, 720)
    source = clean_text(source, _("政策依据"), limit=300)
    if not isinstance(effective_from, datetime.date):
        raise ValidationError(_("请填写生效日期。"), code="date")
    if ChannelRule.objects.filter(district=district, effective_from=effective_from).exists():
        raise ValidationError(_("同一生效日期已有规则，请另选日期。"), code="duplicate")
    rule = ChannelRule.objects.create(
        district=district, max_capacity=capacity, cancel_hours=hours, source=source,
        effective_from=effective_from, created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="channel.rule_create", obj=rule, place=district,
                 changes={"max_capacity": capacity, "cancel_hours": hours, "source": source,
                          "effective_from": str(effective_from)})  # fmt: skip
    return rule


def rules_seed(*, actor, district: Place) -> ChannelRule | None:
    """The platform's default rule for a district that has none (safe to run twice)."""
    if ChannelRule.objects.filter(district=district).exists():
        return None
    return rule_create(
        actor=actor, district=district, max_capacity=defaults.MAX_CAPACITY,
        cancel_hours=defaults.CANCEL_HOURS, source=defaults.SOURCE,
        effective_from=defaults.IN_FORCE,
    )  # fmt: skip


# ---------------------------------------------------------------- posts


def _clean_image(image):
    if not image:
        return None
    if image.size > MAX_IMAGE_BYTES:
        raise ValidationError(_("图片不能超过5MB。"), code="photo_size")
    return images.reencode(image, max_bytes=MAX_IMAGE_BYTES).as_file()


def _aware(value, label) -> datetime.datetime:
    if not isinstance(value, datetime.datetime):
        raise ValidationError(_("请填写%(label)s。"), params={"label": label}, code="required")
    if value.tzinfo is None:
        raise ValidationError(_("%(label)s缺少时区。"), params={"label": label}, code="tz")
    return value


def _event_fields(district, fields: dict, now) -> dict:
    """An event's time, deadline and places checked against the rule in force."""
    starts = _aware(fields.get("starts_at"), _("活动开始时间"))
    deadline = _aware(fields.get("signup_deadline"), _("报名截止时间"))
    if starts <= now:
        raise ValidationError(_("活动开始时间应晚于现在。"), code="past")
    if not now < deadline <= starts:
        raise ValidationError(_("报名截止时间应晚于现在、不晚于活动开始时间。"), code="deadline")
    rule = rule_in_force(district, clock.today())
    if rule is None:
        raise ValidationError(
            _("本区尚未设定活动报名规则（名额上限等），请区管理员先设定。"), code="no_rule"
        )
    capacity = clean_int(fields.get("capacity"), _("名额"), 1, rule.max_capacity)
    location = clean_name(fields.get("location"), _("活动地点"))
    return {"starts_at": starts, "signup_deadline": deadline, "capacity": capacity,
            "location": location}  # fmt: skip


def _cleaned(kind: str, district, fields: dict, now) -> dict:
    if kind not in Post.Kind.values:
        raise ValidationError(_("未知的文章类别。"), code="kind")
    if kind == Post.Kind.DELIBERATION and not fields.get("source"):
        raise ValidationError(_("议事结果由协商议事模块发布，不能在此撰写。"), code="kind")
    out = {
        "kind": kind,
        "title": clean_name(fields.get("title"), _("标题")),
        "body": clean_text(fields.get("body"), _("正文"), limit=BODY_LIMIT),
        "contact": clean_text(fields.get("contact"), _("联系方式"), required=False, limit=100),
        "location": "", "starts_at": None, "signup_deadline": None, "capacity": None,
    }  # fmt: skip
    if kind == Post.Kind.SERVICE and not out["contact"]:
        raise ValidationError(_("便民服务须写明联系方式（电话或地址）。"), code="contact")
    if kind == Post.Kind.EVENT:
        out |= _event_fields(district, fields, now)
    return out


def _community(community) -> Place:
    if community is None or community.level != PlaceLevel.COMMUNITY:
        raise ValidationError(_("社区公众号按社区发布，请选择社区。"), code="community")
    return community


@one_write
def post_create(*, actor, community: Place, kind: str, image=None, **fields) -> Post:
    """A draft post in ``community``'s channel. ``fields``: title, body, contact, and for an
    event location, starts_at, signup_deadline, capacity."""
    community = _community(community)
    _require(actor, "channel.write_post", community, _("只有本社区的工作人员可以撰写文章。"))
    values = _cleaned(kind, community.district, fields, clock.now())
    post = Post.objects.create(
        district_id=community.district_id, street_id=community.parent_id, community=community,
        author=actor, image=_clean_image(image) or "", **values,
    )  # fmt: skip
    audit.record(actor=actor, action="channel.post_create", obj=post,
                 changes={"kind": kind, "title": values["title"]})  # fmt: skip
    return post


def _locked(post: Post) -> Post:
    return Post.objects.select_for_update().select_related("community").get(pk=post.pk)


def _require_state(post: Post, *states, message: str) -> None:
    if post.state not in states:
        raise ValidationError(message, code="state")


@one_write
def post_edit(*, actor, post: Post, image=None, **fields) -> Post:
    """The author (or a colleague) edits a draft or a returned post."""
    post = _locked(post)
    _require(actor, "channel.write_post", post, _("只有本社区的工作人员可以修改文章。"))
    _require_state(post, S.DRAFT, S.RETURNED, message=_("只有草稿或退回修改的文章可以修改。"))
    values = _cleaned(post.kind, post.district, fields, clock.now())
    changed = [k for k, v in values.items() if getattr(post, k) != v]
    for key, value in values.items():
        setattr(post, key, value)
    cleaned_image = _clean_image(image)
    if cleaned_image is not None:
        post.image, changed = cleaned_image, [*changed, "image"]
    post.save()
    audit.record(actor=actor, action="channel.post_edit", obj=post, changes={"fields": changed})
    return post


def _reviewers(post: Post) -> list:
    """Who is asked to review: the community's workers and its street's officers, not the
    author."""
    users = role_holders([Role.COMMUNITY_WORKER], places=[post.community_id])
    officers = role_holders([Role.STREET_OFFICER], places=[post.street_id])
    return [u for u in {*users, *officers} if u.pk != post.author_id]


@one_write
def post_submit(*, actor, post: Post) -> Post:
    """Send a draft (or a returned post) for review by a second staff member."""
    from notify import services as notify

    post = _locked(post)
    _require(actor, "channel.write_post", post, _("只有本社区的工作人员可以提交审核。"))
    _require_state(post, S.DRAFT, S.RETURNED, message=_("只有草稿或退回修改的文章可以提交审核。"))
    if post.kind == Post.Kind.EVENT and post.signup_deadline <= clock.now():
        raise ValidationError(_("报名截止时间已过，请先修改活动时间。"), code="deadline")
    post.state, post.submitted_at = S.IN_REVIEW, clock.now()
    post.save(update_fields=["state", "submitted_at"])
    audit.record(actor=actor, action="channel.post_submit", obj=post)
    notify.send(
        kind="channel.review_asked", recipients=_reviewers(post), actor=actor, subject=post,
        params={"community": post.community.name, "title": post.title},
        url=reverse("channel:post", args=[post.pk]),
    )  # fmt: skip
    return post


def _tell_followers(post: Post, actor) -> int:
    from notify import follows

    return follows.tell_community_followers(
        community=post.community, kind="channel.post_published",
        params={"community": post.community.name, "title": post.title,
                "what": Post.Kind(post.kind).label},
        url=reverse("channel:post", args=[post.pk]), skip=[actor, post.author_id],
    )  # fmt: skip


@one_write
def post_approve(*, actor, post: Post, note: str = "") -> Post:
    """A second staff member approves: the post is published and the community's followers
    hear it."""
    from notify import services as notify

    post = _locked(post)
    _require(actor, "channel.review_post", post, _("须由作者以外的本社区或街道工作人员审核。"))
    _require_state(post, S.IN_REVIEW, message=_("只有待审核的文章可以审核。"))
    now = clock.now()
    if post.kind == Post.Kind.EVENT and post.signup_deadline <= now:
        raise ValidationError(_("报名截止时间已过，请退回修改活动时间。"), code="deadline")
    post.state, post.reviewer, post.published_at = S.PUBLISHED, actor, now
    post.review_note = clean_text(note, _("审核意见"), required=False, limit=300)
    post.save(update_fields=["state", "reviewer", "published_at", "review_note"])
    audit.record(actor=actor, action="channel.post_approve", obj=post)
    notify.resolve(subject=post)
    _tell_followers(post, actor)
    return post


@one_write
def post_return(*, actor, post: Post, note: str) -> Post:
    """The reviewer sends the post back to its author with the reason."""
    from notify import services as notify

    post = _locked(post)
    _require(actor, "channel.review_post", post, _("须由作者以外的本社区或街道工作人员审核。"))
    _require_state(post, S.IN_REVIEW, message=_("只有待审核的文章可以退回。"))
    post.review_note = clean_text(note, _("退回理由"), limit=300)
    post.state, post.reviewer = S.RETURNED, actor
    post.save(update_fields=["state", "reviewer", "review_note"])
    audit.record(actor=actor, action="channel.post_return", obj=post,
                 changes={"note": post.review_note})  # fmt: skip
    notify.resolve(subject=post)
    notify.send(
        kind="channel.post_returned", recipients=[post.author_id], actor=actor, subject=post,
        params={"title": post.title, "note": post.review_note},
        url=reverse("channel:post", args=[post.pk]),
    )  # fmt: skip
    return post


@one_write
def post_withdraw(*, actor, post: Post, note: str) -> Post:
    """Take a published post down (it stays in the records); those signed up are told."""
    from notify import services as notify

    post = _locked(post)
    _require(actor, "channel.write_post", post, _("只有本社区的工作人员可以撤回文章。"))
    _require_state(post, S.PUBLISHED, message=_("只有已发布的文章可以撤回。"))
    note = clean_text(note, _("撤回理由"), limit=300)
    post.state, post.withdrawn_at, post.review_note = S.WITHDRAWN, clock.now(), note
    post.save(update_fields=["state", "withdrawn_at", "review_note"])
    audit.record(actor=actor, action="channel.post_withdraw", obj=post, changes={"note": note})
    signed = list(post.signups.filter(cancelled_at__isnull=True).values_list("user_id", flat=True))
    if signed:
        notify.send(
            kind="channel.event_withdrawn", recipients=signed, actor=actor,
            params={"title": post.title, "note": note},
            url=reverse("channel:community", args=[post.community_id]),
        )  # fmt: skip
    return post


@one_write
def publish_deliberation_result(
    *, actor, community: Place, title: str, body: str, source: str
) -> Post:
    """The deliberation app publishes a decided result in the community's channel: a post of
    kind ``deliberation_result``, published at once (the decision was reached and reviewed
    in deliberation), followers told. ``source`` names the decision ("deliberation.decision:12");
    publishing the same source again returns the post already made."""
    community = _community(community)
    _require(actor, "channel.write_post", community, _("只有本社区的工作人员可以发布议事结果。"))
    source = clean_text(source, "source", limit=80)
    found = Post.objects.filter(source=source).first()
    if found is not None:
        return found
    values = _cleaned(Post.Kind.DELIBERATION, community.district,
                      {"title": title, "body": body, "source": source}, clock.now())  # fmt: skip
    now = clock.now()
    post = Post.objects.create(
        district_id=community.district_id, street_id=community.parent_id, community=community,
        author=actor, reviewer=actor, state=S.PUBLISHED, submitted_at=now, published_at=now,
        source=source, **values,
    )  # fmt: skip
    audit.record(actor=actor, action="channel.post_publish_result", obj=post,
                 changes={"source": source, "title": values["title"]})  # fmt: skip
    _tell_followers(post, actor)
    return post


# ---------------------------------------------------------------- sign-ups


def _open_event(post: Post) -> Post:
    post = Post.objects.select_for_update().get(pk=post.pk)
    if post.kind != Post.Kind.EVENT or post.state != S.PUBLISHED:
        raise ValidationError(_("这篇文章不是正在报名的活动。"), code="not_event")
    return post


@one_write
def signup_create(*, actor, post: Post) -> Signup:
    """Take a place at a published event before its deadline, while places are left."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("请先登录再报名。"))
    _require(actor, "channel.sign_up", post, _("您的账号不能报名。"))
    post = _open_event(post)
    if clock.now() > post.signup_deadline:
        raise ValidationError(_("报名已截止。"), code="deadline")
    taken = post.signups.filter(cancelled_at__isnull=True)
    if taken.filter(user=actor).exists():
        raise ValidationError(_("您已报名这个活动。"), code="duplicate")
    if taken.count() >= post.capacity:
        raise ValidationError(_("名额已满。"), code="full")
    signup = Signup.objects.create(
        district_id=post.district_id, community_id=post.community_id, post=post, user=actor
    )
    audit.record(actor=actor, action="channel.signup_create", obj=signup,
                 changes={"post": post.pk})  # fmt: skip
    return signup


@one_write
def signup_cancel(*, actor, post: Post) -> Signup:
    """Give one's place back, until the rule's hours before the event starts."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("请先登录。"))
    post = _open_event(post)
    signup = (
        Signup.objects.select_for_update()
        .filter(post=post, user=actor, cancelled_at__isnull=True)
        .first()
    )
    if signup is None:
        raise ValidationError(_("您没有报名这个活动。"), code="missing")
    now = clock.now()
    rule = rule_in_force(post.district, clock.today())
    hours = rule.cancel_hours if rule is not None else 0
    if now > post.starts_at - datetime.timedelta(hours=hours):
        raise ValidationError(
            _("活动开始前%(h)d小时内不能取消报名，请联系社区。"), params={"h": hours},
            code="too_late",
        )  # fmt: skip
    signup.cancelled_at = now
    signup.save(update_fields=["cancelled_at"])
    audit.record(actor=actor, action="channel.signup_cancel", obj=signup,
                 changes={"post": post.pk})  # fmt: skip
    return signup
