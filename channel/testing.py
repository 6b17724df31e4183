"""Builders for the channel's tests and demo, through the real services."""

import datetime

from channel import services
from core import clock


def event_fields(*, days: int = 7, capacity: int = 2) -> dict:
    start = clock.now() + datetime.timedelta(days=days)
    return {
        "title": "重阳节包饺子活动", "body": "欢迎社区老人参加。", "location": "社区活动室",
        "starts_at": start, "signup_deadline": start - datetime.timedelta(days=1),
        "capacity": capacity,
    }  # fmt: skip


def published_post(*, author, reviewer, community, kind: str = "notice", **fields):
    """A post written by ``author`` and approved by ``reviewer``."""
    if kind == "event" and not fields:
        fields = event_fields()
    fields = {"title": "停水通知", "body": "周三9时至12时停水。", **fields}
    post = services.post_create(actor=author, community=community, kind=kind, **fields)
    services.post_submit(actor=author, post=post)
    return services.post_approve(actor=reviewer, post=post)
