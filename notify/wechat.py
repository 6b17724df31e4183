"""WeChat template messages (公众号模板消息), behind the same kind of pluggable backend as SMS.

``settings.WECHAT["BACKEND"]`` (``LINLI_WECHAT_BACKEND``): ``console`` (default) logs and keeps
the message in ``outbox``; ``http`` posts it signed (``notify.http``) to ``LINLI_WECHAT_URL``,
a relay on the deployment's network that holds the official account's access token and calls
WeChat's ``message/template/send`` (so no app process needs the token or the internet);
``none`` has no WeChat channel; or a dotted path to a class with the same ``send`` and
``accepts_callback``.

Binding (notify.binding): an account asks for a one-time code on its preferences page and sends
it to the official account; the relay posts ``{"code", "openid"}`` to
``/notify/wechat/callback/`` signed like every call (``notify.http``), and the backend's
``accepts_callback`` checks the signature and its age before the OpenID is bound.
"""

import logging
from dataclasses import dataclass

from django.conf import settings

from notify import http

logger = logging.getLogger(__name__)

outbox: list[dict] = []


@dataclass(frozen=True)
class WechatResult:
    ok: bool
    backend: str
    message_id: str = ""
    error: str = ""
    retryable: bool = False


def _config() -> dict:
    return getattr(settings, "WECHAT", {}) or {}


def _signed(headers, body: bytes) -> bool:
    return http.verify_signed(secret=_config().get("SECRET", ""), headers=headers, body=body)


class ConsoleBackend:
    """Logs messages instead of sending; callbacks (binding) are checked as the HTTP relay's
    are, against ``LINLI_WECHAT_SECRET``, so the binding flow is the same in the demo."""

    name = "console"

    def accepts_callback(self, headers, body: bytes) -> bool:
        return _signed(headers, body)

    def send(self, *, openid: str, template: str, data: dict, url: str) -> WechatResult:
        outbox.append({"openid": openid, "template": template, "data": data, "url": url})
        logger.info("WeChat to %s…: %s", openid[:6], data.get("first", ""))
        return WechatResult(True, self.name, message_id=f"console-{len(outbox)}")


class NoneBackend:
    name = "none"

    def accepts_callback(self, headers, body: bytes) -> bool:
        return False

    def send(self, *, openid: str, template: str, data: dict, url: str) -> WechatResult:
        return WechatResult(False, self.name, error="WeChat is not configured")


class HttpBackend:
    name = "http"

    def accepts_callback(self, headers, body: bytes) -> bool:
        return _signed(headers, body)

    def send(self, *, openid: str, template: str, data: dict, url: str) -> WechatResult:
        payload = {
            "touser": openid,
            "template_id": template,
            "url": url,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        answer = http.post_configured(_config(), payload, url_setting="LINLI_WECHAT_URL")
        return WechatResult(
            answer.ok,
            self.name,
            message_id=str(answer.data.get("msgid") or answer.data.get("message_id") or ""),
            error=answer.error,
            retryable=answer.retryable,
        )


BACKENDS = {"console": ConsoleBackend, "http": HttpBackend, "none": NoneBackend}


def backend():
    return http.chosen_backend(_config(), BACKENDS)


def send_template(*, openid: str, title: str, body: str, url: str) -> WechatResult:
    """One template message: ``first`` is the title, ``remark`` the body (the general notice
    template every official account can apply for, ``LINLI_WECHAT_TEMPLATE``)."""
    data = {"first": title, "remark": body}
    return backend().send(openid=openid, template=_config().get("TEMPLATE", ""), data=data, url=url)
