"""A post's review as one table of steps (core.steps): the post page loops over ``STEPS``."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from channel import services
from channel.models import Post
from core import steps as core_steps
from core.steps import TEXT, Input

S = Post.State


@dataclass(frozen=True, kw_only=True)
class Step(core_steps.Step):
    OBJECT = "post"
    STATE = "state"
    subject: str = "post"


def _not_author(user, post) -> bool:
    return user.pk != post.author_id


STEPS = [
    Step("submit", gettext_lazy("提交审核"), services.post_submit, "channel.write_post",
         frozenset({S.DRAFT, S.RETURNED}), style="primary",
         help=gettext_lazy("须由您以外的一位社区或街道工作人员审核后才会发布。"),
         title=gettext_lazy("提交审核"), done=gettext_lazy("已提交审核。")),
    Step("approve", gettext_lazy("审核通过并发布"), services.post_approve, "channel.review_post",
         frozenset({S.IN_REVIEW}), guard=_not_author, style="primary",
         inputs=(Input("note", TEXT, gettext_lazy("审核意见（可不填）"), max_length=300),),
         title=gettext_lazy("审核"), done=gettext_lazy("已发布，关注本社区的居民会收到通知。")),
    Step("return", gettext_lazy("退回修改"), services.post_return, "channel.review_post",
         frozenset({S.IN_REVIEW}), guard=_not_author, collapsed=True,
         inputs=(Input("note", TEXT, gettext_lazy("退回理由"), required=True, max_length=300),),
         title=gettext_lazy("退回修改"), done=gettext_lazy("已退回作者修改。")),
    Step("withdraw", gettext_lazy("撤回"), services.post_withdraw, "channel.write_post",
         frozenset({S.PUBLISHED}), style="danger", collapsed=True,
         inputs=(Input("note", TEXT, gettext_lazy("撤回理由"), required=True, max_length=300),),
         title=gettext_lazy("撤回文章"), done=gettext_lazy("已撤回。")),
]  # fmt: skip
TABLE = core_steps.Table(STEPS)
BY_NAME = TABLE.by_name


def available_steps(user, post: Post) -> list[Step]:
    return TABLE.available(user, post)
