"""Property companies' side of the owners app: who acts for a company (CompanyStaff, granted by
a street officer or the district's coordinators) and the working days a company has to sign
and finish a routed request (PropertyRule, set by the district)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Place, Role, RoleAssignment
from core.validation import clean_text
from core.validation import require_perm as _require
from owners.models import CompanyStaff, PropertyCompany, PropertyRule

MAX_DAYS = 60


def _staff_place(account) -> Place:
    assignment = (
        RoleAssignment.objects.active()
        .filter(user=account, role=Role.PROPERTY_STAFF)
        .select_related("place")
        .first()
        if account is not None
        else None
    )
    if assignment is None:
        raise ValidationError(_("该账号没有物业服务企业的岗位，请先分配角色。"), code="no_role")
    return assignment.place


def _serves_granters_places(actor, company: PropertyCompany) -> bool:
    """The company has a contract (not ended) for a compound in the actor's street or district."""
    if actor.is_superuser:
        return True
    from core.rules import role_places
    from owners.routing import companies_serving
    from owners.rules import STAFF_GRANTERS

    places = role_places(actor, STAFF_GRANTERS)
    return companies_serving(places, clock.today()).filter(pk=company.pk).exists()


@one_write
def staff_grant(*, actor, company: PropertyCompany, account) -> CompanyStaff:
    """Let an account placed as property staff act for a company of the same district."""
    if company is None:
        raise ValidationError(_("请选择物业服务企业。"), code="company")
    place = _staff_place(account)
    _require(actor, "owners.grant_staff", place,
             _("只有街道或区减负办可以登记物业企业工作人员。"))  # fmt: skip
    if company.district_id != place.district_id:
        raise ValidationError(_("该企业不在这个账号所在的区。"), code="company")
    if not _serves_granters_places(actor, company):
        raise ValidationError(
            _("“%(name)s”没有为您负责的街道内的小区提供物业服务，不能登记它的工作人员。"),
            params={"name": company.name}, code="company",
        )  # fmt: skip
    if CompanyStaff.objects.filter(
        company=company, account=account, ended_at__isnull=True
    ).exists():
        raise ValidationError(_("该账号已是这家企业的工作人员。"), code="twice")
    link = CompanyStaff.objects.create(
        company=company, account=account, granted_by=actor, granted_at=clock.now()
    )
    audit.record(actor=actor, action="owners.staff_grant", obj=link, place=place,
                 changes={"company": company.name, "account": account.pk})  # fmt: skip
    return link


@one_write
def staff_end(*, actor, link: CompanyStaff) -> CompanyStaff:
    link = CompanyStaff.objects.select_for_update().select_related("company").get(pk=link.pk)
    place = _staff_place(link.account)
    _require(actor, "owners.grant_staff", place,
             _("只有街道或区减负办可以解除物业企业工作人员。"))  # fmt: skip
    if link.ended_at is not None:
        raise ValidationError(_("已经解除。"), code="ended")
    link.ended_at = clock.now()
    link.save(update_fields=["ended_at"])
    audit.record(actor=actor, action="owners.staff_end", obj=link, place=place,
                 changes={"company": link.company.name})  # fmt: skip
    return link


def _days(value, label) -> int:
    try:
        days = int(str(value).strip())
    except (TypeError, ValueError):
        days = 0
    if not 1 <= days <= MAX_DAYS:
        raise ValidationError(
            _("%(label)s应为1到%(max)d个工作日。"), params={"label": label, "max": MAX_DAYS},
            code="days",
        )  # fmt: skip
    return days


@one_write
def property_rule_create(
    *, actor, district: Place, item_code: str = "", accept_days, finish_days, source: str,
    effective_from: datetime.date,
) -> PropertyRule:  # fmt: skip
    """A new row of the working days a company has to sign and finish (an item's, or with a
    blank code every other item's) from a date; earlier rows stay for what was routed then."""
    _require(actor, "owners.set_rules", district,
             _("只有区管理员或区减负办可以设定物业诉求办理时限。"))  # fmt: skip
    item_code = (item_code or "").strip()[:32]
    accept = _days(accept_days, _("签收时限"))
    finish = _days(finish_days, _("办结时限"))
    if accept > finish:
        raise ValidationError(_("签收时限不能长于办结时限。"), code="days")
    source = clean_text(source, _("政策依据"), limit=300)
    if not isinstance(effective_from, datetime.date):
        raise ValidationError(_("请填写生效日期。"), code="effective_from")
    if PropertyRule.objects.filter(
        district=district, item_code=item_code, effective_from=effective_from
    ).exists():
        raise ValidationError(
            _("这一天已有同一事项的时限生效；请换一个生效日期。"), code="same_start"
        )
    rule = PropertyRule.objects.create(
        district=district, item_code=item_code, accept_days=accept, finish_days=finish,
        source=source, effective_from=effective_from, created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="owners.property_rule_create", obj=rule, place=district,
                 changes={"item_code": item_code, "accept_days": accept, "finish_days": finish,
                          "source": source})  # fmt: skip
    return rule
