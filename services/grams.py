"""Word search over requests without reading the table (issue #14 item 3): character n-grams.

Chinese has no spaces between words, so a word index of the usual kind finds nothing in
"小区路灯不亮", and pg_trgm cannot use its index for terms shorter than three characters (路灯).
Instead each request keeps ``ServiceRequest.search_text``: the distinct *grams* of its title and
description, one string, separated by spaces, written by the service that writes the text
(``of``). On PostgreSQL a GIN index over those grams (migration 0013) answers a term as "every
gram of the term is among the request's grams" — a superset of the requests holding the term —
and the search keeps ``icontains`` on title and description as the exact check, so results are
those of ``icontains`` exactly, only found through the index. SQLite has no such index and
reads ``icontains`` alone.

The grams of a text, after each character is folded to one case (``fold``), and within each run
of non-space characters (a term never holds a space, so it always lies inside one run):

- every two adjacent characters (a *bigram*): "路灯不亮" → 路灯 灯不 不亮;
- the run's last character alone (so that a one-character term is a prefix query ``路:*``: every
  character of a run starts a bigram or is the run's last);
- every word of Latin letters and digits, marked ``#`` (``#sr00000123``), cut at 100 characters:
  a term's letters between two other characters are a whole word of the text, and letters at
  the term's end begin one (``#1999999:*``), which a bigram of digits (19, 99) cannot pick out.

A gram of a word's mark can coincide with a bigram ("#a"); that only lets the index hand over a
request the exact check then drops. Grams are raw characters, so the index reads them with
``string_to_array`` and ``array_to_tsvector`` (no text-search parser, no locale) and the search
builds its ``tsquery`` with each gram quoted (``query``).
"""

import re

WORD_RE = re.compile(r"[0-9a-z]+")
WORD_MARK = "#"
WORD_MAX = 100  # a term is at most 100 characters (services.search.WORDS_MAX)
INDEX = "service_request_grams"  # migration 0013's; bench/bench_services_search.py rebuilds it
INDEX_SQL = (
    f"CREATE INDEX IF NOT EXISTS {INDEX} ON services_servicerequest "
    "USING gin (array_to_tsvector(string_to_array(search_text, ' ')))"
)


def fold(text: str) -> str:
    """Each character in one case, one character for one (PostgreSQL's UPPER in ``icontains``
    maps character by character): ``A`` and ``a`` → ``a``, ``Σ``/``σ``/``ς`` → ``σ``."""
    return "".join(_fold_char(ch) for ch in text)


def _fold_char(ch: str) -> str:
    upper = ch.upper()
    if len(upper) == 1:
        lower = upper.lower()
        return lower if len(lower) == 1 else upper
    lower = ch.lower()
    return lower if len(lower) == 1 else ch


def _run_grams(run: str, grams: set[str]) -> None:
    grams.update(run[i : i + 2] for i in range(len(run) - 1))
    grams.add(run[-1])
    grams.update(WORD_MARK + w[:WORD_MAX] for w in WORD_RE.findall(run))


def of(title: str, description: str) -> str:
    """What ``ServiceRequest.search_text`` holds for this title and description."""
    grams: set[str] = set()
    for run in fold(f"{title or ''}\n{description or ''}").split():
        _run_grams(run, grams)
    return " ".join(sorted(grams))


def term_grams(term: str) -> list[tuple[str, bool]]:
    """The grams every text holding ``term`` (no spaces) has: (gram, is_prefix) pairs."""
    term = fold(term)
    if len(term) == 1:
        return [(term, True)]
    grams: dict[str, bool] = {}
    covered: set[int] = set()  # positions inside a word the term pins down
    for found in WORD_RE.finditer(term):
        start, end = found.span()
        if start == 0:  # may be the tail of a longer word of the text
            continue
        grams[WORD_MARK + found.group()] = end == len(term)  # at the end: a word's start
        covered.update(range(start, end))
    for i in range(len(term) - 1):
        if not {i, i + 1} <= covered:
            grams.setdefault(term[i : i + 2], False)
    return list(grams.items())


def _quoted(gram: str) -> str:
    return "'" + gram.replace("\\", "\\\\").replace("'", "''") + "'"


def query(terms) -> str:
    """A ``tsquery`` (its text form) that every request holding all ``terms`` matches."""
    parts = {
        _quoted(gram) + (":*" if prefix else "")
        for term in terms
        for gram, prefix in term_grams(term)
    }
    return " & ".join(sorted(parts))
