"""SMS to residents, through a pluggable backend.

``settings.SERVICES_SMS_BACKEND`` names a class with ``send(mobile: str, text: str)``; the default
prints to the console (the demo). A real gateway plugs in the same way. Messages are sent after
the writing transaction commits, so a rolled-back step never texts anyone.
"""

import contextlib
import logging
import threading

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

logger = logging.getLogger("linli.services.sms")


class ConsoleSMS:
    def send(self, mobile: str, text: str) -> None:
        masked = mobile[:3] + "****" + mobile[-4:] if len(mobile) >= 7 else "****"
        logger.info("SMS to %s: %s", masked, text)


def backend():
    path = getattr(settings, "SERVICES_SMS_BACKEND", "services.notify.ConsoleSMS")
    return import_string(path)()


_state = threading.local()


@contextlib.contextmanager
def muted():
    """No SMS inside this block (the demo's back-dated history texts nobody)."""
    previous = getattr(_state, "muted", False)
    _state.muted = True
    try:
        yield
    finally:
        _state.muted = previous


def queue_sms(*, person, text: str) -> None:
    from core import personal_data

    if getattr(_state, "muted", False):
        return

    def send():
        try:
            mobile = personal_data.decrypt(person.mobile_enc)
            backend().send(mobile, text)
        except Exception:  # a failing gateway must not break the step that was already saved
            logger.exception("SMS to person %s failed", person.pk)

    transaction.on_commit(send)
