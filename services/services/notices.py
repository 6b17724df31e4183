"""The notices a step on a request sends, through the notify app: to the requester (in-app, and
by SMS unless they chose otherwise; by SMS alone when they have no account) and to a
department's officers; and, every ten minutes, to each district's dispatchers the new requests
waiting for acceptance.

Callers name the step by the title they always passed (``_("已受理")``, in the writer's
language); ``STEPS`` maps each to its message kind (notify.catalogue), so the message is stored
as kind + parameters and read in the reader's language."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext, override

from core.models import Department, Role, RoleAssignment
from notify import follows
from notify import services as notify
from notify.models import Follow
from services.models import Channel, EventKind, ServiceRequest, State

TO_REQUESTER = {
    "已受理": "services.request_accepted",
    "不予受理": "services.request_rejected",
    "部门已签收，正在办理": "services.request_handling",
    "部门已答复": "services.request_answered",
    "已办结，请您评价": "services.request_closed",
    "已安排重办": "services.request_reopened",
}
TO_DEPARTMENT = {
    "新派单，请签收": "services.department_dispatched",
    "协办派单": "services.department_co",
    "改派给您，请签收": "services.department_redispatched",
    "群众不满意，请重办": "services.department_reopen",
}
CHASED = "催办："
# Steps that decide the request: its earlier notices (warnings, 催办, asks) are resolved.
SETTLING = {"services.request_closed", "services.request_rejected"}


def _kind(title, table: dict) -> str | None:
    """The kind whose step ``title`` names (as its msgid or in the active language)."""
    text = str(title)
    for msgid, kind in table.items():
        if text == msgid or text == gettext(msgid):
            return kind
    return None


def _decision(title) -> str | None:
    """An application's outcome (退单/延期/异议 granted or refused) as its label's msgid."""
    text = str(title)
    for value, label in EventKind.choices:
        with override(None):
            msgid = str(label)
        if text == msgid or text == gettext(msgid):
            return msgid if value else None
    return None


def _url(request: ServiceRequest) -> str:
    return reverse("services:request_detail", args=[request.pk])


def requesters(request: ServiceRequest) -> list:
    """Who hears about the request: the account that filed it on the H5 page and the resident
    it is for (their account, or the person alone, who is then texted)."""
    told = []
    if request.submitted_by_id and request.channel == Channel.H5:
        told.append(request.submitted_by_id)
    if request.resident_id:
        resident = request.resident
        told.append(resident.account_id or resident)
    return told


def tell_requester(request: ServiceRequest, title, body: str = "", **params) -> None:
    """Tell the requester that step ``title`` happened (``body``: the note for the resident).
    Inside the step's transaction; the SMS goes after it commits (``notify.services.muted``
    keeps the demo's back-dated history from texting anybody)."""
    kind = _kind(title, TO_REQUESTER)
    values = {"number": request.number, "note": body or ""} | params
    if kind is None:
        kind, values["text"] = "services.request_update", str(title)
    if kind in SETTLING:
        settle(request)  # before the closing notice, which stays open for the rating
    told = requesters(request)
    notify.send(kind=kind, recipients=told, params=values, url=_url(request), subject=request)
    follows.tell_followers(request, kind=kind, params=values, url=_url(request), told=told)


def tell_requester_kind(request: ServiceRequest, kind: str, **params) -> None:
    """``tell_requester`` for a step named by its kind (the new steps call this)."""
    told, values = requesters(request), {"number": request.number, "note": ""} | params
    notify.send(kind=kind, recipients=told, params=values, url=_url(request), subject=request)
    follows.tell_followers(request, kind=kind, params=values, url=_url(request), told=told)


def officers(department: Department) -> list[int]:
    return list(
        RoleAssignment.objects.active()
        .filter(role=Role.DEPARTMENT_OFFICER, department=department)
        .values_list("user_id", flat=True)
        .distinct()
    )


def tell_department(department: Department | None, request: ServiceRequest, title) -> None:
    """Tell ``department``'s officers step ``title`` on the request: new work in their queue,
    a 催办, a decision on what they asked."""
    if department is None:
        return
    params = {"number": request.number}
    kind = _kind(title, TO_DEPARTMENT)
    if kind is None and str(title).startswith((CHASED, gettext(CHASED))):
        kind = "services.request_chased"
        params["note"] = str(title).split("：", 1)[-1].split(":", 1)[-1].strip()
    elif kind is None and (decision := _decision(title)):
        kind, params["decision"] = "services.department_decision", {"msgid": decision}
    elif kind is None:
        kind, params["text"] = "services.department_update", str(title)
    notify.send(
        kind=kind, recipients=officers(department), params=params, url=_url(request),
        subject=request,
    )  # fmt: skip
    if kind == "services.department_dispatched":  # the resident hears who handles it
        tell_requester_kind(request, "services.request_dispatched", department=department.name)


def settle(request: ServiceRequest) -> int:
    """The request is closed: its open notices (warnings, 催办, asks) are resolved."""
    return notify.resolve(subject=request)


def tell_dispatchers_of_new(*, since: datetime.datetime, until: datetime.datetime) -> dict:
    """Each district's dispatchers (administrators and coordinators of the district) hear how
    many requests arrived between ``since`` and ``until`` and still wait for acceptance.
    One notice per district per run, outside the submission's hot path."""
    waiting = (
        ServiceRequest.objects.filter(
            state=State.SUBMITTED, created_at__gte=since, created_at__lt=until
        )
        .values_list("district_id", flat=True)
        .order_by()
    )
    counts: dict[int, int] = {}
    for district_id in waiting:
        counts[district_id] = counts.get(district_id, 0) + 1
    url = reverse("services:dispatch")
    for district_id, n in counts.items():
        dispatchers = (
            RoleAssignment.objects.active()
            .filter(role__in=[Role.ADMIN, Role.COORDINATOR], place_id=district_id)
            .values_list("user_id", flat=True)
            .distinct()
        )
        notify.send(
            kind="services.requests_waiting", recipients=list(dispatchers), params={"n": n},
            url=url,
        )  # fmt: skip
    return {str(k): v for k, v in counts.items()}


def tell_followers_of_new(*, since: datetime.datetime, until: datetime.datetime) -> int:
    """Those who follow a place or a service item hear how many requests arrived there between
    ``since`` and ``until`` that they may see (not their own): one notice per follow per run.
    Whether they still see the place or item is checked now. Returns the notices sent."""
    from services.selectors import requests_visible_to

    sent = 0
    watched = Follow.objects.filter(
        target__regex=r"^(core\.place|services\.serviceitem):"
    ).select_related("user")
    for row in watched.filter(user__is_active=True).order_by("pk"):
        target = follows.visible_target(row.user, row.target)
        if target is None:
            continue
        new = requests_visible_to(row.user).filter(created_at__gte=since, created_at__lt=until)
        if row.target.startswith("core.place:"):
            new = new.filter(place__path__startswith=target.path)
        else:
            new = new.filter(item=target)
        n = new.exclude(submitted_by=row.user).count()
        if n:
            notify.send(
                kind="services.followed_new", recipients=[row.user_id],
                params={"name": target.name, "n": n}, url=reverse("services:home"),
            )  # fmt: skip
            sent += 1
    return sent
