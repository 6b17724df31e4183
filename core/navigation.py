"""The main menu. Each app adds its entries in AppConfig.ready(); the menu shows a user only
the entries their permissions open.

A user with many entries (a street officer has two dozen) gets them folded into sections by area
of the seed, so the menu fits one line on a desktop and a short list on a phone. The sections are
the site's map, named here by the URL namespaces of the apps that belong to them; an entry of an
app not named here stays at the top level."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Entry:
    label: str  # lazily translated
    url_name: str
    perm: str | None = None  # shown only if user.has_perm(perm)
    order: int = 50
    unless: str | None = None  # and not if user.has_perm(unless) (another entry leads there)


_entries: list[Entry] = []

SECTIONS = [
    (_("服务群众"), {"services", "registry", "timebank"}),
    (_("准入减负"), {"admission", "workload"}),
    (_("队伍建设"), {"workforce", "training"}),
    (_("监督考核"), {"oversight", "finance"}),
    (_("共建共治"), {"civic", "owners", "deliberation", "channel"}),
    (_("基础信息"), {"place_list", "person_list", "department_list", "audit_log", "calendar"}),
]
FLAT_UP_TO = 9  # this many entries or fewer are shown as they are, without sections


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


def _section_of(url_name: str):
    key = url_name.split(":", 1)[0]
    for label, names in SECTIONS:
        if key in names:
            return label
    return None


def _rank(item, index: int, first_sectioned: int) -> tuple[int, int]:
    """Entries before the first sectioned one (the workbench, the outcomes page) lead, the
    sections follow in the order of SECTIONS, then the other top-level entries (my data)."""
    if "entries" in item:
        return (1 + [label for label, _names in SECTIONS].index(item["label"]), 0)
    return (0 if index < first_sectioned else len(SECTIONS) + 1, index)


def sections_for(entries: list[dict], current: str | None) -> list[dict]:
    """The menu as a list of items: an entry ({"entry": …}) or a section ({"label", "entries",
    "active"}), ordered as ``_rank`` says. A section of one entry is shown as the entry itself;
    ``current`` (the page's view name) marks the section that holds it."""
    if len(entries) <= FLAT_UP_TO:
        return [{"entry": e} for e in entries]
    items, sections, first_sectioned = [], {}, len(entries)
    for index, entry in enumerate(entries):
        label = _section_of(entry["name"])
        if label is None:
            items.append(({"entry": entry}, index))
            continue
        first_sectioned = min(first_sectioned, index)
        if label not in sections:
            sections[label] = {"label": label, "entries": []}
            items.append((sections[label], index))
        sections[label]["entries"].append(entry)
    for section in sections.values():
        section["active"] = any(e["name"] == current for e in section["entries"])
    items.sort(key=lambda pair: _rank(pair[0], pair[1], first_sectioned))
    return [
        {"entry": item["entries"][0]} if "entries" in item and len(item["entries"]) == 1 else item
        for item, _index in items
    ]
