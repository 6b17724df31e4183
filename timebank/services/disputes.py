"""Ratings and disputes of a service, and their resolution (after approval: by reversal)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.validation import require_perm as _require
from timebank.models import (
    Dispute,
    Order,
)
from timebank.rules import dispute_perm, is_dispute_party
from timebank.rules import order_side as side_of
from timebank.services.engine import retrying
from timebank.services.ledger import reverse
from timebank.services.listings import _clean_text
from timebank.services.orders import (
    _expect,
    _locked_order,
    _post_order,
    at_most,
    lock_for_postings,
)


def _clean_rating(value) -> int:
    """A whole number of stars, 1–5 (3.5 or True are not ratings)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationError(_("评价应为1–5星。"), code="rating")
    return value


RATEABLE = (Order.Status.SIGNED_OUT, Order.Status.CONFIRMED, Order.Status.APPROVED)


@one_write
def order_rate(*, actor, order: Order, rating, comment: str = "") -> Order:
    """Each side rates the service once after it: the person served (or their family) the
    volunteer's service, the volunteer the visit."""
    order = _locked_order(order)
    side = side_of(actor, order)
    if side is None:
        raise PermissionDenied(_("只有服务双方可以评价。"))
    _expect(order, *RATEABLE)
    if side == "served" and order.status == Order.Status.SIGNED_OUT:
        raise ValidationError(_("请在确认服务时评价。"), code="rate_when_confirming")
    rating = _clean_rating(rating)
    comment = _clean_text(comment, _("评价说明"), 200, required=False)
    field, note = (
        ("volunteer_rating", "volunteer_comment")
        if side == "volunteer"
        else ("rating", "rating_comment")
    )
    if getattr(order, field) is not None:
        raise ValidationError(_("您已评价过这次服务。"), code="already_rated")
    setattr(order, field, rating)
    setattr(order, note, comment)
    order.save(update_fields=[field, note])
    audit.record(
        actor=actor, action="timebank.order_rate", obj=order, place=order.place,
        changes={"side": side, "rating": rating, "comment": comment},
    )  # fmt: skip
    return order


DISPUTABLE = (Order.Status.SIGNED_OUT, Order.Status.CONFIRMED, Order.Status.APPROVED)


@one_write
def dispute_raise(*, actor, order: Order, reason: str) -> Dispute:
    """Either side disagrees with a service (e.g. it did not happen, the minutes are wrong).
    Before approval the open dispute blocks approval; after, it waits for a correction."""
    order = _locked_order(order)
    side = side_of(actor, order)
    if side is None:
        raise PermissionDenied(_("只有服务双方可以提出异议。"))
    _expect(order, *DISPUTABLE)
    reason = _clean_text(reason, _("异议理由"), 500)
    if order.disputes.filter(status=Dispute.Status.OPEN).exists():
        raise ValidationError(_("这次服务已有异议在处理中。"), code="dispute_open")
    dispute = Dispute.objects.create(
        order=order, place=order.place, district=order.district, raised_by=actor, side=side,
        reason=reason, after_approval=order.status == Order.Status.APPROVED,
        minutes_before=order.minutes,
    )  # fmt: skip
    audit.record(
        actor=actor, action="timebank.dispute_raise", obj=dispute, place=order.place,
        changes={"order": order.pk, "side": side, "reason": reason},
    )  # fmt: skip
    return dispute


OUTCOMES = ("uphold", "adjust", "reverse")


@retrying
def dispute_resolve(*, actor, dispute: Dispute, outcome: str, note: str, minutes=None) -> Dispute:
    """A worker who is not a party decides a dispute.

    Before approval (a community worker of the place): uphold the record, or adjust the
    minutes; approval then proceeds as usual. After approval the ledger is corrected only by
    reversal, so a street officer or district admin decides: uphold; reverse (the deposit and
    any payment are reversed, the order is marked reversed); or adjust (reverse, then post the
    adjusted minutes again). A transaction is reversed at most once.
    """
    dispute = Dispute.objects.select_for_update().get(pk=dispute.pk)
    order = _locked_order(dispute.order)
    after = order.status == Order.Status.APPROVED
    _require_resolver(actor, order, dispute, after=after)
    note, new_minutes = _clean_resolution(order, outcome, note, minutes, after=after)
    fields = []
    if after and outcome in ("adjust", "reverse"):
        fields = _correct_by_reversal(actor, order, dispute, outcome, note, new_minutes)
    if outcome == "adjust":
        order.minutes = new_minutes
        fields.append("minutes")
    if fields:
        order.save(update_fields=fields)
    dispute.status = {
        "uphold": Dispute.Status.UPHELD, "adjust": Dispute.Status.ADJUSTED,
        "reverse": Dispute.Status.REVERSED,
    }[outcome]  # fmt: skip
    dispute.minutes_after = order.minutes if outcome != "reverse" else 0
    dispute.resolution, dispute.resolved_by, dispute.resolved_at = note, actor, clock.now()
    dispute.save(
        update_fields=["status", "minutes_after", "resolution", "resolved_by", "resolved_at"]
    )
    audit.record(
        actor=actor, action="timebank.dispute_resolve", obj=dispute, place=order.place,
        changes={"outcome": outcome, "minutes": [dispute.minutes_before, dispute.minutes_after],
                 "note": note},
    )  # fmt: skip
    return dispute


def _require_resolver(actor, order: Order, dispute: Dispute, *, after: bool) -> None:
    _require(
        actor, dispute_perm(order), order.place,
        _("已入账服务的异议须由街道或区管理员处理（冲正）。") if after
        else _("只有本社区的社区工作者可以处理异议。"),
    )  # fmt: skip
    if is_dispute_party(actor, order, dispute):
        raise PermissionDenied(_("服务的当事人不能处理这条异议，请由其他工作人员处理。"))
    if dispute.status != Dispute.Status.OPEN:
        raise ValidationError(_("这条异议已处理。"), code="dispute_closed")


def _clean_resolution(order: Order, outcome: str, note: str, minutes, *, after: bool):
    """The resolution's note and, to adjust, the new minutes (at most what was measured or
    agreed, and not the same as before)."""
    if outcome not in OUTCOMES:
        raise ValidationError(_("请选择处理方式。"), code="outcome")
    note = _clean_text(note, _("处理意见"), 500)
    if outcome == "reverse" and not after:
        raise ValidationError(
            _("尚未入账，无需冲正：请维持、调整时长，或驳回这次服务。"), code="nothing_posted"
        )
    if after and order.deposit_id is None:  # pragma: no cover - approval always deposits
        raise ValidationError(_("该服务没有入账记录。"), code="nothing_posted")
    if outcome != "adjust":
        return note, None
    new_minutes = at_most(
        minutes, max(order.measured_minutes or 0, order.listing.minutes),
        _("调整后的时长不能超过签到签退时长或约定时长（%(h)s）。"),
    )  # fmt: skip
    if new_minutes == order.minutes:
        raise ValidationError(_("调整后的时长与原时长相同。"), code="minutes_unchanged")
    return note, new_minutes


def _correct_by_reversal(actor, order, dispute, outcome, note, new_minutes) -> list[str]:
    """After approval: reverse the deposit and any payment; to adjust, post the new minutes
    again (the order keeps its new postings), else the order is reversed. The order's fields
    changed."""
    payer = None
    if order.payment_id:
        payer = order.payment.postings.get(amount__lt=0).account
    reason = _("异议 #%(id)s：%(n)s") % {"id": dispute.pk, "n": note[:100]}
    lock_for_postings(order, payer)  # every account of the correction, before its postings
    reverse(actor=actor, original=order.deposit, key=f"dispute-{dispute.pk}-deposit",
            reason=reason)  # fmt: skip
    if order.payment_id:
        reverse(actor=actor, original=order.payment, key=f"dispute-{dispute.pk}-payment",
                reason=reason)  # fmt: skip
    if outcome == "adjust":
        order.deposit, order.payment = _post_order(
            actor=actor, order=order, minutes=new_minutes, payer=payer,
            suffix=f"-dispute-{dispute.pk}", perm="timebank.reverse",
        )  # fmt: skip
        return ["deposit", "payment"]
    order.status = Order.Status.REVERSED
    return ["status"]
