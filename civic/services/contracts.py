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
from civic.models import ServiceContract, SocialOrganisation
from civic.services.common import clean_text
from core import audit
from core.clock import one_write
from core.money import fen


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
