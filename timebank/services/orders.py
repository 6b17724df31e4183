"""A time-bank order from taking a need to approval: sign in, sign out, confirm, approve (the
postings), reject, cancel. The steps as one table: timebank.steps."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit, clock
from core.clock import one_write
from core.validation import require_perm as _require
from notify import services as notify
from notify.kinds import msg
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
from timebank.services.rules import rule_value, rule_values


def _locked_order(order: Order) -> Order:
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("listing__recipient", "volunteer", "volunteer__person", "place")
        .get(pk=order.pk)
    )


def _expect(order: Order, *statuses) -> None:
    if order.status not in statuses:
        raise ValidationError(
            _("该服务当前状态为“%(s)s”，不能进行此操作。"),
            params={"s": order.get_status_display()}, code="wrong_status",
        )  # fmt: skip


def _save(actor, order: Order, action: str, *, changes=None, listing_status=None, **fields):
    """Set and save the order's fields, move its need to `listing_status` if given, and record
    the audit event `timebank.<action>`."""
    for name, value in fields.items():
        setattr(order, name, value)
    order.save(update_fields=list(fields))
    if listing_status is not None:
        Listing.objects.filter(pk=order.listing_id).update(status=listing_status)
    audit.record(
        actor=actor, action=f"timebank.{action}", obj=order, place=order.place, changes=changes
    )
    return order


def lock_for_postings(order: Order, payer: Account | None) -> None:
    """Row-lock every account an order's postings touch (the volunteer's, the issuance account,
    the payer's) up front, in id order, so its postings never wait on each other's rows in a
    cycle with another writer."""
    ids = {order.volunteer_id, issuance_account(order.district).pk}
    ids |= {payer.pk} if payer is not None else set()
    list(Account.objects.select_for_update().filter(pk__in=sorted(ids)).order_by("pk"))


def _served_users(listing: Listing) -> set[int]:
    """The logins on the served side: who posted the need, the family contact, and the person
    served when they have a login."""
    users = {listing.poster_id, listing.contact_id}
    if listing.recipient_id:
        users.add(listing.recipient.account_id)
    return users - {None}


def _tell(
    actor, order: Order, kind: str, body: dict, *, volunteer_body: dict | None = None
) -> None:
    """A notice of the step (a notify kind) to both sides of the order (the volunteer and the
    served side), except to whoever took the step; the volunteer may be told it in their own
    words. ``body`` is ``notify.kinds.msg(...)``: rendered in each reader's language."""
    listing = order.listing
    volunteer = order.volunteer.person.account_id
    url = reverse("timebank:order", args=[order.pk])
    served = sorted(_served_users(listing) - {volunteer})
    common = {"kind": kind, "url": url, "subject": order, "actor": actor}
    params = {"listing": listing.title[:150]}
    notify.send(recipients=served, params=params | {"body": body}, **common)
    if volunteer is not None:
        told = volunteer_body or body
        notify.send(recipients=[volunteer], params=params | {"body": told}, **common)


def minutes_differ(minutes: int | None, agreed: int, percent: int) -> bool:
    """Whether `minutes` (signed or confirmed) differ from the agreed minutes by more than
    `percent` per cent of them (the rule MINUTES_MISMATCH): the pages flag it."""
    return minutes is not None and abs(minutes - agreed) * 100 > agreed * percent


def order_mismatch(order: Order, percent: int | None = None) -> dict | None:
    """The minutes of a signed-out or confirmed order that differ from the agreed minutes
    beyond the district's rule: {"agreed", "measured", "confirmed"}; None when they agree."""
    if percent is None:
        percent = rule_value(defaults.MINUTES_MISMATCH, order.district_id)
    agreed = order.listing.minutes
    measured = order.measured_minutes
    confirmed = order.minutes if order.status != Order.Status.SIGNED_OUT else None
    if minutes_differ(measured, agreed, percent) or minutes_differ(confirmed, agreed, percent):
        return {"agreed": agreed, "measured": measured, "confirmed": confirmed}
    return None


def sign_in_window(order: Order, window: int) -> tuple[datetime.datetime, datetime.datetime]:
    """When the volunteer may sign in: `window` minutes either side of the agreed time."""
    wanted = order.listing.wanted_at
    return wanted - datetime.timedelta(minutes=window), wanted + datetime.timedelta(minutes=window)


def _check_sign_in_window(order: Order, now: datetime.datetime) -> None:
    """A need with an agreed time is signed in only near it (the rule SIGN_IN_WINDOW): a
    sign-in a day early would count a day of service."""
    if order.listing.wanted_at is None:
        return
    window = rule_value(defaults.SIGN_IN_WINDOW, order.district_id)
    opens, closes = sign_in_window(order, window)
    if not opens <= now <= closes:
        raise ValidationError(
            _("约定服务时间为%(at)s，只能在前后%(w)s内（%(a)s至%(b)s）签到，现在不能签到。"
              "如时间有变，请联系发布需求的人或社区工作者。"),
            params={"at": clock.shown(order.listing.wanted_at), "w": format_minutes(window),
                    "a": clock.shown(opens), "b": clock.shown(closes)},
            code="outside_sign_in_window",
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
    order.volunteer = volunteer
    when = clock.shown(listing.wanted_at) if listing.wanted_at else gettext_lazy("双方约定的时间")
    _tell(actor, order, "timebank.order_taken",
          msg(gettext_lazy("志愿者%(v)s已接单，将于%(at)s上门服务，到达时签到。"),
              v=volunteer.name, at=when))  # fmt: skip
    return order


def _volunteers_order(actor, order: Order, status) -> Order:
    """The order, locked, if the actor is its volunteer and it is in `status`."""
    order = _locked_order(order)
    if not is_order_volunteer(actor, order):
        raise PermissionDenied(_("只有接单的志愿者本人可以签到签退。"))
    _expect(order, status)
    return order


def at_most(minutes, most: int, message) -> int:
    """Minutes of a service, at most `most` (the measured or agreed minutes)."""
    minutes = clean_minutes(minutes)
    if minutes > most:
        raise ValidationError(
            message, params={"h": format_minutes(most)}, code="minutes_over_measured"
        )
    return minutes


@one_write
def order_sign_in(*, actor, order: Order) -> Order:
    order = _volunteers_order(actor, order, Order.Status.TAKEN)
    now = clock.now()
    _check_sign_in_window(order, now)
    _save(actor, order, "order_sign_in", status=Order.Status.SIGNED_IN, signed_in_at=now)
    _tell(actor, order, "timebank.order_signed_in",
          msg(gettext_lazy("志愿者%(v)s于%(at)s签到，服务开始；服务结束时志愿者签退，之后请您确认服务时长。"),
              v=order.volunteer.name, at=clock.shown(now)))  # fmt: skip
    return order


@one_write
def order_sign_out(*, actor, order: Order) -> Order:
    order = _volunteers_order(actor, order, Order.Status.SIGNED_IN)
    now = clock.now()
    measured = max(1, round((now - order.signed_in_at).total_seconds() / 60))
    _save(
        actor, order, "order_sign_out", changes={"measured_minutes": measured},
        status=Order.Status.SIGNED_OUT, signed_out_at=now, minutes=measured,
    )  # fmt: skip
    _tell(actor, order, "timebank.order_confirm",
          msg(gettext_lazy("志愿者%(v)s已签退：签到签退%(m)s分钟，约定%(a)s分钟。请核实实际服务时长并确认，"
                           "确认后由社区工作者审核入账。"),
              v=order.volunteer.name, m=measured, a=order.listing.minutes))  # fmt: skip
    return order


@one_write
def order_confirm(*, actor, order: Order, minutes, rating=None) -> Order:
    """The person served or their family confirms the service and the minutes, and rates it."""
    order = _locked_order(order)
    if not can_confirm(actor, order):
        raise PermissionDenied(_("只有服务对象本人或发布需求的家属可以确认服务。"))
    _expect(order, Order.Status.SIGNED_OUT)
    minutes = at_most(
        minutes, max(order.minutes or 0, order.listing.minutes),
        _("确认时长不能超过签到签退时长或约定时长（%(h)s）。"),
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
    changes = {"minutes": minutes, "rating": rating}
    percent = rule_values(order.district_id)[defaults.MINUTES_MISMATCH]
    measured = order.measured_minutes
    if minutes_differ(measured, order.listing.minutes, percent) or minutes_differ(
        minutes, order.listing.minutes, percent
    ):  # kept with the event: the approver's page flags it too
        changes["mismatch"] = {"agreed": order.listing.minutes, "measured": measured}
    _save(
        actor, order, "order_confirm", changes=changes,
        status=Order.Status.CONFIRMED, minutes=minutes, rating=rating, confirmed_by=actor,
        confirmed_at=clock.now(),
    )  # fmt: skip
    _tell(actor, order, "timebank.order_confirmed",
          msg(gettext_lazy("确认服务时长%(m)s分钟（约定%(a)s分钟），等待社区工作者审核入账。"),
              m=minutes, a=order.listing.minutes))  # fmt: skip
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
    _save(
        actor, order, "order_approve", listing_status=Listing.Status.DONE,
        changes={"minutes": order.minutes, "deposit": order.deposit_id, "payment": order.payment_id},
        status=Order.Status.APPROVED, approved_by=actor, approved_at=clock.now(),
        deposit=order.deposit, payment=order.payment,
    )  # fmt: skip
    _tell(actor, order, "timebank.order_credited",
          msg(gettext_lazy("社区已审核通过，服务时长%(m)s分钟已记入志愿者账户。如有异议，可在服务页面提出。"),
              m=order.minutes),
          volunteer_body=msg(gettext_lazy("社区已审核通过，%(m)s分钟已存入您的时间账户。"), m=order.minutes))  # fmt: skip
    return order


def _post_order(*, actor, order: Order, minutes: int, payer: Account | None, suffix: str,
                perm: str = "timebank.record") -> tuple[Transaction, Transaction | None]:  # fmt: skip
    """The volunteer's deposit and, when the service is paid in time, the payer's withdrawal,
    in the caller's transaction, under keys derived from the order (and `suffix` for a
    re-posting after a dispute)."""
    listing = order.listing
    memo = _("%(c)s：%(t)s") % {"c": listing.get_category_display(), "t": listing.title[:80]}
    lock_for_postings(order, payer)
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
    _save(
        actor, order, "order_reject", listing_status=Listing.Status.OPEN,
        changes={"reason": reason}, status=Order.Status.REJECTED, note=reason,
        approved_by=actor, approved_at=clock.now(),
    )  # fmt: skip
    _tell(actor, order, "timebank.order_refused",
          msg(gettext_lazy("社区工作者未通过这次服务，理由：%(r)s。不记入时间；需求已重新开放，等待志愿者接单。"),
              r=reason))  # fmt: skip
    return order


@one_write
def order_cancel(*, actor, order: Order) -> Order:
    """The volunteer gives the order back before signing in; the need opens again."""
    order = _volunteers_order(actor, order, Order.Status.TAKEN)
    _save(actor, order, "order_cancel", listing_status=Listing.Status.OPEN,
          status=Order.Status.CANCELLED)  # fmt: skip
    _tell(actor, order, "timebank.order_cancelled",
          msg(gettext_lazy("志愿者%(v)s取消了接单，需求已重新开放，等待其他志愿者接单。"),
              v=order.volunteer.name))  # fmt: skip
    return order
