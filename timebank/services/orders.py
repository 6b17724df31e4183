"""A time-bank order from taking a need to approval: sign in, sign out, confirm, approve (the
postings), reject, cancel. The steps as one table: timebank.steps."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.validation import require_perm as _require
from timebank import defaults
from timebank.models import (
    Account,
    AccountKind,
    Dispute,
    Listing,
    ListingKind,
    Order,
    Payer,
    Transaction,
    format_minutes,
)
from timebank.rules import can_confirm_order as can_confirm
from timebank.rules import is_order_volunteer
from timebank.services.accounts import issuance_account
from timebank.services.common import clean_minutes
from timebank.services.engine import retrying
from timebank.services.ledger import deposit, withdraw
from timebank.services.listings import _clean_text, member_account_of
from timebank.services.rules import rule_value


def _locked_order(order: Order) -> Order:
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("listing", "volunteer", "volunteer__person", "place")
        .get(pk=order.pk)
    )


def _expect(order: Order, *statuses) -> None:
    if order.status not in statuses:
        raise ValidationError(
            _("该服务当前状态为“%(s)s”，不能进行此操作。"),
            params={"s": order.get_status_display()}, code="wrong_status",
        )  # fmt: skip


@one_write
def order_take(*, actor, listing: Listing) -> Order:
    """A volunteer takes an open need (接单)."""
    volunteer = member_account_of(actor)
    if volunteer is None:
        raise ValidationError(_("请先开立时间银行账户（实名）后再接单。"), code="no_account")
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.kind != ListingKind.NEED:
        raise ValidationError(_("只能接需求单。"), code="kind")
    if listing.status != Listing.Status.OPEN:
        raise ValidationError(_("该需求已被接单或已关闭。"), code="not_open")
    if listing.recipient_id == volunteer.person_id or listing.poster_id == actor.pk:
        raise ValidationError(_("不能接自己发布的需求。"), code="own_listing")
    if listing.district_id != volunteer.district_id:
        raise ValidationError(_("只能接本区的需求。"), code="other_district")
    if listing.place_id != volunteer.place_id and not rule_value(
        defaults.DISTRICT_WIDE, listing.district_id
    ):
        raise ValidationError(
            _("本区未开通通存通兑：只能接本社区的需求。"), code="not_district_wide"
        )
    order = Order.objects.create(
        listing=listing, volunteer=volunteer, place=listing.place, district=listing.district
    )
    listing.status = Listing.Status.TAKEN
    listing.save(update_fields=["status"])
    audit.record(actor=actor, action="timebank.order_take", obj=order, place=listing.place)
    return order


def _require_volunteer(actor, order: Order) -> None:
    if not is_order_volunteer(actor, order):
        raise PermissionDenied(_("只有接单的志愿者本人可以签到签退。"))


@one_write
def order_sign_in(*, actor, order: Order) -> Order:
    order = _locked_order(order)
    _require_volunteer(actor, order)
    _expect(order, Order.Status.TAKEN)
    order.status, order.signed_in_at = Order.Status.SIGNED_IN, clock.now()
    order.save(update_fields=["status", "signed_in_at"])
    audit.record(actor=actor, action="timebank.order_sign_in", obj=order, place=order.place)
    return order


@one_write
def order_sign_out(*, actor, order: Order) -> Order:
    order = _locked_order(order)
    _require_volunteer(actor, order)
    _expect(order, Order.Status.SIGNED_IN)
    now = clock.now()
    measured = max(1, round((now - order.signed_in_at).total_seconds() / 60))
    order.status, order.signed_out_at, order.minutes = Order.Status.SIGNED_OUT, now, measured
    order.save(update_fields=["status", "signed_out_at", "minutes"])
    audit.record(
        actor=actor, action="timebank.order_sign_out", obj=order, place=order.place,
        changes={"measured_minutes": measured},
    )  # fmt: skip
    return order


@one_write
def order_confirm(*, actor, order: Order, minutes, rating=None) -> Order:
    """The person served or their family confirms the service and the minutes, and rates it."""
    order = _locked_order(order)
    if not can_confirm(actor, order):
        raise PermissionDenied(_("只有服务对象本人或发布需求的家属可以确认服务。"))
    _expect(order, Order.Status.SIGNED_OUT)
    minutes = clean_minutes(minutes)
    most = max(order.minutes or 0, order.listing.minutes)
    if minutes > most:
        raise ValidationError(
            _("确认时长不能超过签到签退时长或约定时长（%(h)s）。"),
            params={"h": format_minutes(most)}, code="minutes_over_measured",
        )  # fmt: skip
    if rating not in (None, ""):
        try:
            rating = int(rating)
        except (TypeError, ValueError):
            rating = 0
        if not 1 <= rating <= 5:
            raise ValidationError(_("评价应为1–5星。"), code="rating")
    else:
        rating = None
    order.status, order.minutes, order.rating = Order.Status.CONFIRMED, minutes, rating
    order.confirmed_by, order.confirmed_at = actor, clock.now()
    order.save(update_fields=["status", "minutes", "rating", "confirmed_by", "confirmed_at"])
    audit.record(
        actor=actor, action="timebank.order_confirm", obj=order, place=order.place,
        changes={"minutes": minutes, "rating": rating},
    )  # fmt: skip
    return order


@retrying
def order_approve(*, actor, order: Order) -> Order:
    """A community worker approves a confirmed service: the volunteer's deposit, and, when the
    need is paid in time, the withdrawal from the person served or the community fund — all in
    one database transaction, each posting under a key derived from the order (a double click
    or a retry cannot post twice)."""
    order = _locked_order(order)
    _require(actor, "timebank.record", order.place, _("只有本社区的社区工作者可以审核。"))
    _expect(order, Order.Status.CONFIRMED)
    if order.confirmed_by_id == actor.pk:
        raise PermissionDenied(_("确认服务的人不能再审核同一服务，请由另一位社区工作者审核。"))
    if order.disputes.filter(status=Dispute.Status.OPEN).exists():
        raise ValidationError(_("该服务有未处理的异议，处理后才能审核。"), code="dispute_open")
    listing = order.listing
    payer = None
    if listing.payer == Payer.SELF:
        payer = Account.objects.filter(
            kind=AccountKind.MEMBER, person_id=listing.recipient_id, district=order.district
        ).first()
        if payer is None:
            raise ValidationError(_("服务对象没有时间账户，无法用本人时间支付。"), code="no_payer")
    elif listing.payer == Payer.FUND:
        payer = (
            Account.objects.filter(kind=AccountKind.FUND, place=order.place, is_closed=False)
            .order_by("-balance", "pk")
            .first()
        )
        if payer is None:
            raise ValidationError(_("本社区没有公益基金账户。"), code="no_fund")
    order.deposit, order.payment = _post_order(
        actor=actor, order=order, minutes=order.minutes, payer=payer, suffix=""
    )
    order.status, order.approved_by, order.approved_at = (
        Order.Status.APPROVED, actor, clock.now(),
    )  # fmt: skip
    order.save(update_fields=["status", "approved_by", "approved_at", "deposit", "payment"])
    Listing.objects.filter(pk=listing.pk).update(status=Listing.Status.DONE)
    audit.record(
        actor=actor, action="timebank.order_approve", obj=order, place=order.place,
        changes={"minutes": order.minutes, "deposit": order.deposit_id, "payment": order.payment_id},
    )  # fmt: skip
    return order


def _post_order(*, actor, order: Order, minutes: int, payer: Account | None, suffix: str,
                perm: str = "timebank.record") -> tuple[Transaction, Transaction | None]:  # fmt: skip
    """The volunteer's deposit and, when the service is paid in time, the payer's withdrawal,
    in the caller's transaction, under keys derived from the order (and `suffix` for a
    re-posting after a dispute)."""
    listing = order.listing
    memo = _("%(c)s：%(t)s") % {"c": listing.get_category_display(), "t": listing.title[:80]}
    # Every account of both postings locked up front in id order, so the two postings never
    # wait on each other's rows in a cycle with another writer.
    ids = sorted(
        {order.volunteer_id, issuance_account(order.district).pk}
        | ({payer.pk} if payer is not None else set())
    )
    list(Account.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    payment = None
    if payer is not None:
        payment = withdraw(
            actor=actor, account=payer, minutes=minutes, key=f"order-{order.pk}-payment{suffix}",
            memo=memo, place=order.place, _perm=perm,
        )  # fmt: skip
    made = deposit(
        actor=actor, account=order.volunteer, minutes=minutes,
        key=f"order-{order.pk}-deposit{suffix}", memo=memo, place=order.place, _perm=perm,
    )  # fmt: skip
    return made, payment


@one_write
def order_reject(*, actor, order: Order, reason: str) -> Order:
    """A worker does not approve (e.g. the service did not happen); the need opens again."""
    order = _locked_order(order)
    _require(actor, "timebank.record", order.place, _("只有本社区的社区工作者可以审核。"))
    _expect(order, Order.Status.CONFIRMED, Order.Status.SIGNED_OUT)
    if order.disputes.filter(status=Dispute.Status.OPEN).exists():
        raise ValidationError(_("该服务有未处理的异议，请先处理异议。"), code="dispute_open")
    reason = _clean_text(reason, _("驳回理由"), 200)
    order.status, order.note = Order.Status.REJECTED, reason
    order.approved_by, order.approved_at = actor, clock.now()
    order.save(update_fields=["status", "note", "approved_by", "approved_at"])
    Listing.objects.filter(pk=order.listing_id).update(status=Listing.Status.OPEN)
    audit.record(
        actor=actor, action="timebank.order_reject", obj=order, place=order.place,
        changes={"reason": reason},
    )  # fmt: skip
    return order


@one_write
def order_cancel(*, actor, order: Order) -> Order:
    """The volunteer gives the order back before signing in; the need opens again."""
    order = _locked_order(order)
    _require_volunteer(actor, order)
    _expect(order, Order.Status.TAKEN)
    order.status = Order.Status.CANCELLED
    order.save(update_fields=["status"])
    Listing.objects.filter(pk=order.listing_id).update(status=Listing.Status.OPEN)
    audit.record(actor=actor, action="timebank.order_cancel", obj=order, place=order.place)
    return order
