"""Where each channel reaches a person, and one send on it (called by notify.tasks)."""

import logging
import smtplib
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail

from core import personal_data
from core.identifiers import mask_mobile
from notify import sms, wechat
from notify.models import Channel

logger = logging.getLogger(__name__)

SMS_LIMIT = 200  # characters: three or four segments at most


@dataclass(frozen=True)
class Outcome:
    ok: bool
    error: str = ""
    retryable: bool = False
    provider_id: str = ""


def address(channel: str, *, user=None, person=None, preference=None) -> str:
    """The plaintext address on ``channel`` (a mobile number, an e-mail, an OpenID), or ""."""
    if channel == Channel.SMS:
        if person is None and user is not None:
            person = getattr(user, "person", None)
        found = personal_data.mobile_for_message(person) if person is not None else ""
        return found or _signup_mobile(user)
    if channel == Channel.EMAIL:
        return (user.email or "") if user is not None else ""
    if channel == Channel.WECHAT:
        return preference.wechat_openid if preference is not None else ""
    return ""


def _signup_mobile(user) -> str:
    """The number a resident signed up with (core.AccountMobile), before a registry link."""
    signed_up = getattr(user, "signup_mobile", None) if user is not None else None
    return personal_data.decrypt(signed_up.mobile_enc) if signed_up is not None else ""


def masked(channel: str, to: str) -> str:
    if channel == Channel.SMS:
        return mask_mobile(to)
    if channel == Channel.EMAIL and "@" in to:
        name, _at, domain = to.partition("@")
        return f"{name[:2]}***@{domain}"
    return to[:6] + "…" if to else ""


def link(url: str) -> str:
    if not url or url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + url


def send(channel: str, *, to: str, kind, title: str, body: str, url: str) -> Outcome:
    if channel == Channel.SMS:
        return _sms(to, kind, title, body, url)
    if channel == Channel.EMAIL:
        return _email(to, title, body, url)
    if channel == Channel.WECHAT:
        found = wechat.send_template(openid=to, title=title, body=body, url=link(url))
        return Outcome(found.ok, found.error, found.retryable, found.message_id)
    raise ValueError(f"no sender for channel {channel!r}")


def _sms(to, kind, title, body, url) -> Outcome:
    text = " ".join(part for part in (title, body, link(url)) if part)
    if len(text) > SMS_LIMIT:
        text = " ".join(part for part in (title, link(url)) if part)[:SMS_LIMIT]
    template = (getattr(settings, "SMS", {}) or {}).get("TEMPLATES", {}).get(kind.key, "")
    if template:
        found = sms.send_sms_template(
            phone=to, template=template, params={"title": title, "url": link(url)}, text=text
        )
    else:
        found = sms.send_sms(phone=to, text=text)
    return Outcome(found.ok, found.error, found.retryable, found.message_id)


def _email(to, title, body, url) -> Outcome:
    text = "\n\n".join(part for part in (body, link(url)) if part) or title
    try:
        send_mail(title, text, None, [to], fail_silently=False)
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        return Outcome(False, f"refused: {exc!r}"[:300])
    except (TimeoutError, smtplib.SMTPException, OSError) as exc:
        return Outcome(False, f"{type(exc).__name__}: {exc}"[:300], retryable=True)
    return Outcome(True)
