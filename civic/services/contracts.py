"""Purchase-of-service contracts (承接政府转移职能): an organisation takes over an admitted item's
work in its community. Only admitted work can be contracted: the item in the catalogue, not
withdrawn, within its admitted period, reaching the organisation's community; signed by the body
the item belongs to (its department, or the street office); no more money than follows the
item (费随事转)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from admission import offices
from admission import services as admission_services
from civic.models import ContractDelivery, ContractRating, ServiceContract, SocialOrganisation
from civic.services.common import clean_text, count, require
from core import audit, clock
from core import calendar as workcal
from core.clock import one_write
from core.money import fen
from core.validation import clean_int


@one_write
def contract_sign(
    *, actor, organisation: SocialOrganisation, item, content: str, amount_fen: int,
    starts_on: datetime.date, ends_on: datetime.date,
) -> ServiceContract:  # fmt: skip
    if item is None:
        raise ValidationError(
            _("购买服务合同须对应一个准入事项：未经准入的工作不能转交社会组织承接。"),
            code="no_item",
        )
    if not offices.acts_for(actor, item.department) and not actor.is_superuser:
        raise PermissionDenied(_("只有该准入事项所属部门（或街道）的工作人员可以签订合同。"))
    if organisation.status != SocialOrganisation.Status.ACTIVE:
        raise ValidationError(_("该组织已注销，不能签订合同。"), code="revoked")
    if not all(isinstance(day, datetime.date) for day in (starts_on, ends_on)) or (
        ends_on < starts_on
    ):
        raise ValidationError(_("请填写开始和结束日期，结束不能早于开始。"), code="dates")
    if not admission_services.item_is_usable(item, starts_on) or ends_on > item.period_end:
        raise ValidationError(
            _("准入事项%(number)s已退出或合同期不在准入期限内（%(start)s至%(end)s），不能签订合同。"),
            params={"number": item.number, "start": item.period_start, "end": item.period_end},
            code="item_not_usable",
        )  # fmt: skip
    scope = item.scopes.filter(community=organisation.community_id).first()
    if scope is None:
        raise ValidationError(
            _("准入事项%(number)s不覆盖%(place)s，不能由该社区的组织承接。"),
            params={"number": item.number, "place": organisation.community.name},
            code="outside_scope",
        )  # fmt: skip
    if ServiceContract.objects.filter(scope=scope, status=ServiceContract.Status.ACTIVE).exists():
        raise ValidationError(_("该事项在本社区已有履行中的合同。"), code="twice")
    amount = fen(amount_fen, _("合同金额"), low=0, high=item.funding_fen)
    contract = ServiceContract.objects.create(
        district=organisation.district, community=organisation.community,
        organisation=organisation, scope=scope, amount_fen=amount, starts_on=starts_on,
        ends_on=ends_on, content=clean_text(content, _("服务内容"), limit=2000), signed_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="civic.contract_sign", obj=contract,
                 changes={"item": item.number, "organisation": organisation.name,
                          "amount_fen": amount})  # fmt: skip
    return contract


def _contract_for_update(contract: ServiceContract) -> ServiceContract:
    return (
        ServiceContract.objects.select_for_update()
        .select_related("organisation", "community", "scope__item")
        .get(pk=contract.pk)
    )


@one_write
def contract_deliver(
    *, actor, contract: ServiceContract, day: datetime.date, content: str, served: int,
    result: str = "", submit_token: str,
) -> ContractDelivery:  # fmt: skip
    """The organisation records a piece of its delivery (the contract's trace, 留痕): the day,
    what was done, for how many residents, the result. Only within the contract's period and
    not in the future."""
    contract = _contract_for_update(contract)
    require(actor, "civic.deliver_contract", contract,
            _("只有承接该合同的社会组织成员可以登记履约，且合同须在履行中。"))  # fmt: skip
    if not isinstance(day, datetime.date):
        raise ValidationError(_("请填写服务日期。"), code="day")
    if day > workcal.local_today() or not contract.starts_on <= day <= contract.ends_on:
        raise ValidationError(
            _("服务日期须在合同期内（%(start)s至%(end)s）且不晚于今天。"),
            params={"start": contract.starts_on, "end": contract.ends_on}, code="day",
        )  # fmt: skip
    token = clean_text(submit_token, _("提交标识"), limit=64)
    if ContractDelivery.objects.filter(contract=contract, submit_token=token).exists():
        raise ValidationError(_("这条履约记录已经登记过，请勿重复提交。"), code="duplicate_submit")
    delivery = ContractDelivery.objects.create(
        district_id=contract.district_id, community_id=contract.community_id, contract=contract,
        day=day, content=clean_text(content, _("服务内容"), limit=500),
        served=count(served, _("服务人次"), high=100_000),
        result=clean_text(result, _("服务结果"), required=False, limit=2000),
        recorded_by=actor, submit_token=token,
    )  # fmt: skip
    audit.record(actor=actor, action="civic.contract_deliver", obj=contract,
                 changes={"day": day.isoformat(), "served": delivery.served})  # fmt: skip
    return delivery


@one_write
def contract_rate(*, actor, contract: ServiceContract, score, comment: str = "") -> ContractRating:
    """A resident of the community rates the service (1–5), once per contract."""
    contract = _contract_for_update(contract)
    require(actor, "civic.rate_contract", contract,
            _("只有本社区的居民可以评价这项服务。"))  # fmt: skip
    if not contract.deliveries.exists():
        raise ValidationError(_("该服务尚无履约记录，暂不能评价。"), code="nothing_delivered")
    if ContractRating.objects.filter(contract=contract, rated_by=actor).exists():
        raise ValidationError(_("您已评价过这项服务。"), code="rated")
    score = clean_int(score, _("评分"), 1, 5)
    rating = ContractRating.objects.create(
        district_id=contract.district_id, community_id=contract.community_id, contract=contract,
        score=score, comment=clean_text(comment, _("评价"), required=False, limit=500),
        rated_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="civic.contract_rate", obj=contract, changes={"score": score})
    return rating


@one_write
def contract_end(*, actor, contract: ServiceContract, reason: str) -> ServiceContract:
    """The signing body ends a contract early (or records its end): the work returns to the
    community that day (its tasks may be dispatched there again)."""
    contract = _contract_for_update(contract)
    require(actor, "civic.end_contract", contract,
            _("只有签订合同的部门（或街道）可以终止合同。"))  # fmt: skip
    if contract.status != ServiceContract.Status.ACTIVE:
        raise ValidationError(_("该合同已终止。"), code="ended")
    contract.end_reason = clean_text(reason, _("终止原因"), limit=500)
    contract.status, contract.ended_at = ServiceContract.Status.ENDED, clock.now()
    contract.save(update_fields=["status", "ended_at", "end_reason"])
    audit.record(actor=actor, action="civic.contract_end", obj=contract,
                 changes={"reason": contract.end_reason})  # fmt: skip
    return contract
