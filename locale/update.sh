#!/usr/bin/env bash
# Refresh the translation catalogues and compile them.
#
# Needs GNU gettext (msgmerge, msgfmt, xgettext) on the machine that runs it:
#   apt-get update -qq && apt-get install -y -qq gettext
# Users of the site do not need gettext: the compiled .mo files are committed.
#
# Usage: bash locale/update.sh
#   1. makemessages merges new source strings into locale/en/LC_MESSAGES/django.po
#      (existing translations are kept; changed strings come back marked "#, fuzzy").
#   2. Translate the empty msgstr "" entries, check and remove "#, fuzzy" flags.
#   3. Run this script again to compile django.mo, then commit locale/.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v msgfmt >/dev/null 2>&1; then
    echo "GNU gettext is missing: apt-get install -y gettext" >&2
    exit 1
fi

PY=.venv/bin/python
[ -x "$PY" ] || PY=python

"$PY" manage.py makemessages -l en \
    --ignore=.venv --ignore=var --ignore=static --ignore=node_modules
"$PY" manage.py compilemessages --ignore=.venv

po=locale/en/LC_MESSAGES/django.po
untranslated=$(msgattrib --untranslated --no-obsolete "$po" | grep -c '^msgid ' || true)
fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$po" | grep -c '^msgid ' || true)
# msgattrib prints the header entry too when anything matches.
[ "$untranslated" -gt 0 ] && untranslated=$((untranslated - 1))
[ "$fuzzy" -gt 0 ] && fuzzy=$((fuzzy - 1))
echo "$po: $untranslated untranslated, $fuzzy fuzzy"
