"""Message kinds: what each notice says, as gettext msgids with %(param)s, rendered when read or
sent in the reader's language.

A kind is registered once (``register``) by the app that sends it; a notice is stored as its
kind and parameters (``freeze``), never as text in the writer's language. A parameter that is
itself text to translate (a state's label, a sentence with its own parameters) is passed as
``msg(gettext_lazy("..."), **params)`` or a lazy string, and stored as its msgid.
"""

import contextlib
import dataclasses
import datetime
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext, override

from core import clock

RESIDENT, STAFF, MEMBER = "resident", "staff", "member"


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # what the preferences page calls it (a msgid)
    title: str  # msgid with %(param)s
    body: str = ""
    audience: str = STAFF
    # Urgent kinds are sent at once, even in the reader's quiet hours.
    urgent: bool = False
    # The channels besides in-app for someone who has not chosen their own.
    channels: tuple[str, ...] = ()
    # The provider's SMS template for this kind (settings.SMS["TEMPLATES"][key]) else free text.
    sms_template: str = ""
    # Parameters every message of the kind has, as msgids translated when rendered (the step
    # named in a title shared by several kinds).
    fixed: tuple[tuple[str, str], ...] = ()


_registry: dict[str, Kind] = {}


def _as_msgids(kind: Kind) -> Kind:
    """A kind whose texts were marked with gettext_lazy (not gettext_noop) keeps their msgids."""
    texts = {
        name: _msgid(getattr(kind, name))
        for name in ("label", "title", "body")
        if isinstance(getattr(kind, name), Promise)
    }
    return dataclasses.replace(kind, **texts) if texts else kind


def register(*kinds: Kind) -> None:
    for kind in map(_as_msgids, kinds):
        if kind.key in _registry and _registry[kind.key] != kind:
            raise ValueError(f"message kind {kind.key!r} registered twice")
        _registry[kind.key] = kind


def get(key: str) -> Kind:
    try:
        return _registry[key]
    except KeyError:
        raise ValueError(f"unknown message kind {key!r}") from None


def all_kinds() -> list[Kind]:
    return sorted(_registry.values(), key=lambda k: k.key)


def msg(text, **params) -> dict:
    """A piece of text to translate when rendered, with its own parameters."""
    return {"msgid": _msgid(text), "params": freeze(params)}


def _msgid(text) -> str:
    with override(None):  # no language: a lazy string gives its msgid
        return str(text)


def _frozen(value):
    if isinstance(value, dict):
        return value if "msgid" in value else {k: _frozen(v) for k, v in value.items()}
    if isinstance(value, Promise):
        return {"msgid": _msgid(value), "params": {}}
    if isinstance(value, datetime.datetime):
        return clock.shown(value, "%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def freeze(params: dict) -> dict:
    """``params`` as stored: JSON, translatable text as msgids, moments in Beijing time."""
    return {str(k): _frozen(v) for k, v in (params or {}).items()}


def _thawed(value):
    if isinstance(value, dict) and "msgid" in value:
        text = gettext(value["msgid"]) if value["msgid"] else ""
        inner = {k: _thawed(v) for k, v in value.get("params", {}).items()}
        return text % inner if inner else text
    return value


def render(key: str, params: dict, language: str | None = None) -> tuple[str, str]:
    """The (title, body) of a message of kind ``key`` in ``language`` (default: the active one)."""
    kind = get(key)
    with override(language) if language else contextlib.nullcontext():
        values = {k: _thawed(v) for k, v in (params or {}).items()}
        values = {k: gettext(v) % values for k, v in kind.fixed} | values
        title = gettext(kind.title) % values
        body = gettext(kind.body) % values if kind.body else ""
    return title, body


def check(key: str, params: dict) -> None:
    """Refuse a notice whose parameters do not fill its kind's texts (a programming error)."""
    try:
        render(key, params, language="zh-hans")
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"parameters {sorted(params)} do not fit kind {key!r}: {exc!r}") from exc


def render_notifications(items) -> None:
    """core.inbox's renderer: each notification with a kind reads in the active language."""
    from notify.models import Message

    found = {m.pk: m for m in Message.objects.filter(pk__in=[n.pk for n in items])}
    for n in items:
        message = found.get(n.pk)
        if message is None or message.kind not in _registry:
            continue
        n.shown_title, n.shown_body = render(message.kind, message.params)
        n.resolved_at = message.resolved_at
