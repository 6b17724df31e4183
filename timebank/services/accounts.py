"""Opening and closing accounts: members (real-name residents), teams and community funds,
and the district's issuance account that service minutes are minted from."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Person, Place
from core.validation import require_perm as _require
from timebank.models import (
    Account,
    AccountKind,
    format_minutes,
)
from timebank.services.common import community_of, home_community


def _ledger_init(district: Place) -> Account:
    """The district's issuance account, made once."""
    account = Account.objects.filter(district=district, kind=AccountKind.ISSUANCE).first()
    if account is None:
        try:
            with transaction.atomic():
                account = Account.objects.create(
                    kind=AccountKind.ISSUANCE, name=_("%(d)s服务记账") % {"d": district.name},
                    place=district, district=district,
                )  # fmt: skip
        except IntegrityError:
            account = Account.objects.get(district=district, kind=AccountKind.ISSUANCE)
    return account


def issuance_account(district: Place) -> Account:
    return _ledger_init(district)


@one_write
def member_account_open(*, actor, person: Person) -> Account:
    """A real-name resident's account, in the community they belong to."""
    person, community = home_community(person, _("该居民未登记所属社区。"))
    if not (
        actor.has_perm("timebank.manage_accounts", community)
        or (person.account_id and person.account_id == actor.pk)
    ):
        raise PermissionDenied(_("您无权为该居民开立时间账户。"))
    if not person.id_number_hash:
        raise ValidationError(
            _("时间银行账户须实名：请先登记该居民的身份证号。"), code="not_real_name"
        )
    district = community.district
    _ledger_init(district)
    if Account.objects.filter(person=person, district=district, kind=AccountKind.MEMBER).exists():
        raise ValidationError(_("该居民已有时间账户。"), code="duplicate_account")
    account = Account.objects.create(
        kind=AccountKind.MEMBER, name=person.name, person=person, place=community,
        district=district,
    )  # fmt: skip
    audit.record(
        actor=actor, action="timebank.account_open", obj=account, place=community,
        changes={"kind": account.kind, "name": account.name},
    )  # fmt: skip
    return account


@one_write
def group_account_open(*, actor, community: Place, kind: str, name: str) -> Account:
    """A volunteer team's account or a community fund account."""
    if kind not in (AccountKind.TEAM, AccountKind.FUND):
        raise ValidationError(_("只能开立团队账户或公益基金账户。"), code="kind")
    community = community_of(Place.objects.get(pk=community.pk))
    _require(actor, "timebank.manage_accounts", community)
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        raise ValidationError(_("请填写账户名称（最多100字）。"), code="name")
    _ledger_init(community.district)
    if Account.objects.filter(place=community, kind=kind, name=name, is_closed=False).exists():
        raise ValidationError(_("本社区已有同名账户。"), code="duplicate_account")
    account = Account.objects.create(
        kind=kind, name=name, place=community, district=community.district
    )
    audit.record(
        actor=actor, action="timebank.account_open", obj=account, place=community,
        changes={"kind": kind, "name": name},
    )  # fmt: skip
    return account


@one_write
def account_close(*, actor, account: Account) -> Account:
    account = Account.objects.select_for_update().get(pk=account.pk)
    _require(actor, "timebank.manage_accounts", account.place)
    if account.kind == AccountKind.ISSUANCE:
        raise ValidationError(_("系统记账账户不能销户。"), code="issuance")
    if account.is_closed:
        raise ValidationError(_("该账户已销户。"), code="closed")
    if account.balance != 0:
        raise ValidationError(
            _("账户仍有%(h)s余额，请先捐赠或转赠后再销户。"),
            params={"h": format_minutes(account.balance)}, code="balance_not_zero",
        )  # fmt: skip
    account.is_closed, account.closed_at = True, clock.now()
    account.save(update_fields=["is_closed", "closed_at"])
    audit.record(actor=actor, action="timebank.account_close", obj=account, place=account.place)
    return account
