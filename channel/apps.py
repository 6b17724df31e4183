from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

AUDIT_LABELS = {
    "channel.rule_create": _("设定社区公众号报名规则"),
    "channel.post_create": _("撰写社区公众号文章"),
    "channel.post_edit": _("修改社区公众号文章"),
    "channel.post_submit": _("提交社区公众号文章审核"),
    "channel.post_approve": _("审核发布社区公众号文章"),
    "channel.post_return": _("退回社区公众号文章"),
    "channel.post_withdraw": _("撤回社区公众号文章"),
    "channel.post_publish_result": _("发布议事结果"),
    "channel.signup_create": _("活动报名"),
    "channel.signup_cancel": _("取消活动报名"),
}


def _kinds():
    from notify.kinds import RESIDENT, STAFF, Kind

    n = gettext_noop
    return [
        Kind("channel.post_published", n("关注的社区公众号发布新文章"),
             n("%(community)s发布%(what)s：%(title)s"), audience=RESIDENT),
        Kind("channel.event_withdrawn", n("报名的活动已撤回"), n("活动已撤回：%(title)s"),
             "%(note)s", RESIDENT),
        Kind("channel.review_asked", n("社区公众号文章待审核"),
             n("%(community)s公众号文章待审核：%(title)s"), audience=STAFF),
        Kind("channel.post_returned", n("社区公众号文章被退回"), n("文章被退回修改：%(title)s"),
             "%(note)s", STAFF),
    ]  # fmt: skip


class ChannelConfig(AppConfig):
    """The community channel (社区公众号, issue #18 item 7): notices, events with sign-up,
    convenience services and deliberation results, readable without signing in."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "channel"
    verbose_name = _("社区公众号")

    def ready(self):
        from channel import demo, rules  # noqa: F401 - rules registers the permissions
        from core import action_labels, navigation
        from core.demo import extensions
        from notify import kinds

        kinds.register(*_kinds())
        navigation.register(_("社区公众号"), "channel:index", perm=None, order=47)
        action_labels.register(AUDIT_LABELS)
        extensions.register("channel")(demo.build)
