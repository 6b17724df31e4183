"""A time-bank order's steps as one table.

Each row says what a step is called, which service takes it, who may take it (a predicate over
the user and the order, the same one the service checks), from which states of the order, and
what input it takes. The pages (``views.order_action`` and the order page, the home page's
"我接的单", the approvals page), the JSON API (``api.py``: one operation per row,
``POST /api/timebank/orders/{id}/steps/{name}``) and the tests loop over ``STEPS``: adding a
step is adding a row here (and its service in ``timebank.services``). The shape of a row and
what loops over the rows are shared: ``core.steps``.

``available_steps(user, order)`` answers which steps this user may take on this order now; the
services still check everything again when a step is taken (the order may have moved).
"""

from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import steps as core_steps
from core.steps import TEXT
from timebank import services
from timebank.models import Dispute, Order
from timebank.rules import (
    can_confirm_order,
    dispute_perm,
    is_dispute_party,
    is_order_volunteer,
    order_side,
)

# Kinds of input besides text. The page renders each as its form field, the API as its JSON type.
MINUTES = "minutes"  # a whole number of minutes
STARS = "stars"  # a rating, 1–5 stars
OUTCOME = "outcome"  # how a dispute is resolved: services.OUTCOMES

OUTCOME_LABELS = {
    "uphold": gettext_lazy("维持原记录"),
    "adjust": gettext_lazy("调整时长"),
    "reverse": gettext_lazy("冲正（撤销这次服务的记账）"),
}


@dataclass(frozen=True, kw_only=True)
class Input(core_steps.Input):
    max_length: int = 200
    rows: int = 0  # a text area of this many rows (0: one line)


@dataclass(frozen=True, kw_only=True)
class Step(core_steps.Step):
    """One step of an order: ``perm`` is a predicate (user, order) -> bool, as the service checks.

    ``service`` is called as ``service(actor=…, order=…, **input)`` — for a step on the order's
    open dispute (``subject="dispute"``) as ``service(actor=…, dispute=…, **input)``. ``help``
    is (order) -> the text under the heading; ``summary`` is English, as the API's others."""

    OBJECT = "order"
    STATE = "status"

    subject: str = "order"
    also_on: str = ""  # besides the order page: "home" (the volunteer's and the family's) or
    # "approvals" (the community worker's list)

    def subject_of(self, order: Order, data: dict):
        if self.subject != "dispute":
            return order
        dispute = open_dispute(order)
        if dispute is None:
            raise ValidationError(_("这条异议已处理。"), code="dispute_closed")
        return dispute

    def form(self, order: Order, data=None, *, auto_id="id_%s"):
        """The step's inputs as a Django form (None for a step without input)."""
        if not self.inputs:
            return None
        fields = {spec.name: _form_field(spec, order) for spec in self.inputs}
        form_class = type(f"{self.name.title()}StepForm", (forms.Form,), fields)
        initial = self.initial(order) if self.initial is not None and data is None else None
        return form_class(data, prefix=self.prefix(order), auto_id=auto_id, initial=initial)

    def prefix(self, order: Order) -> str | None:
        """Confirming is offered for several orders on one page (home): its fields carry the
        order's number."""
        return f"o{order.pk}" if self.name == "confirm" else None


def _form_field(spec: Input, order: Order):
    if spec.kind == MINUTES:
        return forms.IntegerField(
            label=spec.label, required=spec.required, min_value=1,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        )  # fmt: skip
    if spec.kind == STARS:
        stars = [(n, "★" * n) for n in range(5, 0, -1)]
        return forms.TypedChoiceField(
            label=spec.label, coerce=int, required=spec.required,
            choices=stars if spec.required else [("", "—"), *stars],
        )  # fmt: skip
    if spec.kind == OUTCOME:
        dispute = open_dispute(order)
        after = dispute is not None and dispute.after_approval
        outcomes = services.OUTCOMES if after else services.OUTCOMES[:2]
        return forms.ChoiceField(
            label=spec.label, choices=[(o, OUTCOME_LABELS[o]) for o in outcomes]
        )
    # Text: a required one missing is refused as the service refuses it ("请填写…").
    widget = forms.Textarea(attrs={"rows": spec.rows}) if spec.rows else None
    return forms.CharField(
        label=spec.label, required=spec.required, max_length=spec.max_length, widget=widget,
        error_messages={"required": _("请填写%(label)s。") % {"label": spec.label}},
    )  # fmt: skip


# ---------------------------------------------------------------- who may, beyond the state


def open_dispute(order: Order) -> Dispute | None:
    """The order's open dispute (at most one is open at a time). A page that lists orders with
    their steps prefetches ``disputes``, and then this reads no query: the steps ask it two or
    three times an order (approve, reject, dispute, resolve)."""
    prefetched = getattr(order, "_prefetched_objects_cache", {}).get("disputes")
    if prefetched is not None:
        return next((d for d in prefetched if d.status == Dispute.Status.OPEN), None)
    return order.disputes.filter(status=Dispute.Status.OPEN).first()


def _no_open_dispute(user, order) -> bool:
    return open_dispute(order) is None


def _records_here(user, order) -> bool:
    return user.has_perm("timebank.record", order.place)


def _approves(user, order) -> bool:
    """Someone else than who confirmed it, with no dispute open."""
    return order.confirmed_by_id != user.pk and _no_open_dispute(user, order)


def _is_party(user, order) -> bool:
    return order_side(user, order) is not None


def _not_rated_yet(user, order) -> bool:
    """Each side rates once; the person served rates when confirming (not before)."""
    side = order_side(user, order)
    if side == "volunteer":
        return order.volunteer_rating is None
    return order.rating is None and order.status != Order.Status.SIGNED_OUT


def _resolves(user, order) -> bool:
    """A worker who is not a party: the community's before approval, a street officer or district
    administrator after it (the correction is a reversal)."""
    if not user.has_perm(dispute_perm(order), order.place):
        return False
    dispute = open_dispute(order)
    return dispute is not None and not is_dispute_party(user, order, dispute)


def _resolve_help(order):
    dispute = open_dispute(order)
    if dispute is not None and dispute.after_approval:
        return gettext_lazy("这次服务已经入账：调整和冲正都以冲正记账的方式进行，原记录保留。")
    return gettext_lazy("未处理的异议会阻止审核入账。")


# ---------------------------------------------------------------- the table

S = Order.Status
RATEABLE = frozenset(services.RATEABLE)
DISPUTABLE = frozenset(services.DISPUTABLE)

STEPS: tuple[Step, ...] = (
    Step(
        "sign_in", gettext_lazy("签到"), services.order_sign_in, is_order_volunteer,
        frozenset({S.TAKEN}), done=gettext_lazy("已签到，服务开始。"), style="primary",
        also_on="home", summary="Sign in at the start of the service (the volunteer)",
    ),
    Step(
        "cancel", gettext_lazy("取消"), services.order_cancel, is_order_volunteer,
        frozenset({S.TAKEN}), done=gettext_lazy("已取消接单。"), also_on="home",
        summary="Give the order back before signing in (the volunteer); the need opens again",
    ),
    Step(
        "sign_out", gettext_lazy("签退"), services.order_sign_out, is_order_volunteer,
        frozenset({S.SIGNED_IN}), done=gettext_lazy("已签退，等待服务对象确认。"), style="primary",
        also_on="home", summary="Sign out at the end: the measured minutes (the volunteer)",
    ),
    Step(
        "confirm", gettext_lazy("确认服务"), services.order_confirm, can_confirm_order,
        frozenset({S.SIGNED_OUT}),
        inputs=(
            Input("minutes", MINUTES, gettext_lazy("确认服务时长（分钟）"), required=True),
            Input("rating", STARS, gettext_lazy("评价")),
        ),
        done=gettext_lazy("已确认，等待社区审核。"), title=gettext_lazy("确认服务"), style="primary",
        also_on="home", initial=lambda order: {"minutes": order.minutes, "rating": 5},
        summary="Confirm the service and its minutes, and rate it (the person served or family)",
    ),
    Step(
        "approve", gettext_lazy("通过并入账"), services.order_approve, _records_here,
        frozenset({S.CONFIRMED}), guard=_approves,
        done=gettext_lazy("已审核，时间已存入志愿者账户。"), style="primary", also_on="approvals",
        summary="Approve a confirmed service: the deposit (and payment) are posted once per order",
    ),
    Step(
        "reject", gettext_lazy("驳回"), services.order_reject, _records_here,
        frozenset({S.CONFIRMED, S.SIGNED_OUT}), guard=_no_open_dispute,
        inputs=(Input("reason", TEXT, gettext_lazy("驳回理由"), required=True),),
        done=gettext_lazy("已驳回，需求重新开放。"), title=gettext_lazy("驳回"), style="danger",
        also_on="approvals",
        summary="Do not approve (e.g. the service did not happen); the need opens again",
    ),
    Step(
        "rate", gettext_lazy("提交评价"), services.order_rate, _is_party, RATEABLE,
        guard=_not_rated_yet,
        inputs=(
            Input("rating", STARS, gettext_lazy("评价"), required=True),
            Input("comment", TEXT, gettext_lazy("评价说明（可选）")),
        ),
        done=gettext_lazy("感谢您的评价。"), title=gettext_lazy("评价这次服务"), style="primary",
        summary="Rate the service once (the person served or their family) or the visit (the "
        "volunteer)",
    ),
    Step(
        "dispute", gettext_lazy("提出异议"), services.dispute_raise, _is_party, DISPUTABLE,
        guard=_no_open_dispute,
        inputs=(
            Input("reason", TEXT, gettext_lazy("异议理由"), required=True, max_length=500, rows=2),
        ),
        done=gettext_lazy("异议已提交，社区会尽快处理。"), title=gettext_lazy("对这次服务有异议？"),
        style="danger", summary="Dispute a service (either side); an open dispute blocks approval",
    ),
    Step(
        "resolve", gettext_lazy("提交处理"), services.dispute_resolve, _resolves, DISPUTABLE,
        subject="dispute",
        inputs=(
            Input("outcome", OUTCOME, gettext_lazy("处理方式"), required=True),
            Input("minutes", MINUTES, gettext_lazy("调整后的时长（分钟，仅调整时填写）")),
            Input("note", TEXT, gettext_lazy("处理意见"), required=True, max_length=500),
        ),
        done=gettext_lazy("异议已处理。"), title=gettext_lazy("处理异议"), style="primary",
        help=_resolve_help,
        summary="Resolve the order's open dispute: a community worker before approval, a street "
        "officer or district admin after (corrections by reversal)",
    ),
)  # fmt: skip

TABLE = core_steps.Table(STEPS)
BY_NAME: dict[str, Step] = TABLE.by_name
available_steps = TABLE.available  # (user, order) -> the steps user may take on it now
