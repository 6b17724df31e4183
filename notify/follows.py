"""Following (issue #15 item 3): an account follows a request, a place or a service item it may
see. A followed request's public steps (accepted, dispatched, answered, closed, rejected) reach
its followers through ``notify.services.send`` on their own channels; whether each follower
still may see the request is checked at every send, so one who lost access hears nothing more.

A target is named by its subject key ("services.servicerequest:12"); ``LABELS`` says which
models may be followed and ``_selectors`` which selector decides who may see each."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit
from core.clock import one_write
from notify.models import Follow

REQUEST, PLACE, ITEM = "services.servicerequest", "core.place", "services.serviceitem"
LABELS = {
    REQUEST: gettext_lazy("诉求"),
    PLACE: gettext_lazy("地区"),
    ITEM: gettext_lazy("服务事项"),
}

# A resident's step → what its followers are told (the same public note, no rating invitation).
FOLLOWED = {
    "services.request_accepted": "services.followed_accepted",
    "services.request_rejected": "services.followed_rejected",
    "services.request_dispatched": "services.followed_dispatched",
    "services.request_answered": "services.followed_answered",
    "services.request_closed": "services.followed_closed",
}


def _selectors() -> dict:
    from core.selectors import places_visible_to
    from services.selectors import catalogue_visible_to, requests_visible_to

    return {REQUEST: requests_visible_to, PLACE: places_visible_to, ITEM: catalogue_visible_to}


def _parse(target: str) -> tuple[str, int] | None:
    label, _sep, pk = str(target or "").partition(":")
    if label not in LABELS or not pk.isdigit():
        return None
    return label, int(pk)


def visible_target(user, target: str):
    """The followed object when ``user`` may see it, else None."""
    parsed = _parse(target)
    if parsed is None or not getattr(user, "is_authenticated", False):
        return None
    label, pk = parsed
    return _selectors()[label](user).filter(pk=pk).first()


def key_of(obj) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


@one_write
def follow(*, actor, target: str) -> Follow:
    """``actor`` follows ``target``; refused when they may not see it (nothing written)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("请先登录。"))
    if _parse(target) is None:
        raise ValidationError(_("只能关注诉求、地区或服务事项。"))
    obj = visible_target(actor, target)
    if obj is None:
        raise PermissionDenied(_("没有这个对象，或您无权查看，不能关注。"))
    found = Follow.objects.filter(user=actor, target=target).first()
    if found is not None:
        raise ValidationError(_("您已关注过它。"))
    row = Follow.objects.create(user=actor, target=target)
    audit.record(actor=actor, action="notify.follow", obj=row, changes={"target": target})
    return row


@one_write
def unfollow(*, actor, target: str) -> None:
    """``actor`` stops following ``target`` (their own follow only)."""
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("请先登录。"))
    row = Follow.objects.select_for_update().filter(user=actor, target=str(target)).first()
    if row is None:
        raise ValidationError(_("您没有关注它。"))
    audit.record(actor=actor, action="notify.unfollow", obj=row, changes={"target": row.target})
    row.delete()


def follows_of(user) -> list[dict]:
    """The reader's own follows, each with what it names and a link (when still visible)."""
    from django.urls import reverse

    rows = list(Follow.objects.filter(user=user).order_by("-created_at", "-pk"))
    found: dict[str, object] = {}
    wanted: dict[str, list[int]] = {}
    for row in rows:
        parsed = _parse(row.target)
        if parsed:
            wanted.setdefault(parsed[0], []).append(parsed[1])
    for label, pks in wanted.items():
        for obj in _selectors()[label](user).filter(pk__in=pks):
            found[key_of(obj)] = obj
    shown = []
    for row in rows:
        obj, label = found.get(row.target), row.target.partition(":")[0]
        url = ""
        if obj is not None and label == REQUEST:
            name, url = obj.number, reverse("services:request_detail", args=[obj.pk])
        elif obj is not None:
            name = getattr(obj, "name", str(obj))
        else:
            name = _("（您已无权查看）")
        shown.append(
            {"target": row.target, "kind": LABELS.get(label, ""), "name": name, "url": url}
        )
    return shown


def followers(subject, *, skip=()) -> list[int]:
    """Accounts following ``subject`` that may still see it now (checked one by one)."""
    key = key_of(subject)
    users = (
        get_user_model()
        .objects.filter(follows__target=key, is_active=True)
        .exclude(pk__in=[u for u in skip if isinstance(u, int)])
    )
    seeing = _selectors()[subject._meta.label_lower]
    return [u.pk for u in users if seeing(u).filter(pk=subject.pk).exists()]


def tell_followers(request, *, kind: str, params: dict, url: str, told=()) -> None:
    """The followers of ``request`` hear its public step ``kind`` (a resident's kind); those
    in ``told`` (the requesters, already told) are not told twice."""
    followed = FOLLOWED.get(kind)
    if followed is None:
        return
    ids = followers(request, skip=told)
    if ids:
        from notify import services

        services.send(kind=followed, recipients=ids, params=params, url=url, subject=request)


def tell_community_followers(
    *, community, kind: str, params: dict, url: str, subject=None, skip=()
) -> int:
    """Everyone who follows ``community`` (a core Place of level community: a resident their
    own community, staff a place they serve) and may still see it hears ``kind`` with
    ``params``, e.g. a new public request or a published community-channel post. ``skip``
    (accounts or ids, e.g. the author) are not told. Call it inside the writing transaction;
    returns how many were told."""
    from core.models import PlaceLevel

    if community is None or getattr(community, "level", None) != PlaceLevel.COMMUNITY:
        raise ValueError("tell_community_followers needs a community")
    skipped = [getattr(u, "pk", u) for u in skip]
    ids = followers(community, skip=skipped)
    if not ids:
        return 0
    from notify import services

    services.send(kind=kind, recipients=ids, params=params, url=url, subject=subject)
    return len(ids)
