"""Text messages to mainland mobile numbers: ``send_sms`` and its pluggable backends.

The backend is chosen by ``settings.SMS["BACKEND"]`` (``LINLI_SMS_BACKEND``):

- ``console`` (default; the demo and the tests): writes the message to the log and appends it to
  ``outbox``, sending nothing;
- ``http``: a signed JSON POST (``notify.http``) to ``LINLI_SMS_URL`` with the sign name, a
  template id and its parameters, the shape of the common Chinese SMS platforms (Aliyun, Tencent
  Cloud, a government SMS gateway), whose messages must use a template approved in advance. Free
  text goes through ``LINLI_SMS_TEMPLATE``, a template with one ``content`` parameter;
- ``none``: refuses every message (no SMS channel at this deployment);
- or a dotted path to a class with the same ``send`` method.

``send_sms`` sends now and returns an ``SmsResult``; it does not retry. A caller that must not
lose the message (notifications) sends from a background task that retries a ``retryable``
result (``notify.tasks``).
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings

from core.identifiers import mask_mobile, normalize_mobile
from notify import http

logger = logging.getLogger(__name__)

# What the console backend "sent", oldest first (like django.core.mail.outbox); tests read it.
outbox: list[dict] = []


@dataclass(frozen=True)
class SmsResult:
    ok: bool
    backend: str
    message_id: str = ""
    error: str = ""
    # A timeout, a refused connection or a server error: the same message may succeed later.
    retryable: bool = False
    sent: dict = field(default_factory=dict, compare=False)


def _config() -> dict:
    return getattr(settings, "SMS", {}) or {}


class ConsoleBackend:
    name = "console"

    def send(self, *, phone: str, template: str, params: dict, text: str) -> SmsResult:
        entry = {"phone": phone, "template": template, "params": dict(params), "text": text}
        outbox.append(entry)
        logger.info("SMS to %s: %s", mask_mobile(phone), text)
        return SmsResult(True, self.name, message_id=f"console-{len(outbox)}", sent=entry)


class NoneBackend:
    name = "none"

    def send(self, *, phone: str, template: str, params: dict, text: str) -> SmsResult:
        return SmsResult(False, self.name, error="SMS is not configured (LINLI_SMS_BACKEND=none)")


class HttpBackend:
    name = "http"

    def send(self, *, phone: str, template: str, params: dict, text: str) -> SmsResult:
        config = _config()
        payload = {
            "phone": phone,
            "sign_name": config.get("SIGN_NAME", ""),
            "template_id": template,
            "params": params,
        }
        answer = http.post_configured(config, payload, url_setting="LINLI_SMS_URL")
        message_id = str(answer.data.get("message_id") or answer.data.get("biz_id") or "")
        return SmsResult(
            answer.ok,
            self.name,
            message_id=message_id,
            error=answer.error,
            retryable=answer.retryable,
            sent=payload,
        )


BACKENDS = {"console": ConsoleBackend, "http": HttpBackend, "none": NoneBackend}


def backend():
    return http.chosen_backend(_config(), BACKENDS)


def send_sms_template(*, phone: str, template: str, params: dict, text: str = "") -> SmsResult:
    """Send template ``template`` with ``params`` (``text`` is what the message reads, for the
    console and the records). Raises ValidationError for a number that is not a mainland mobile."""
    number = normalize_mobile(phone)
    result = backend().send(phone=number, template=template, params=params, text=text)
    if not result.ok:
        logger.warning("SMS to %s failed (%s): %s", number[:3], result.backend, result.error)
    return result


def send_sms(*, phone: str, text: str) -> SmsResult:
    """Send ``text`` to ``phone`` now through the configured backend, as the free-text template
    (``LINLI_SMS_TEMPLATE`` with parameter ``content``). Raises ValidationError for a number that
    is not a mainland mobile; a failed send is a result with ``ok=False`` and the error."""
    template = _config().get("TEMPLATE", "")
    return send_sms_template(phone=phone, template=template, params={"content": text}, text=text)
