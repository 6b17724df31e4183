"""Small checks every app's services share: permission, free-text and whole-number fields; and
the refusal of NUL characters in a request's parameters."""

import functools

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


def require_perm(actor, perm: str, obj=None, message: str | None = None) -> None:
    """PermissionDenied (with a message in the user's language) unless actor has perm on obj."""
    if not actor.has_perm(perm, obj):
        raise PermissionDenied(message or _("您没有执行此操作的权限。"))


def clean_text(value: str, label: str, *, required=True, limit=200, missing: str = "") -> str:
    """The stripped text, or ValidationError naming the field when empty (``missing``, a
    message with %(label)s, if given) or too long."""
    value = (value or "").strip()
    if required and not value:
        message = missing or _("%(label)s不能为空。")
        raise ValidationError(message, params={"label": label}, code="required")
    if len(value) > limit:
        raise ValidationError(
            _("%(label)s过长（最多%(limit)d字）。"),
            params={"label": label, "limit": limit},
            code="too_long",
        )
    return value


def clean_int(value, label: str, low: int, high: int) -> int:
    """``value`` as a whole number from low to high, or ValidationError naming the field."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("%(label)s应为整数。"), params={"label": label}) from None
    if not low <= number <= high:
        raise ValidationError(
            _("%(label)s应在%(low)d至%(high)d之间。"),
            params={"label": label, "low": low, "high": high},
        )
    return number


def clean_name(value: str, label: str, *, limit: int = 100) -> str:
    """A name as one line: runs of white space (line breaks, tabs, full-width spaces) become one
    space; then as ``clean_text``."""
    return clean_text(" ".join((value or "").split()), label, limit=limit)


def search_query(request, name: str = "q", *, limit: int = 50) -> str:
    """A search box's text from the query string: stripped, at most `limit` characters, and
    without NUL characters, which PostgreSQL refuses in any text (a 500 instead of no match)."""
    return request.GET.get(name, "").replace("\x00", "").strip()[:limit]


# ---------------------------------------------------------------- NUL in parameters

NUL = "\x00"


def shown_name(name: str) -> str:
    """A parameter's name as a message may show it (a NUL in it written as \\0)."""
    return name.replace(NUL, "\\0")[:60]


def nul_parameter(request, *, search: tuple[str, ...] = ()) -> str | None:
    """The name of the first query-string or form parameter whose name or value holds a NUL, or
    None. PostgreSQL refuses NUL in any text, so such a value would otherwise reach the database
    as a 500; nothing a person types holds one. A search box named in ``search`` is skipped (its
    value: ``search_query`` drops the NUL instead, a search is not an input to refuse)."""
    sources = [request.GET]
    if request.method == "POST":
        sources.append(request.POST)
    for source in sources:
        for name, values in source.lists():
            if NUL in name:
                return name
            if name not in search and any(NUL in value for value in values):
                return name
    return None


def nul_message(name: str) -> str:
    return _("参数“%(name)s”含有空字符（NUL），请删除后重试。") % {"name": shown_name(name)}


def refuse_nul(*, search: tuple[str, ...] = ("q",)):
    """Decorate a page view: a NUL in any parameter (but the ``search`` boxes' text) answers 400
    with the page saying which parameter, before the view runs, so nothing is read or written."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            name = nul_parameter(request, search=search)
            if name is None:
                return view(request, *args, **kwargs)
            from django.shortcuts import render

            return render(request, "400.html", {"message": nul_message(name)}, status=400)

        return wrapped

    return decorator
