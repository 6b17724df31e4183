"""The timebank router of the JSON API, mounted at /api/timebank/.

Ledger writes require an ``Idempotency-Key`` header: it becomes the transaction's own key
(namespaced by the caller), written in the same database transaction as the postings. The same
key with the same body answers the original transaction (``Idempotent-Replayed: true``); with
another body, 409.
"""

import datetime
from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Header, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import BeforeValidator, WithJsonSchema

from core.api import AUTH, IdempotencyConflict, Page, errors
from core.api_schemas import MAX_ID, PathId
from core.rules import assignments_of
from core.steps import add_step_operations
from timebank import selectors, services, steps
from timebank.models import Account, AccountKind, Category, Listing, ListingKind, Order

router = Router(auth=AUTH, tags=["timebank"])
# Every endpoint is published in the OpenAPI document (and so fuzzed by core's schemathesis test).
IN_SCHEMA = True

LedgerKey = Annotated[
    str,
    Header(
        alias="Idempotency-Key", min_length=1, max_length=200,
        description="Required for ledger writes: a retry with the same key and body returns the "
        "original transaction; with another body, 409.",
    ),
]  # fmt: skip
Minutes = Annotated[int, Field(ge=1, le=services.MAX_MINUTES)]


class AccountOut(Schema):
    id: int
    kind: str
    name: str
    place_id: int
    balance_minutes: int = Field(alias="balance")
    earned_minutes: int = Field(alias="earned")
    stars: int
    is_closed: bool


class PostingOut(Schema):
    id: int
    transaction_id: int
    kind: str
    memo: str
    amount_minutes: int
    balance_after_minutes: int
    created_at: datetime.datetime


class TransactionOut(Schema):
    id: int
    kind: str
    memo: str
    hash: str
    created_at: datetime.datetime
    postings: dict[str, int]


class WithdrawalIn(Schema):
    minutes: Minutes
    memo: str = Field(min_length=1, max_length=200)


class TransferIn(Schema):
    target_id: int = Field(ge=1, le=MAX_ID)
    minutes: Minutes
    relation: str = Field(min_length=1, max_length=60)


class DonationIn(Schema):
    fund_id: int = Field(ge=1, le=MAX_ID)
    minutes: Minutes


class NeedOut(Schema):
    id: int
    category: str
    title: str
    minutes: int
    place_id: int
    wanted_at: datetime.datetime | None
    status: str


class OrderOut(Schema):
    id: int
    listing_id: int
    status: str
    minutes: int | None
    deposit_id: int | None


class ConfirmIn(Schema):
    minutes: Minutes
    rating: int | None = Field(None, ge=1, le=5)


# A time of day in Beijing as the offer stores it ("18:00:00"), with no offset. JSON Schema's
# "time" format is RFC 3339's full-time, which must carry one: declared as a pattern instead, so
# the answer matches the document (schemathesis found "18:00:00" failing format "time").
LocalTimeOut = Annotated[
    datetime.time | None,
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "pattern": r"^\d{2}:\d{2}:\d{2}(\.\d+)?$"},
                {"type": "null"},
            ],
            "description": "Beijing time of day, without an offset, e.g. 18:00:00",
        }
    ),
]


class OfferOut(Schema):
    id: int
    category: str
    title: str
    detail: str
    minutes: int
    skills: str
    weekdays: str = Field(description='ISO weekdays, e.g. "135"; empty means any day')
    start_time: LocalTimeOut
    end_time: LocalTimeOut
    window: str = Field(alias="window_text", description="The time slot as people read it")
    place_id: int
    poster_id: int
    status: str
    created_at: datetime.datetime


def _time_of_day(value):
    """A whole date-time is taken as its Beijing time of day; a time (with or without an offset)
    is left to the schema and the service (timebank.services.local_time_of_day)."""
    if isinstance(value, str) and "T" in value.upper():
        try:
            return services.local_time_of_day(datetime.datetime.fromisoformat(value))
        except (ValueError, OverflowError):
            return value  # refused by the schema: not a time
    return value


TimeOfDay = Annotated[
    datetime.time | None,
    BeforeValidator(_time_of_day),
    Field(
        description="Beijing time, e.g. 09:00; with an offset (09:00+08:00, 01:00Z) it is moved "
        "into Beijing time",
    ),
]


# The kinds of help, inline: an enumeration would be a schema named "Category" in the OpenAPI
# document, the name the services' request categories already have.
CategoryName = Literal[tuple(Category.values)]  # type: ignore[valid-type]


class OfferIn(Schema):
    title: str = Field(min_length=1, max_length=100)
    category: CategoryName
    minutes: int = Field(ge=1, le=480)
    skills: str = Field("", max_length=100)
    weekdays: str = Field("", max_length=7, description='ISO weekdays 1–7, e.g. "135"')
    start_time: TimeOfDay = None
    end_time: TimeOfDay = None
    detail: str = Field("", max_length=2000)


class SuggestionOut(Schema):
    score: int
    reasons: list[str]
    offer_id: int | None = Field(description="The volunteer's open offer, if any")
    volunteer_name: str
    place_id: int
    time_fits: bool | None = Field(description="Whether the offer's slot covers the need's time")


class RatingIn(Schema):
    rating: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=200)


class RatedOrderOut(OrderOut):
    rating: int | None = Field(description="The person served's rating of the service")
    rating_comment: str
    volunteer_rating: int | None = Field(description="The volunteer's rating of the visit")
    volunteer_comment: str


class DisputeIn(Schema):
    reason: str = Field(min_length=1, max_length=500)


class ResolveIn(Schema):
    outcome: Literal["uphold", "adjust", "reverse"] = Field(
        description="Before approval uphold or adjust; after approval also reverse"
    )
    note: str = Field(min_length=1, max_length=500)
    minutes: Minutes | None = Field(None, description="The adjusted minutes (adjust only)")


class DisputeOut(Schema):
    id: int
    order_id: int
    side: str
    reason: str
    status: str
    after_approval: bool
    minutes_before: int | None
    minutes_after: int | None
    resolution: str
    raised_at: datetime.datetime
    resolved_at: datetime.datetime | None


def _account(user, pk: int) -> Account:
    account = selectors.accounts_visible_to(user).filter(pk=pk).first()
    if account is None:
        raise Http404
    return account


def _counterpart(account: Account, pk: int, kind: str, missing: str) -> Account:
    """The other account of a transfer or donation: of `kind`, in the same district."""
    other = Account.objects.filter(pk=pk, district=account.district, kind=kind).first()
    if other is None:
        raise ValidationError(missing, code="unknown_reference")
    return other


def _tx_out(tx) -> dict:
    return {
        "id": tx.pk, "kind": tx.kind, "memo": tx.memo, "hash": tx.hash,
        "created_at": tx.created_at,
        "postings": {str(p.account_id): p.amount for p in tx.postings.all()},
    }  # fmt: skip


def _ledger_write(request, response: HttpResponse, key: str, write) -> Status:
    if not key.strip() or not key.isascii() or not key.isprintable():
        raise HttpError(400, _("Idempotency-Key 应为1–200个可打印的ASCII字符。"))
    try:
        tx = write(f"api:{request.auth.pk}:{key}")
    except ValidationError as exc:
        if getattr(exc, "code", None) == "idempotency_conflict":
            raise IdempotencyConflict(exc.messages[0], "idempotency_key_reused") from None
        raise
    if tx.replayed:
        response["Idempotent-Replayed"] = "true"
    return Status(201, _tx_out(tx))


@router.get(
    "/accounts", response={200: list[AccountOut], **errors(422)}, include_in_schema=IN_SCHEMA
)
@paginate(Page)
def account_list(request):
    """The caller's own account and the accounts of the places where they serve or audit."""
    return selectors.accounts_visible_to(request.auth).order_by("pk")


@router.get(
    "/accounts/{account_id}",
    response={200: AccountOut, **errors(404, 422)},
    include_in_schema=IN_SCHEMA,
)
def account_detail(request, account_id: PathId):
    return _account(request.auth, account_id)


@router.get(
    "/accounts/{account_id}/postings",
    response={200: list[PostingOut], **errors(404, 422)},
    include_in_schema=IN_SCHEMA,
)
@paginate(Page)
def account_postings(request, account_id: PathId):
    """The account's statement, newest first."""
    account = _account(request.auth, account_id)
    return [
        {
            "id": p.pk,
            "transaction_id": p.transaction_id,
            "kind": p.transaction.kind,
            "memo": p.transaction.memo,
            "amount_minutes": p.amount,
            "balance_after_minutes": p.balance_after,
            "created_at": p.created_at,
        }
        for p in selectors.postings_visible_to(request.auth, account).order_by("-pk")
    ]


@router.post(
    "/accounts/{account_id}/withdrawals",
    response={201: TransactionOut, **errors(400, 403, 404, 409, 422)},
    summary="Withdraw stored minutes for a service received (community worker)",
)
def withdrawal_create(
    request, response: HttpResponse, account_id: PathId, data: WithdrawalIn, key: LedgerKey
):
    account = _account(request.auth, account_id)
    return _ledger_write(
        request, response, key,
        lambda k: services.withdraw(
            actor=request.auth, account=account, minutes=data.minutes, key=k, memo=data.memo
        ),
    )  # fmt: skip


@router.post(
    "/accounts/{account_id}/transfers",
    response={201: TransactionOut, **errors(400, 403, 404, 409, 422)},
    summary="Give stored minutes to a relative (community worker verifies the relation)",
)
def transfer_create(
    request, response: HttpResponse, account_id: PathId, data: TransferIn, key: LedgerKey
):
    account = _account(request.auth, account_id)
    target = _counterpart(account, data.target_id, AccountKind.MEMBER, _("受赠账户不存在。"))
    return _ledger_write(
        request, response, key,
        lambda k: services.transfer(
            actor=request.auth, source=account, target=target, minutes=data.minutes, key=k,
            relation=data.relation,
        ),
    )  # fmt: skip


@router.post(
    "/accounts/{account_id}/donations",
    response={201: TransactionOut, **errors(400, 403, 404, 409, 422)},
    summary="Donate stored minutes to a community fund (the holder or a community worker)",
)
def donation_create(
    request, response: HttpResponse, account_id: PathId, data: DonationIn, key: LedgerKey
):
    account = _account(request.auth, account_id)
    fund = _counterpart(account, data.fund_id, AccountKind.FUND, _("公益基金账户不存在。"))
    return _ledger_write(
        request, response, key,
        lambda k: services.donate(
            actor=request.auth, source=account, fund=fund, minutes=data.minutes, key=k
        ),
    )  # fmt: skip


@router.get("/needs", response={200: list[NeedOut], **errors(422)}, include_in_schema=IN_SCHEMA)
@paginate(Page)
def need_list(request):
    """Open needs in the caller's district, newest first."""
    return (
        selectors.listings_visible_to(request.auth)
        .filter(kind=ListingKind.NEED, status=Listing.Status.OPEN)
        .order_by("-created_at", "-pk")
    )


@router.post("/needs/{need_id}/take", response={201: OrderOut, **errors(403, 404, 422)})
def need_take(request, need_id: PathId):
    listing = get_object_or_404(selectors.listings_visible_to(request.auth), pk=need_id)
    return Status(201, services.order_take(actor=request.auth, listing=listing))


def _order(request, order_id: int) -> Order:
    order = Order.objects.filter(pk=order_id).select_related("listing", "volunteer").first()
    if order is None or order.district_id not in _districts(request.auth):
        raise Http404
    return order


def _districts(user) -> set[int]:
    if user.is_superuser:
        return set(Order.objects.values_list("district_id", flat=True).distinct())
    return {a.place.district_id for a in assignments_of(user)} | {
        a.district_id for a in selectors.own_accounts(user)
    }


# The older operations of four steps (the table's own: /orders/{id}/steps/{name}, below).


def _step(request, name: str, order: Order, data: dict | None = None):
    return steps.BY_NAME[name].run(actor=request.auth, order=order, data=data or {})


@router.post("/orders/{order_id}/sign-in", response={200: OrderOut, **errors(403, 404, 422)})
def order_sign_in(request, order_id: PathId):
    return _step(request, "sign_in", _order(request, order_id))


@router.post("/orders/{order_id}/sign-out", response={200: OrderOut, **errors(403, 404, 422)})
def order_sign_out(request, order_id: PathId):
    return _step(request, "sign_out", _order(request, order_id))


@router.post("/orders/{order_id}/confirm", response={200: OrderOut, **errors(403, 404, 422)})
def order_confirm(request, order_id: PathId, data: ConfirmIn):
    return _step(request, "confirm", _order(request, order_id), data.dict())


@router.post("/orders/{order_id}/approve", response={200: OrderOut, **errors(403, 404, 422)})
def order_approve(request, order_id: PathId):
    """Approve a confirmed service: the deposit (and payment) are posted once per order."""
    return _step(request, "approve", _order(request, order_id))


# ---------------------------------------------------------------- offers and matching


@router.get("/offers", response={200: list[OfferOut], **errors(422)}, include_in_schema=IN_SCHEMA)
@paginate(Page)
def offer_list(request, mine: bool = False):
    """Open offers in the caller's district (通存通兑), newest first; ``mine=true``: only the
    caller's own."""
    offers = selectors.listings_visible_to(request.auth).filter(
        kind=ListingKind.OFFER, status=Listing.Status.OPEN
    )
    if mine:
        offers = offers.filter(poster=request.auth)
    return offers.order_by("-created_at", "-pk")


@router.post(
    "/offers",
    response={201: OfferOut, **errors(403, 422)},
    summary="Offer a kind of help, with skills and weekly availability (a resident with an account)",
)
def offer_create(request, data: OfferIn):
    offer = services.listing_create(actor=request.auth, kind=ListingKind.OFFER, **data.dict())
    return Status(201, offer)


@router.post(
    "/offers/{offer_id}/withdraw",
    response={200: OfferOut, **errors(403, 404, 422)},
    summary="Withdraw an open offer (its poster, or a community worker of the place)",
)
def offer_withdraw(request, offer_id: PathId):
    offer = get_object_or_404(
        selectors.listings_visible_to(request.auth), pk=offer_id, kind=ListingKind.OFFER
    )
    return services.listing_close(actor=request.auth, listing=offer)


@router.get(
    "/needs/{need_id}/suggestions",
    response={200: list[SuggestionOut], **errors(404, 422)},
    include_in_schema=IN_SCHEMA,
)
def need_suggestions(request, need_id: PathId):
    """Offers and experienced volunteers for an open need, best first, with the reasons; for
    the poster, the family contact, the person served, or a community worker of the place."""
    need = selectors.need_with_suggestions(request.auth, need_id)
    if need is None:
        raise Http404
    if need.status != Listing.Status.OPEN:
        return []
    return [
        {
            "score": m.score,
            "reasons": [str(r) for r in m.reasons],
            "offer_id": m.listing.pk if m.listing else None,
            "volunteer_name": str(m.listing.poster) if m.listing else m.account.name,
            "place_id": (m.listing or m.account).place_id,
            "time_fits": m.time_fits,
        }
        for m in selectors.suggestions_for_need(request.auth, need)
    ]


# ---------------------------------------------------------------- ratings and disputes


def _visible_order(user, order_id: int) -> Order:
    order = selectors.order_visible_to(user, order_id)
    if order is None:
        raise Http404
    return order


@router.post(
    "/orders/{order_id}/rating",
    response={200: RatedOrderOut, **errors(403, 404, 422)},
    summary="Rate the service once (the person served or their family) or the visit (the "
    "volunteer)",
)
def order_rate(request, order_id: PathId, data: RatingIn):
    return _step(request, "rate", _visible_order(request.auth, order_id), data.dict())


@router.post(
    "/orders/{order_id}/disputes",
    response={201: DisputeOut, **errors(403, 404, 422)},
    summary="Dispute a service (either side); an open dispute blocks approval",
)
def dispute_raise(request, order_id: PathId, data: DisputeIn):
    order = _visible_order(request.auth, order_id)
    return Status(201, _step(request, "dispute", order, data.dict()))


@router.post(
    "/disputes/{dispute_id}/resolve",
    response={200: DisputeOut, **errors(403, 404, 422)},
    summary="Resolve a dispute: a community worker before approval, a street officer or "
    "district admin after (corrections by reversal)",
)
def dispute_resolve(request, dispute_id: PathId, data: ResolveIn):
    dispute = get_object_or_404(selectors.disputes_to_resolve(request.auth), pk=dispute_id)
    return _step(request, "resolve", dispute.order, data.dict())


# ---------------------------------------------------------------- one operation per step


def _body_field(spec: steps.Input):
    """The JSON type of one input of a step (text is checked by the service, with the reason)."""
    required = ... if spec.required else None
    if spec.kind == steps.MINUTES:
        return int | None, Field(required, ge=1, le=services.MAX_MINUTES, description="minutes")
    if spec.kind == steps.STARS:
        return int | None, Field(required, ge=1, le=5, description="stars, 1–5")
    if spec.kind == steps.OUTCOME:
        outcome = Literal[tuple(services.OUTCOMES)]  # type: ignore[valid-type]
        return outcome, Field(description="Before approval uphold or adjust; after also reverse")
    if spec.required:
        return str, Field(min_length=1, max_length=spec.max_length)
    return str, Field("", max_length=spec.max_length)


def _take(user, order_id: int, step: steps.Step, data: dict) -> Order:
    """Take the step on an order the user sees; answer the order as it is now."""
    order = _visible_order(user, order_id)
    step.run(actor=user, order=order, data=data)
    return Order.objects.get(pk=order.pk)


add_step_operations(
    router, steps.STEPS, collection="/orders", id_name="order_id", out=RatedOrderOut,
    body_field=_body_field, take=_take, prefix="timebank", model_prefix="TimebankStep",
)  # fmt: skip
