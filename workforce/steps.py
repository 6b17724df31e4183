"""Surge work's approval as one table of steps (core.steps): the task page and the JSON API
loop over ``STEPS``."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from core import steps as core_steps
from core.steps import TEXT, Input
from workforce import services
from workforce.models import SurgeTask

RECORDED = frozenset({SurgeTask.State.RECORDED})


@dataclass(frozen=True, kw_only=True)
class Step(core_steps.Step):
    OBJECT = "task"
    STATE = "state"
    subject: str = "task"

    def target(self, task: SurgeTask):
        return task.community


STEPS = [
    Step("approve", gettext_lazy("审核通过"), services.surge_task_approve, "workforce.approve_surge",
         RECORDED, inputs=(Input("note", TEXT, gettext_lazy("审核意见"), max_length=300),),
         title=gettext_lazy("事后审核"), style="primary",
         help=gettext_lazy("通过后按任务结束日在用的补贴标准计算补贴：工作时长 × 每小时补贴。"),
         done=gettext_lazy("已审核通过，补贴已按标准计算。")),
    Step("refuse", gettext_lazy("不予通过"), services.surge_task_refuse, "workforce.approve_surge",
         RECORDED, inputs=(Input("note", TEXT, gettext_lazy("不予通过的理由"), required=True, max_length=300),),
         title=gettext_lazy("不予通过"), style="danger", collapsed=True,
         done=gettext_lazy("已登记不予通过。")),
]  # fmt: skip
TABLE = core_steps.Table(STEPS)
BY_NAME = TABLE.by_name
