"""The demo district's community channel: in the first community a published notice, an event
open for sign-up, a convenience service, and a notice waiting for review."""

import datetime

from django.utils.translation import gettext as _

from channel import services
from channel.testing import published_post
from core import clock
from core.models import Place, PlaceLevel, Role
from core.selectors import role_holders


def build(*, district, builder, seed, out):
    services.rules_seed(actor=builder, district=district)
    community = (
        Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY).order_by("code").first()
    )
    if community is None:
        return
    worker = role_holders([Role.COMMUNITY_WORKER], places=[community]).first() or builder
    reviewer = builder if worker != builder else None
    if reviewer is None:
        return
    published_post(author=worker, reviewer=reviewer, community=community, kind="notice",
                   title=_("小区二次供水设施清洗停水通知"),
                   body=_("本周三9:00至12:00清洗二次供水设施，届时停水，请提前储水。"))  # fmt: skip
    start = (clock.now() + datetime.timedelta(days=6)).replace(minute=0, second=0, microsecond=0)
    published_post(author=worker, reviewer=reviewer, community=community, kind="event",
                   title=_("重阳节包饺子活动"), body=_("欢迎社区老人和志愿者参加。"),
                   location=_("社区党群服务中心活动室"), starts_at=start,
                   signup_deadline=start - datetime.timedelta(days=1), capacity=30)  # fmt: skip
    published_post(author=worker, reviewer=reviewer, community=community, kind="service",
                   title=_("每月5日义务理发"), body=_("志愿者为60岁以上老人义务理发。"),
                   contact=_("社区服务站，电话025-00000000"))  # fmt: skip
    draft = services.post_create(actor=worker, community=community, kind="notice",
                                 title=_("垃圾分类宣传周"), body=_("下周开展垃圾分类宣传。"))  # fmt: skip
    services.post_submit(actor=worker, post=draft)
