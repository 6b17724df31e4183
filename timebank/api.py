"""The timebank router of the JSON API, mounted at /api/timebank/.

Ledger writes require an ``Idempotency-Key`` header: it becomes the transaction's own key
(namespaced by the caller), written in the same database transaction as the postings. The same
key with the same body answers the original transaction (``Idempotent-Replayed: true``); with
another body, 409.
"""

import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Header, Path, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from core.api import AUTH, IdempotencyConflict, Page, errors
from core.api_schemas import MAX_ID
from core.rules import assignments_of
from timebank import selectors, services
from timebank.models import Account, AccountKind, Listing, ListingKind, Order

router = Router(auth=AUTH, tags=["timebank"])
# Every endpoint is published in the OpenAPI document (and so fuzzed by core's schemathesis test).
IN_SCHEMA = True

Id = Annotated[int, Path(ge=1, le=MAX_ID)]
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


def _account(user, pk: int) -> Account:
    account = selectors.accounts_visible_to(user).filter(pk=pk).first()
    if account is None:
        raise Http404
    return account


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
def account_detail(request, account_id: Id):
    return _account(request.auth, account_id)


@router.get(
    "/accounts/{account_id}/postings",
    response={200: list[PostingOut], **errors(404, 422)},
    include_in_schema=IN_SCHEMA,
)
@paginate(Page)
def account_postings(request, account_id: Id):
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
        }  # fmt: skip
        for p in selectors.postings_visible_to(request.auth, account).order_by("-pk")
    ]


@router.post(
    "/accounts/{account_id}/withdrawals",
    response={201: TransactionOut, **errors(400, 403, 404, 409, 422)},
    summary="Withdraw stored minutes for a service received (community worker)",
)
def withdrawal_create(
    request, response: HttpResponse, account_id: Id, data: WithdrawalIn, key: LedgerKey
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
    request, response: HttpResponse, account_id: Id, data: TransferIn, key: LedgerKey
):
    account = _account(request.auth, account_id)
    target = Account.objects.filter(
        pk=data.target_id, district=account.district, kind=AccountKind.MEMBER
    ).first()
    if target is None:
        raise ValidationError(_("受赠账户不存在。"), code="unknown_reference")
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
    request, response: HttpResponse, account_id: Id, data: DonationIn, key: LedgerKey
):
    account = _account(request.auth, account_id)
    fund = Account.objects.filter(
        pk=data.fund_id, district=account.district, kind=AccountKind.FUND
    ).first()
    if fund is None:
        raise ValidationError(_("公益基金账户不存在。"), code="unknown_reference")
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
def need_take(request, need_id: Id):
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


@router.post("/orders/{order_id}/sign-in", response={200: OrderOut, **errors(403, 404, 422)})
def order_sign_in(request, order_id: Id):
    return services.order_sign_in(actor=request.auth, order=_order(request, order_id))


@router.post("/orders/{order_id}/sign-out", response={200: OrderOut, **errors(403, 404, 422)})
def order_sign_out(request, order_id: Id):
    return services.order_sign_out(actor=request.auth, order=_order(request, order_id))


@router.post("/orders/{order_id}/confirm", response={200: OrderOut, **errors(403, 404, 422)})
def order_confirm(request, order_id: Id, data: ConfirmIn):
    return services.order_confirm(
        actor=request.auth, order=_order(request, order_id), minutes=data.minutes,
        rating=data.rating,
    )  # fmt: skip


@router.post("/orders/{order_id}/approve", response={200: OrderOut, **errors(403, 404, 422)})
def order_approve(request, order_id: Id):
    """Approve a confirmed service: the deposit (and payment) are posted once per order."""
    return services.order_approve(actor=request.auth, order=_order(request, order_id))
