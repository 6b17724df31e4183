"""Binding an account's WeChat (issue #15 item 1: WeChat behind the same interface as SMS).

The account asks for a code (``wechat_binding_start``: six characters, kept hashed, valid
``settings.NOTIFY_WECHAT_BIND_MINUTES``, used once; a new code replaces the open one); it sends
the code to the official account, whose relay posts it with the sender's OpenID to the signed
callback, and ``wechat_bind`` binds that OpenID. ``wechat_unbind`` removes it and WeChat from
the account's channels. Each write is audited."""

import datetime
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from notify.models import Channel, Preference, WechatBinding

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on a phone
CODE_LENGTH = 6
OPENID = re.compile(r"^[A-Za-z0-9_-]{6,64}$")


def _hash(code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"wechat-bind:{code.strip().upper()}".encode(), hashlib.sha256).hexdigest()


def minutes() -> int:
    return int(getattr(settings, "NOTIFY_WECHAT_BIND_MINUTES", 10))


@one_write
def wechat_binding_start(*, actor) -> str:
    """A new binding code for ``actor`` (returned once, stored hashed); older open codes of the
    account stop counting."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("请先登录。"))
    now = clock.now()
    WechatBinding.objects.filter(user=actor, used_at__isnull=True).update(expires_at=now)
    code = "".join(secrets.choice(ALPHABET) for _i in range(CODE_LENGTH))
    row = WechatBinding.objects.create(
        user=actor, code_hash=_hash(code), expires_at=now + datetime.timedelta(minutes=minutes())
    )
    audit.record(actor=actor, action="notify.wechat_binding_start", obj=row)
    return code


@one_write
def wechat_bind(*, code: str, openid: str) -> Preference:
    """The relay's callback: bind ``openid`` to the account whose open code this is."""
    from notify import services

    openid = str(openid or "").strip()
    if not OPENID.match(openid):
        raise ValidationError(_("OpenID格式不正确。"), code="openid")
    row = (
        WechatBinding.objects.select_for_update()
        .select_related("user")
        .filter(code_hash=_hash(str(code or "")))
        .first()
    )
    now = clock.now()
    if row is None or row.used_at is not None or row.expires_at <= now:
        raise ValidationError(_("绑定码无效或已过期，请在消息接收设置页重新获取。"), code="code")
    taken = Preference.objects.filter(wechat_openid=openid).exclude(user=row.user).exists()
    if taken:
        raise ValidationError(_("这个微信已绑定其他账号，请先在那个账号解除绑定。"), code="taken")
    row.used_at = now
    row.save(update_fields=["used_at"])
    pref, _created = Preference.objects.select_for_update().get_or_create(user=row.user)
    pref.wechat_openid = openid
    pref.save(update_fields=["wechat_openid", "updated_at"])
    audit.record(actor=row.user, action="notify.wechat_bind", obj=pref,
                 changes={"openid": openid[:6] + "…"})  # fmt: skip
    services.send(kind="notify.wechat_bound", recipients=[row.user], params={},
                  url="/notify/preferences/")  # fmt: skip
    return pref


@one_write
def wechat_unbind(*, actor) -> Preference:
    """Remove the account's WeChat: the OpenID, and WeChat from its channels and per-kind
    choices."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("请先登录。"))
    pref = Preference.objects.select_for_update().filter(user=actor).first()
    if pref is None or not pref.wechat_openid:
        raise ValidationError(_("您的账号没有绑定微信。"), code="unbound")
    pref.wechat_openid = ""
    pref.channels = [c for c in pref.channels if c != Channel.WECHAT]
    pref.by_kind = {k: [c for c in v if c != Channel.WECHAT] for k, v in pref.by_kind.items()}
    pref.save()
    audit.record(actor=actor, action="notify.wechat_unbind", obj=pref)
    return pref
