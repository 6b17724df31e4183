"""The ledger's services: deposit, withdraw, transfer to a relative, donate, reverse — each
checks who may do it and why, then posts one balanced transaction through the engine."""

import datetime
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import clock
from core.models import Place
from core.validation import require_perm as _require
from timebank import defaults
from timebank.models import (
    Account,
    AccountKind,
    Transaction,
    TxKind,
)
from timebank.services.accounts import issuance_account
from timebank.services.common import clean_minutes, community_of
from timebank.services.engine import _post
from timebank.services.in_database import StaleFacts
from timebank.services.rules import rule_value
from timebank.services.statements import (
    _accounts_with_places,
    _forget_accounts,
    _remembered_accounts,
)


def _service_place(actor, account: Account, place: Place | None) -> Place:
    """Where the ledger write happens; district-wide exchange decides if it may differ."""
    place = community_of(account.place if place is None else Place.objects.get(pk=place.pk))
    if place.district_id != account.district_id:
        raise ValidationError(_("只能在本区内记账。"), code="other_district")
    if place.pk != account.place_id and not rule_value(defaults.DISTRICT_WIDE, place.district_id):
        raise ValidationError(
            _("本区未开通通存通兑：只能在账户所属社区存入和支取。"), code="not_district_wide"
        )
    return place


def deposit(
    *, actor, account: Account, minutes, key: str, memo: str = "", place: Place | None = None,
    on_write: Callable[[Transaction], None] | None = None, _perm: str = "timebank.record",
) -> Transaction:  # fmt: skip
    """Verified service minutes into a member's or team's account, minted by the district.
    (`_perm`: a dispute's correction re-posts under the reversing officer's permission.)"""
    minutes = clean_minutes(minutes)
    account = Account.objects.select_related("place").get(pk=account.pk)
    if account.kind not in (AccountKind.MEMBER, AccountKind.TEAM):
        raise ValidationError(_("服务时间只能存入个人或团队账户。"), code="kind")
    place = _service_place(actor, account, place)
    _require(actor, _perm, place, _("只有社区工作者可以审核入账。"))
    issuance = issuance_account(account.district)
    return _post(
        actor=actor, kind=TxKind.DEPOSIT, key=key, place=place, memo=memo, capped=account.pk,
        daily=True, legs=[(issuance.pk, -minutes), (account.pk, minutes)], on_write=on_write,
    )  # fmt: skip


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def withdraw(
    *, actor, account: Account, minutes, key: str, memo: str = "", place: Place | None = None,
    _perm: str = "timebank.record",
) -> Transaction:  # fmt: skip
    """Stored minutes exchanged for service received (member aged 60+, or a fund)."""
    minutes = clean_minutes(minutes)
    account = Account.objects.select_related("place", "person").get(pk=account.pk)
    if account.kind == AccountKind.TEAM:
        raise ValidationError(_("团队志愿时间只能捐赠，不能支取。"), code="team_donate_only")
    if account.kind not in (AccountKind.MEMBER, AccountKind.FUND):
        raise ValidationError(_("该账户不能支取。"), code="kind")
    place = _service_place(actor, account, place)
    _require(actor, _perm, place, _("只有社区工作者可以办理支取。"))
    if account.kind == AccountKind.MEMBER:
        min_age = rule_value(defaults.WITHDRAWAL_AGE, account.district_id)
        birth = account.person.birth_date
        if birth is None:
            raise ValidationError(_("未登记出生日期，无法核验支取年龄。"), code="no_birth_date")
        age = age_on(birth, clock.today())
        if age < min_age:
            raise ValidationError(
                _("年满%(min)d周岁方可支取本人存储的时间（现年%(age)d周岁）。"),
                params={"min": min_age, "age": age}, code="under_withdrawal_age",
            )  # fmt: skip
    issuance = issuance_account(account.district)
    return _post(
        actor=actor, kind=TxKind.WITHDRAWAL, key=key, place=place, memo=memo,
        legs=[(account.pk, -minutes), (issuance.pk, minutes)],
    )  # fmt: skip


def transfer(
    *, actor, source: Account, target: Account, minutes, key: str, relation: str
) -> Transaction:
    """Give stored minutes to a relative; a community worker verifies the relation."""
    minutes = clean_minutes(minutes)
    if source.pk == target.pk:
        raise ValidationError(_("不能转给自己。"), code="same_account")
    args = dict(actor=actor, ids=(source.pk, target.pk), minutes=minutes, key=key)
    try:
        return _transfer(**args, relation=relation, remembered=True)
    except StaleFacts:
        _forget_accounts(args["ids"])
        return _transfer(**args, relation=relation, remembered=False)


def _transfer(*, actor, ids, minutes, key, relation, remembered: bool) -> Transaction:
    """`transfer` deciding from the accounts' remembered kind and community (PostgreSQL, where
    `timebank_post` re-checks them under the row locks) or from fresh rows."""
    remembered = remembered and transaction.get_connection().vendor == "postgresql"
    both = (_remembered_accounts if remembered else _accounts_with_places)(list(ids))
    if len(both) != 2:
        raise Account.DoesNotExist
    source, target = both[ids[0]], both[ids[1]]
    if source.kind == AccountKind.TEAM:
        raise ValidationError(_("团队志愿时间只能捐赠，不能转赠。"), code="team_donate_only")
    if source.kind != AccountKind.MEMBER or target.kind != AccountKind.MEMBER:
        raise ValidationError(_("只能在个人账户之间转赠亲属。"), code="kind")
    relation = " ".join((relation or "").split())
    if not relation:
        raise ValidationError(_("请填写与受赠人的亲属关系。"), code="relation_required")
    place = _service_place(actor, source, None)
    # A community worker may always record it; the account's owner only where the district
    # does not require a worker to verify the relation (the rule is read only then).
    if not actor.has_perm("timebank.record", place):
        if remembered:
            raise StaleFacts  # the owner's own permission is decided from fresh rows
        if rule_value(defaults.RELATIVE_TRANSFER_BY_WORKER, source.district_id):
            raise PermissionDenied(_("转赠亲属须由社区工作者核实亲属关系后办理。"))
        if not actor.has_perm("timebank.use_account", source):
            raise PermissionDenied(_("您无权从该账户转出。"))
    return _post(
        actor=actor, kind=TxKind.TRANSFER, key=key, place=place, capped=target.pk,
        memo=_("亲属关系：%(r)s") % {"r": relation[:60]},
        legs=[(source.pk, -minutes), (target.pk, minutes)],
        expect=[(a.kind, a.place_id) for a in (source, target)] if remembered else None,
    )  # fmt: skip


def donate(
    *, actor, source: Account, fund: Account, minutes, key: str, memo: str = ""
) -> Transaction:
    """Give stored minutes (a member's or a team's) to a community fund."""
    minutes = clean_minutes(minutes)
    source = Account.objects.select_related("place", "person").get(pk=source.pk)
    fund = Account.objects.select_related("place").get(pk=fund.pk)
    if fund.kind != AccountKind.FUND:
        raise ValidationError(_("只能捐赠给社区公益基金账户。"), code="kind")
    if source.kind not in (AccountKind.MEMBER, AccountKind.TEAM):
        raise ValidationError(_("只有个人和团队账户可以捐赠。"), code="kind")
    if not rule_value(defaults.DONATIONS_ALLOWED, source.district_id):
        raise ValidationError(_("本区暂未开放时间捐赠。"), code="donations_off")
    place = _service_place(actor, source, fund.place)
    if not (
        actor.has_perm("timebank.use_account", source)
        or actor.has_perm("timebank.record", source.place)
    ):
        raise PermissionDenied(_("只有账户本人或社区工作者可以办理捐赠。"))
    return _post(
        actor=actor, kind=TxKind.DONATION, key=key, place=place, memo=memo,
        legs=[(source.pk, -minutes), (fund.pk, minutes)],
    )  # fmt: skip


def reverse(*, actor, original: Transaction, key: str, reason: str) -> Transaction:
    """Correct a transaction by its exact opposite; once, and never a reversal itself."""
    original = Transaction.objects.select_related("place").get(pk=original.pk)
    _require(actor, "timebank.reverse", original.place, _("只有街道或区管理员可以冲正。"))
    if original.kind == TxKind.REVERSAL:
        raise ValidationError(_("冲正记录不能再冲正。"), code="reverse_reversal")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_("请填写冲正原因。"), code="reason_required")
    legs = [(p.account_id, -p.amount) for p in original.postings.all()]
    return _post(
        actor=actor, kind=TxKind.REVERSAL, key=key, place=original.place, reverses=original,
        memo=_("冲正 #%(id)s：%(r)s") % {"id": original.pk, "r": reason[:150]}, legs=legs,
    )  # fmt: skip
