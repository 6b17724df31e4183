"""Messages kept in tables (not at the call site) are still found by makemessages: an alias
such as `gettext_lazy as _lazy` is not, and the English catalogue silently lost them once."""

from django.utils import translation

from timebank.services import LEDGER_ERRORS, TAG_LABELS


def test_every_ledger_refusal_and_tag_label_reads_in_english():
    with translation.override("en"):
        for table in (LEDGER_ERRORS, TAG_LABELS):
            for key, message in table.items():
                with translation.override("zh-hans"):
                    chinese = str(message)
                english = str(message)
                assert english != chinese, key
