"""Small checks every app's services share: permission and free-text fields."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


def require_perm(actor, perm: str, obj=None, message: str | None = None) -> None:
    """PermissionDenied (with a message in the user's language) unless actor has perm on obj."""
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message or _("您没有执行此操作的权限。"))


def clean_text(value: str, label: str, *, required=True, limit=200) -> str:
    """The stripped text, or ValidationError naming the field when empty or too long."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(_("%(label)s不能为空。"), params={"label": label}, code="required")
    if len(value) > limit:
        raise ValidationError(
            _("%(label)s过长（最多%(limit)d字）。"), params={"label": label, "limit": limit}
        )
    return value


def search_query(request, name: str = "q", *, limit: int = 50) -> str:
    """A search box's text from the query string: stripped, at most `limit` characters, and
    without NUL characters, which PostgreSQL refuses in any text (a 500 instead of no match)."""
    return request.GET.get(name, "").replace("\x00", "").strip()[:limit]
