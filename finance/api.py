"""The finance JSON API, read only: a community's books for a year (for those who read its
books) and the published boards (for everyone the board is published to). Writes stay on the
pages and their services."""

import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from core.api import AUTH, errors
from finance import selectors
from finance.models import Disclosure

router = Router(auth=AUTH, tags=["finance"])


class IncomeOut(Schema):
    id: int
    kind: str
    amount_fen: int
    received_on: datetime.date
    payer: str
    note: str


class SpendingOut(Schema):
    id: int
    category: str
    amount_fen: int
    spent_on: datetime.date
    payee: str
    purpose: str
    status: str
    has_receipt: bool


class BooksOut(Schema):
    community_id: int
    year: int
    incomes: list[IncomeOut]
    spendings: list[SpendingOut]


class BoardOut(Schema):
    id: int
    community_id: int
    board: str
    period_start: datetime.date
    period_end: datetime.date
    published_at: datetime.datetime | None
    content: dict
    note: str


@router.get(
    "/books/{community_id}/{year}", response={200: BooksOut, **errors(404)},
    summary="A community's income and spending for a year",
)  # fmt: skip
def books(request, community_id: int, year: int):
    community = get_object_or_404(selectors.book_communities(request.auth), pk=community_id)
    return {
        "community_id": community.pk, "year": year,
        "incomes": [
            {f: getattr(i, f) for f in IncomeOut.model_fields}
            for i in selectors.incomes_of(request.auth, community, year).order_by("received_on", "pk")
        ],
        "spendings": [
            {**{f: getattr(s, f) for f in SpendingOut.model_fields if f != "has_receipt"},
             "has_receipt": bool(s.receipt)}
            for s in selectors.spendings_of(request.auth, community, year).order_by("spent_on", "pk")
        ],
    }  # fmt: skip


def _board(d: Disclosure) -> dict:
    return {f: getattr(d, f) for f in BoardOut.model_fields}


@router.get("/boards", response={200: list[BoardOut], **errors()}, summary="Published boards")
def board_list(request, community_id: int | None = None):
    boards = selectors.visible_disclosures(request.auth).filter(status=Disclosure.Status.PUBLISHED)
    if community_id is not None:
        boards = boards.filter(community_id=community_id)
    return [_board(d) for d in boards.order_by("-period_start", "board", "pk")[:500]]


@router.get("/boards/{board_id}", response={200: BoardOut, **errors(404)}, summary="One board")
def board_detail(request, board_id: int):
    boards = selectors.visible_disclosures(request.auth).filter(status=Disclosure.Status.PUBLISHED)
    return _board(get_object_or_404(boards, pk=board_id))
