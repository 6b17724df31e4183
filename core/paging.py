"""Keyset ("seek") pagination for lists that reach a million rows.

Django's Paginator counts the whole list and skips OFFSET rows to reach page N: at a district's
million residents both cost seconds. A keyset page remembers the sort key of its last row and
asks for the rows after it, which an index on the sort columns answers directly, on any page.
The cursor travels in the URL as opaque text; a cursor that does not decode starts at the top.
"""

import base64
import json
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Q, QuerySet


@dataclass
class KeysetPage:
    items: list
    next_cursor: str = ""
    previous_cursor: str = ""
    is_first: bool = True
    params: dict = field(default_factory=dict)  # the list's other query parameters

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)

    def _url(self, **cursor) -> str:
        return "?" + urlencode({**{k: v for k, v in self.params.items() if v}, **cursor})

    @property
    def next_url(self) -> str:
        return self._url(after=self.next_cursor) if self.next_cursor else ""

    @property
    def previous_url(self) -> str:
        if self.is_first:
            return ""
        return self._url(before=self.previous_cursor) if self.previous_cursor else self._url()

    @property
    def first_url(self) -> str:
        return "" if self.is_first else self._url()


def _encode(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, ensure_ascii=False).encode()).decode()


def _decode(cursor: str, width: int) -> list | None:
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode()))
    except (ValueError, UnicodeError):
        return None
    if not isinstance(values, list) or len(values) != width:
        return None
    if not all(_storable(v) for v in values):
        return None
    return values


def cursor_is_valid(cursor: str, width: int) -> bool:
    """Whether ``cursor`` is one this pager made for an order of ``width`` columns (a list that
    refuses a tampered cursor with a message asks this first; keyset_page starts at the top)."""
    return _decode(cursor, width) is not None


def _column(name: str) -> tuple[str, bool]:
    """A column of an order, and whether it runs descending ("-pk")."""
    return (name[1:], True) if name.startswith("-") else (name, False)


def _storable(value) -> bool:
    """A key value the database can compare: text without NUL, or a 64-bit integer."""
    if isinstance(value, str):
        return "\x00" not in value
    return isinstance(value, int) and not isinstance(value, bool) and -(2**63) <= value < 2**63


def _beyond(order: tuple[str, ...], values: list, *, forward: bool) -> Q:
    """Rows strictly after (or before) `values` in the order of `order`, as
    (a > x) OR (a = x AND b > y) OR …, which PostgreSQL and SQLite both answer from the index.
    A descending column ("-pk") compares the other way."""
    condition = Q(pk__in=[])
    for i, spec in enumerate(order):
        column, descending = _column(spec)
        op = "gt" if forward != descending else "lt"
        step = Q(**{f"{column}__{op}": values[i]})
        for earlier, value in zip(order[:i], values[:i], strict=True):
            step &= Q(**{_column(earlier)[0]: value})
        condition |= step
    return condition


def keyset_page(
    queryset: QuerySet,
    *,
    order: tuple[str, ...],
    after: str = "",
    before: str = "",
    size: int = 50,
    params: dict | None = None,
) -> KeysetPage:
    """One page of `queryset` in `order` (the last column must be unique, e.g. "pk"; a leading
    "-" runs a column descending), starting after the `after` cursor or ending before the
    `before` cursor."""
    params = params or {}
    cursor = _decode(after, len(order)) if after else None
    if cursor is None and before:
        backward = _decode(before, len(order))
        if backward is not None:
            reverse = tuple(c[1:] if c.startswith("-") else f"-{c}" for c in order)
            rows = list(
                queryset.filter(_beyond(order, backward, forward=False)).order_by(*reverse)[
                    : size + 1
                ]
            )
            if len(rows) > size:
                rows = rows[:size][::-1]
                return KeysetPage(
                    items=rows,
                    next_cursor=_encode(_key(rows[-1], order)),
                    previous_cursor=_encode(_key(rows[0], order)),
                    is_first=False,
                    params=params,
                )
            # Back at the start: show the real first page, full, not the few rows before.
    if cursor is not None:
        queryset = queryset.filter(_beyond(order, cursor, forward=True))
    rows = list(queryset.order_by(*order)[: size + 1])
    has_next = len(rows) > size
    rows = rows[:size]
    return KeysetPage(
        items=rows,
        next_cursor=_encode(_key(rows[-1], order)) if has_next else "",
        previous_cursor=_encode(_key(rows[0], order)) if cursor is not None and rows else "",
        is_first=cursor is None,
        params=params,
    )


def _key(row, order: tuple[str, ...]) -> list:
    return [getattr(row, _column(column)[0]) for column in order]
