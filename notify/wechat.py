"""WeChat template messages (公众号模板消息), behind the same kind of pluggable backend as SMS.

``settings.WECHAT["BACKEND"]`` (``LINLI_WECHAT_BACKEND``): ``console`` (default) logs and keeps
the message in ``outbox``; ``http`` posts it signed (``notify.http``) to ``LINLI_WECHAT_URL``,
a relay on the deployment's network that holds the official account's access token and calls
WeChat's ``message/template/send`` (so no app process needs the token or the internet);
``none`` has no WeChat channel; or a dotted path to a class with the same ``send``.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

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


class ConsoleBackend:
    name = "console"

    def send(self, *, openid: str, template: str, data: dict, url: str) -> WechatResult:
        outbox.append({"openid": openid, "template": template, "data": data, "url": url})
        logger.info("WeChat to %s…: %s", openid[:6], data.get("first", ""))
        return WechatResult(True, self.name, message_id=f"console-{len(outbox)}")


class NoneBackend:
    name = "none"

    def send(self, *, openid: str, template: str, data: dict, url: str) -> WechatResult:
        return WechatResult(False, self.name, error="WeChat is not configured")


class HttpBackend:
    name = "http"

    def send(self, *, openid: str, template: str, data: dict, url: str) -> WechatResult:
        config = _config()
        if not config.get("URL"):
            return WechatResult(False, self.name, error="LINLI_WECHAT_URL is not set")
        payload = {
            "touser": openid,
            "template_id": template,
            "url": url,
            "data": {key: {"value": value} for key, value in data.items()},
        }
        answer = http.post_signed(
            url=config["URL"],
            key_id=config.get("KEY_ID", ""),
            secret=config.get("SECRET", ""),
            payload=payload,
            timeout=float(config.get("TIMEOUT", 5)),
        )
        return WechatResult(
            answer.ok,
            self.name,
            message_id=str(answer.data.get("msgid") or answer.data.get("message_id") or ""),
            error=answer.error,
            retryable=answer.retryable,
        )


BACKENDS = {"console": ConsoleBackend, "http": HttpBackend, "none": NoneBackend}


def backend():
    name = _config().get("BACKEND", "console") or "console"
    return BACKENDS[name]() if name in BACKENDS else import_string(name)()


def send_template(*, openid: str, title: str, body: str, url: str) -> WechatResult:
    """One template message: ``first`` is the title, ``remark`` the body (the general notice
    template every official account can apply for, ``LINLI_WECHAT_TEMPLATE``)."""
    data = {"first": title, "remark": body}
    return backend().send(openid=openid, template=_config().get("TEMPLATE", ""), data=data, url=url)
