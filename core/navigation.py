"""The main menu. Each app adds its entries in AppConfig.ready(); the menu shows a user only
the entries their permissions open."""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Entry:
    label: str  # lazily translated
    url_name: str
    perm: str | None = None  # shown only if user.has_perm(perm)
    order: int = 50
    unless: str | None = None  # and not if user.has_perm(unless) (another entry leads there)


_entries: list[Entry] = []


def register(
    label, url_name: str, *, perm: str | None = None, order: int = 50, unless: str | None = None
) -> None:
    if all(e.url_name != url_name for e in _entries):
        _entries.append(Entry(label, url_name, perm, order, unless))


def entries_for(user) -> list[dict]:
    return [
        {"label": entry.label, "url": reverse(entry.url_name), "name": entry.url_name}
        for entry in sorted(_entries, key=lambda e: e.order)
        if (entry.perm is None or user.has_perm(entry.perm))
        and not (entry.unless and user.has_perm(entry.unless))
    ]
