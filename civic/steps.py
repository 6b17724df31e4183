"""A purchase-of-service contract's steps as a table (core.steps): the organisation records its
delivery (履约留痕), residents rate the service, the signing body ends the contract. The contract
page offers exactly ``TABLE.available(user, contract)`` and takes a step through ``Step.run``;
the services check everything again."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from civic import services
from civic.models import ServiceContract
from core import steps as core_steps
from core.steps import TEXT, Input

S = ServiceContract.Status
DAY, NUMBER, SCORE = "day", "number", "score"


@dataclass(frozen=True, kw_only=True)
class ContractStep(core_steps.Step):
    OBJECT = "contract"
    STATE = "status"
    subject: str = "contract"


STEPS = (
    ContractStep(
        name="deliver", label=_("登记履约"), service=services.contract_deliver,
        perm="civic.deliver_contract", from_states=frozenset({S.ACTIVE}),
        inputs=(
            Input("day", DAY, _("服务日期"), required=True),
            Input("content", TEXT, _("服务内容"), required=True, max_length=500),
            Input("served", NUMBER, _("服务人次"), required=True),
            Input("result", TEXT, _("服务结果"), max_length=2000, rows=3),
            Input("submit_token", TEXT, _("提交标识"), required=True, max_length=64),
        ),
        title=_("登记一次服务"), style="primary", done=_("履约记录已登记。"),
    ),
    ContractStep(
        name="rate", label=_("提交评价"), service=services.contract_rate,
        perm="civic.rate_contract", from_states=frozenset({S.ACTIVE, S.ENDED}),
        inputs=(
            Input("score", SCORE, _("评分（1–5）"), required=True),
            Input("comment", TEXT, _("评价"), max_length=500),
        ),
        title=_("评价这项服务"), done=_("评价已提交。"),
    ),
    ContractStep(
        name="end", label=_("终止合同"), service=services.contract_end,
        perm="civic.end_contract", from_states=frozenset({S.ACTIVE}),
        inputs=(Input("reason", TEXT, _("终止原因"), required=True, max_length=500),),
        title=_("终止合同"), style="danger", collapsed=True,
        done=_("合同已终止：该事项的工作回到社区。"),
    ),
)  # fmt: skip
TABLE = core_steps.Table(STEPS)
BY_NAME = TABLE.by_name
