"""Open311 api keys: created for a third-party app (only the hash kept), looked up, revoked."""

import hashlib
import secrets

from django.utils.translation import gettext as _

from core import audit
from core.clock import one_write
from core.models import Place, User
from core.validation import require_perm as _require
from services.models import Open311Key
from services.services.common import _now, _text


def _key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@one_write
def open311_key_create(*, actor, district: Place, name: str) -> tuple[Open311Key, str]:
    """A new api_key for a third-party app; the raw key is returned once, only its hash kept."""
    _require(actor, "services.manage_catalogue", district)
    name = _text(name, _("应用名称"), max_length=100)
    raw = "o311_" + secrets.token_urlsafe(24)
    account = User.objects.create(username=f"open311-{secrets.token_hex(6)}", is_active=False)
    account.set_unusable_password()
    account.save(update_fields=["password"])
    key = Open311Key.objects.create(
        district=district, name=name, account=account, prefix=raw[:10], key_hash=_key_hash(raw)
    )
    audit.record(actor=actor, action="services.open311_key_create", obj=key, place=district)
    return key, raw


def open311_key_lookup(raw: str) -> Open311Key | None:
    if not raw:
        return None
    return (
        Open311Key.objects.select_related("account", "district")
        .filter(key_hash=_key_hash(raw), revoked_at__isnull=True)
        .first()
    )


@one_write
def open311_key_revoke(*, actor, key: Open311Key) -> Open311Key:
    key = Open311Key.objects.select_for_update().get(pk=key.pk)
    _require(actor, "services.manage_catalogue", key.district)
    if key.revoked_at is None:
        key.revoked_at = _now()
        key.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="services.open311_key_revoke", obj=key, place=key.district)
    return key
