"""Chinese names in pinyin order (何 he, 刘 liu, 任 ren, 王 wang), the order people expect.

PostgreSQL compares with the ICU collation "pinyin" (zh-u-co-pinyin, created by migration core
0005, with an index on (name COLLATE pinyin, id) for the people list's keyset pages). SQLite has
no ICU: each connection gets a collation of the same name computed with pypinyin. The two agree
on Chinese names; they may place Latin letters differently, which no list relies on.

A name prefix is a range in this order: every name starting with "王" sorts between "王" and
"王" + U+FFFF (CLDR gives U+FFFF the highest primary weight for exactly this use), so a surname
search reads a slice of the same index instead of sorting every match.
"""

from functools import lru_cache

from django.db.models import F, Q
from django.db.models.functions import Collate

PINYIN = "pinyin"
_RANGE_END = "\uffff"


def in_pinyin_order(field: str = "name") -> Collate:
    """`field` as an expression that compares in pinyin order (annotate, order and filter by it)."""
    return Collate(F(field), PINYIN)


def prefix_range(annotation: str, prefix: str) -> Q:
    """Rows whose pinyin-ordered `annotation` lies in the range of names starting with `prefix`
    (combine with a startswith filter: the range also holds names equal but for case)."""
    return Q(**{f"{annotation}__gte": prefix, f"{annotation}__lt": prefix + _RANGE_END})


def _is_han(char: str) -> bool:
    code = ord(char)
    return 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2FFFF


@lru_cache(maxsize=65536)
def sort_key(text: str) -> tuple:
    """Pinyin without tones, then the character itself; Han before other scripts (as ICU's
    zh collation); U+FFFF after everything."""
    from pypinyin import Style, lazy_pinyin

    key = []
    for char in text:
        if char == _RANGE_END:
            key.append((3, "", char))
        elif _is_han(char):
            key.append((1, lazy_pinyin(char, style=Style.NORMAL)[0], char))
        else:
            key.append((2, char.casefold(), char))
    return tuple(key)


def _compare(left: str, right: str) -> int:
    a, b = sort_key(left), sort_key(right)
    return (a > b) - (a < b)


def register_on_sqlite(sender, connection, **kwargs) -> None:
    """connection_created handler: teach each new SQLite connection the "pinyin" collation."""
    if connection.vendor == "sqlite":
        connection.connection.create_collation(PINYIN, _compare)
