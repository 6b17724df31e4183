"""The English catalogue can only hold what makemessages finds."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {".venv", "var", "static", "node_modules", ".git"}
# The names xgettext looks for in Python by default, plus those Django's makemessages adds.
KNOWN = {
    "_", "gettext", "ngettext", "pgettext", "npgettext", "gettext_noop", "gettext_lazy",
    "ngettext_lazy", "pgettext_lazy", "npgettext_lazy",
}  # fmt: skip
ALIAS = re.compile(r"from django\.utils\.translation import (\([^)]*\)|[^\n]+)")


def test_translation_functions_are_imported_under_names_makemessages_finds():
    """A string marked with ``gettext_lazy as _l`` is never extracted: it stays Chinese in English
    (the request step table's labels did)."""
    unknown = []
    for path in ROOT.rglob("*.py"):
        if SKIP & set(path.relative_to(ROOT).parts):
            continue
        for names in ALIAS.findall(path.read_text(encoding="utf-8")):
            for name in names.strip("()").replace("\n", " ").split(","):
                parts = name.split(" as ")
                if len(parts) == 2 and parts[1].strip() not in KNOWN:
                    unknown.append(f"{path.relative_to(ROOT)}: {name.strip()}")
    assert unknown == []
