"""API tokens and in-app notifications."""

import datetime
import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import (
    ApiToken,
    Notification,
    User,
)
from core.services.places import _clean_name

# ---------------------------------------------------------------- API tokens and notifications


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@one_write
def api_token_create(*, actor, name: str) -> tuple[ApiToken, str]:
    """A new token for the actor's own account; the secret is returned once and never stored."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("请先登录。"))
    name = _clean_name(name, _("名称"))
    secret = "ll_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=secret[:10], key_hash=_token_hash(secret)
    )
    audit.record(
        actor=actor,
        action="api_token.create",
        obj=token,
        changes={"name": name, "prefix": token.prefix},
    )
    return token, secret


@one_write
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk:
        raise PermissionDenied(_("只能撤销自己的令牌。"))
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="api_token.revoke", obj=token)
    return token


def api_token_user(secret: str) -> User | None:
    """The account behind a bearer token, or None. Marks the token used (at most once a minute)."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_token_hash(secret or ""), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def notify(*, user: User, title: str, body: str = "", url: str = "") -> Notification:
    """Leave an in-app message for a user. Called by other services inside their transaction."""
    return Notification.objects.create(user=user, title=title[:200], body=body, url=url[:300])


@one_write
def notifications_mark_read(*, actor, ids: list[int]) -> int:
    return Notification.objects.filter(user=actor, pk__in=ids, read_at__isnull=True).update(
        read_at=clock.now()
    )
