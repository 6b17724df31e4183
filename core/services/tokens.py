"""API tokens and in-app notifications.

A token is read-only unless made for writing, expires (API_TOKEN_DAYS by default), and ends when
its owner's password changes or a role of theirs ends."""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import ApiToken, Notification, TokenRevocation, TokenScope, User
from core.validation import clean_name

# ---------------------------------------------------------------- API tokens and notifications


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_lifetime_days(days: int | None) -> int:
    """The days a new token lives: the deployment's default, or what the owner chose up to the
    deployment's maximum (settings API_TOKEN_DAYS, API_TOKEN_MAX_DAYS)."""
    if days is None:
        return settings.API_TOKEN_DAYS
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            _("有效期应为1至%(max)d天。"),
            params={"max": settings.API_TOKEN_MAX_DAYS},
            code="token_lifetime",
        )
    return days


@one_write
def api_token_create(
    *, actor, name: str, scope: str, days: int | None = None
) -> tuple[ApiToken, str]:
    """A new token for the actor's own account, read-only or also writing (``scope``), expiring after
    ``days``; the secret is returned once and never stored."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("请先登录。"))
    name = clean_name(name, _("名称"))
    if scope not in TokenScope.values:
        raise ValidationError(_("请选择令牌的权限范围。"), code="token_scope")
    lifetime = token_lifetime_days(days)
    secret = "ll_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=secret[:10], key_hash=_token_hash(secret), scope=scope,
        expires_at=clock.now() + datetime.timedelta(days=lifetime),
    )  # fmt: skip
    audit.record(
        actor=actor,
        action="api_token.create",
        obj=token,
        changes={"name": name, "prefix": token.prefix, "scope": scope, "days": lifetime},
    )
    return token, secret


@one_write
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk:
        raise PermissionDenied(_("只能撤销自己的令牌。"))
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.revoked_because = TokenRevocation.BY_OWNER
        token.save(update_fields=["revoked_at", "revoked_because"])
        audit.record(actor=actor, action="api_token.revoke", obj=token)
    return token


def revoke_tokens_of(*, actor, user: User, because: str) -> int:
    """End every live token of ``user`` (their password changed, or a role of theirs ended: what
    a token was made for may no longer hold). Called inside the caller's write."""
    live = list(ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True))
    now = clock.now()
    for token in live:
        token.revoked_at, token.revoked_because = now, because
        token.save(update_fields=["revoked_at", "revoked_because"])
        audit.record(
            actor=actor, action="api_token.revoke", obj=token, changes={"because": because}
        )
    return len(live)


def api_token_find(secret: str) -> ApiToken | None:
    """The live token (not revoked, not expired, its account active) with this secret, or None.
    Marks it used (at most once a minute)."""
    now = clock.now()
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_token_hash(secret or ""), revoked_at__isnull=True, expires_at__gt=now)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def notify(*, user: User, title: str, body: str = "", url: str = "") -> Notification:
    """Leave an in-app text for a user, as written (no kind: not translated for the reader, no
    other channel). Apps tell people through ``notify.services.send`` with a message kind."""
    return Notification.objects.create(user=user, title=title[:200], body=body, url=url[:300])


def notifications_settle(*, url: str, users) -> int:
    """The asks at ``url`` (a request waiting for these users' decision) are answered: their
    unread notices there are marked read, so "待审核" does not stay unread after the decision.
    Called by the deciding service inside its transaction, before it sends its own notices."""
    return Notification.objects.filter(
        user__in=list(users), url=url[:300], read_at__isnull=True
    ).update(read_at=clock.now())


@one_write
def notifications_mark_read(*, actor, ids: list[int]) -> int:
    return Notification.objects.filter(user=actor, pk__in=ids, read_at__isnull=True).update(
        read_at=clock.now()
    )
