"""An owners' decision's state machine as a table of steps (core.steps): freeze the owners'
roll, open the vote, close and count it, publish the result. The decision page and the JSON API
(``POST /api/owners/decisions/{decision_id}/steps/{name}``) take them through the table; the
services check everything again. Ballots and proxies are recorded within the open state, not
steps between states."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core import steps as core_steps
from owners import services
from owners.models import Decision

S = Decision.State
RUN = "owners.run_decision"


@dataclass(frozen=True, kw_only=True)
class DecisionStep(core_steps.Step):
    OBJECT = "decision"
    subject: str = "decision"


STEPS = (
    DecisionStep(name="freeze", label=_("冻结业主名册"), service=services.roll_freeze, perm=RUN,
                 from_states=frozenset({S.DRAFT}), done=_("业主名册已冻结。")),
    DecisionStep(name="open", label=_("开始表决"), service=services.decision_open, perm=RUN,
                 from_states=frozenset({S.FROZEN}), style="primary", done=_("表决已开始。")),
    DecisionStep(name="close", label=_("结束并计票"), service=services.decision_close, perm=RUN,
                 from_states=frozenset({S.OPEN}), done=_("已计票。")),
    DecisionStep(name="publish", label=_("公布结果"), service=services.decision_publish, perm=RUN,
                 from_states=frozenset({S.CLOSED}), style="primary", done=_("结果已公布。")),
)  # fmt: skip
TABLE = core_steps.Table(STEPS)
BY_NAME = TABLE.by_name
