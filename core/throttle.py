"""Rate limits on writes, and the pace of password guesses at the login page.

Counters live in Django's cache (django-ratelimit's ``get_usage``), which is Redis when REDIS_URL
is set: every app process behind the load balancer counts together.

Writes (POST, PUT, PATCH, DELETE) are counted per group of endpoints — the login page, Open311
service requests, every other write (pages and /api/) — per client address and per account (the
logged-in user, the API token, the Open311 api_key), at the rates of settings.RATE_LIMITS. Past a
rate, ``ThrottleMiddleware`` answers 429 with Retry-After, in the caller's kind and language:
JSON {detail, code: "rate_limited"} under /api/, the GeoReport error list for Open311, a page
otherwise. The first refusal of each window is written to the audit log.

Logins never lock an account (a lock lets anyone shut out anyone, the administrator included).
``LoginGate`` keeps, per login name — a keyed hash of the normalised username or mobile number,
so a name with an account and a name without one count and answer exactly alike — the failures
and the time of the last one. After LOGIN_CAPTCHA_AFTER failures the next attempt needs a CAPTCHA
and must wait a delay that doubles from LOGIN_DELAY_SECONDS up to LOGIN_DELAY_MAX_SECONDS; an
attempt that comes earlier is refused without checking the password and without counting. So an
attacker cannot keep the real user out: after solving the CAPTCHA and waiting at most the cap,
the right password works. Too many failures from one address (LOGIN_ADDRESS_CAPTCHA_RATE) make
every login from there need a CAPTCHA too.
"""

import dataclasses
import hashlib
import ipaddress
import json
import math
import re

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import (
    ImproperlyConfigured,
    RequestDataTooBig,
    TooManyFieldsSent,
    ValidationError,
)
from django.db import transaction
from django.http import HttpResponse, JsonResponse, UnreadablePostError
from django.shortcuts import render
from django.urls import Resolver404, resolve, reverse
from django.utils.translation import gettext as _
from django_ratelimit.core import get_usage

from core import audit, clock
from core.identifiers import mask_mobile, normalize_mobile
from core.personal_data import keyed_hash

UNSAFE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
RATE = re.compile(r"^[1-9][0-9]*/[0-9]*[smhd]$")

# ---------------------------------------------------------------- who is asking


def _networks(entries) -> list:
    try:
        return [ipaddress.ip_network(entry.strip(), strict=False) for entry in entries]
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {exc}") from exc


def _is_trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def _ip(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def client_address(request) -> str:
    """The client's address: REMOTE_ADDR, unless that is a proxy named in
    settings.TRUSTED_PROXIES (LINLI_TRUSTED_PROXIES: addresses or networks), in which case the
    right-most X-Forwarded-For entry that is not itself a trusted proxy. Entries left of the first
    untrusted one were written by the client and are never believed."""
    remote = request.META.get("REMOTE_ADDR") or ""
    networks = _networks(getattr(settings, "TRUSTED_PROXIES", ()))
    address = _ip(remote)
    if address is None or not networks or not _is_trusted(address, networks):
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for entry in reversed([part for part in forwarded.split(",") if part.strip()]):
        hop = _ip(entry)
        if hop is None:
            break  # a malformed hop: trust nothing beyond it
        address = hop
        if not _is_trusted(hop, networks):
            break
    return str(address)


def _address_key(group, request) -> str:
    """The address a request is counted under: an IPv6 client by its /64 (RATELIMIT_IPV6_MASK),
    which one subscriber usually holds whole."""
    address = client_address(request)
    ip = _ip(address)
    if ip is not None and ip.version == 6:
        mask = getattr(settings, "RATELIMIT_IPV6_MASK", 64)
        address = str(ipaddress.ip_network(f"{ip}/{mask}", strict=False).network_address)
    return "address:" + (address or "unknown")


def _secret_digest(kind: str, secret: str) -> str:
    return f"{kind}:" + hashlib.sha256(secret.encode()).hexdigest()[:32]


def account_of(request, group: str) -> str | None:
    """Who the request acts as, for per-account limits: the API token it carries, the Open311
    api_key, else the logged-in user. A token or key is counted whether or not it is valid (the
    view refuses an invalid one; the address limit still holds)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header[:7].lower() == "bearer " and header[7:].strip():
        return _secret_digest("token", header[7:].strip())
    if group == "open311":
        key = _open311_key(request)
        if key:
            return _secret_digest("open311", key)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


def _open311_key(request) -> str:
    # A key in the URL is counted too (the view then refuses it: keys belong in the body).
    key = request.GET.get("api_key", "")
    # Only a plain form body is read here: a multipart body is left to the view, which answers
    # its errors (too large, too many fields) in the GeoReport format.
    if not key and request.content_type == "application/x-www-form-urlencoded":
        try:
            key = request.POST.get("api_key", "")
        except (RequestDataTooBig, TooManyFieldsSent, UnreadablePostError):
            key = ""  # the view answers it, in its format
    return key.strip()


# ---------------------------------------------------------------- rate limits on writes


def group_of(request) -> str | None:
    """The endpoint group a request counts in, or None for a read."""
    if request.method not in UNSAFE_METHODS:
        return None
    path = request.path_info
    if path == reverse("login"):
        return "login"
    if path.startswith("/open311/"):
        return "open311"
    return "write"


def rate_for(group: str, scope: str) -> str | None:
    rate = (settings.RATE_LIMITS.get(group) or {}).get(scope) or None
    if rate is not None and not RATE.match(rate):
        raise ImproperlyConfigured(
            f'RATE_LIMITS["{group}"]["{scope}"] = {rate!r}: write a rate as N/period, e.g. 30/m'
        )
    return rate


def check_rates() -> None:
    for group, scopes in settings.RATE_LIMITS.items():
        for scope in scopes:
            rate_for(group, scope)


@dataclasses.dataclass(frozen=True)
class Excess:
    group: str
    scope: str
    retry_after: int
    first: bool  # the first refusal of this window


def excess(request, group: str) -> Excess | None:
    """Count this request against its group's limits; the limit it is past, if any."""
    worst = None
    account = account_of(request, group)
    for scope, key in (("address", _address_key), ("account", lambda g, r: account)):
        rate = rate_for(group, scope)
        if rate is None or (scope == "account" and account is None):
            continue
        usage = get_usage(request, group=f"{group}:{scope}", key=key, rate=rate, increment=True)
        if usage is None or not usage["should_limit"]:
            continue
        retry_after = max(0, usage["time_left"]) + 1  # the window turns a second after its end
        if worst is None or retry_after > worst.retry_after:
            worst = Excess(group, scope, retry_after, usage["count"] == usage["limit"] + 1)
    return worst


class ThrottleMiddleware:
    """429 past a rate of settings.RATE_LIMITS. Placed after the authentication and request
    context middleware, so it knows the user and the audit log knows the address."""

    def __init__(self, get_response):
        self.get_response = get_response
        check_rates()

    def __call__(self, request):
        group = group_of(request)
        found = excess(request, group) if group else None
        if found is None:
            return self.get_response(request)
        if found.first:
            rate_limit_reached(request, found)
        return too_many_requests(request, found.retry_after)


def rate_limit_reached(request, found: Excess) -> None:
    """Audit the first refusal of a window (not every one: a flood must not flood the log)."""
    user = getattr(request, "user", None)
    with transaction.atomic():
        audit.record(
            actor=user if user is not None and user.is_authenticated else None,
            action="request.rate_limited",
            changes={
                "group": found.group,
                "scope": found.scope,
                "path": request.path_info[:200],
                "retry_after": found.retry_after,
            },
        )


def rate_limited_message(seconds: int) -> str:
    return _("操作过于频繁，请在%(seconds)s秒后再试。") % {"seconds": seconds}


OPEN311_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}


def georeport_errors(fmt: str, status: int, description: str) -> HttpResponse:
    """A GeoReport v2 error list, as services.open311 writes one."""
    fmt = fmt if fmt in OPEN311_TYPES else "xml"
    if fmt == "json":
        body = json.dumps([{"code": status, "description": description}], ensure_ascii=False)
    else:
        from xml.sax.saxutils import escape

        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n<errors><error>'
            f"<code>{status}</code><description>{escape(description)}</description>"
            "</error></errors>"
        )
    return HttpResponse(body.encode("utf-8"), status=status, content_type=OPEN311_TYPES[fmt])


def too_many_requests(request, retry_after: int) -> HttpResponse:
    message = rate_limited_message(retry_after)
    path = request.path_info
    if path.startswith("/api/"):
        response = JsonResponse({"detail": message, "code": "rate_limited"}, status=429)
    elif path.startswith("/open311/"):
        try:
            fmt = resolve(path).kwargs.get("fmt", "xml")
        except Resolver404:
            fmt = "xml"
        response = georeport_errors(fmt, 429, message)
    else:
        context = {"message": message, "title": _("请求过于频繁")}
        response = render(request, "400.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


# ---------------------------------------------------------------- the pace of logins


def login_name(login: str) -> str:
    """The login name as the account lookup reads it: a mobile number normalised, else the
    username in one case."""
    value = (login or "").strip()
    try:
        return "mobile:" + normalize_mobile(value)
    except ValidationError:
        return "user:" + value.casefold()


def masked_login(login: str) -> str:
    """What the audit log keeps of a login name that may not be anyone's (or a password typed
    in the wrong box): a mobile number masked, else the first and last characters."""
    kind, _sep, value = login_name(login).partition(":")
    if kind == "mobile":
        return mask_mobile(value)
    return f"{value[:1]}***{value[-1:]}" if len(value) > 2 else "***"


def _prefix() -> str:
    return getattr(settings, "RATELIMIT_CACHE_PREFIX", "rl:")


def delay_after(failures: int) -> int:
    """Seconds the next attempt must wait after `failures` failures of one login name."""
    over = failures - settings.LOGIN_CAPTCHA_AFTER
    if over < 0:
        return 0
    return min(settings.LOGIN_DELAY_SECONDS * 2 ** min(over, 32), settings.LOGIN_DELAY_MAX_SECONDS)


class LoginRefused(Exception):
    """An attempt refused before its password was checked: too early, or without a CAPTCHA."""

    def __init__(self, reason: str, wait: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.wait = wait


class LoginGate:
    """The pace of attempts at one login name from one address.

    State per login name: (failures, time of the last one), forgotten after
    LOGIN_FAILURES_FORGOTTEN_AFTER seconds without a failure and on a success. Only the attempt
    that claims the name's current state (an atomic cache.add) goes on to check the password, so
    attempts sent together cannot all slip through before the first failure is counted.
    """

    def __init__(self, request, login: str):
        self.request = request
        self.name = keyed_hash("login-pace:" + login_name(login))[:40]
        self.masked = masked_login(login)
        self.failures, self.last = cache.get(self._key("state")) or (0, 0.0)
        if clock.now().timestamp() - self.last > settings.LOGIN_FAILURES_FORGOTTEN_AFTER:
            self.failures, self.last = 0, 0.0  # as the cache's expiry would (read by the clock)
        self.address_failures = self._address_usage(increment=False)

    def _key(self, part: str) -> str:
        return f"{_prefix()}login:{part}:{self.name}"

    def _address_usage(self, *, increment: bool) -> dict | None:
        if self.request is None:
            return None
        return get_usage(
            self.request,
            group="login:failures",
            key=_address_key,
            rate=settings.LOGIN_ADDRESS_CAPTCHA_RATE,
            increment=increment,
        )

    @property
    def captcha_required(self) -> bool:
        usage = self.address_failures
        over_address = usage is not None and usage["count"] >= usage["limit"]
        return self.failures >= settings.LOGIN_CAPTCHA_AFTER or over_address

    def wait(self) -> int:
        """Whole seconds until the next attempt may be checked (0: now)."""
        due = self.last + delay_after(self.failures)
        return max(0, math.ceil(due - clock.now().timestamp()))

    def admit(self, *, captcha_solved: bool) -> None:
        """Let this attempt check its password, or raise LoginRefused."""
        wait = self.wait()
        if wait:
            raise LoginRefused("too_early", wait)
        if self.captcha_required and not captcha_solved:
            raise LoginRefused("captcha")
        if not cache.add(self._slot(), 1, settings.LOGIN_SLOT_SECONDS):
            raise LoginRefused("too_early", max(1, delay_after(self.failures)))

    def _slot(self) -> str:
        return self._key(f"slot:{self.failures}:{int(self.last * 1000)}")

    def failed(self) -> bool:
        """Count a failure; True when it is the one after which a CAPTCHA is needed."""
        before, claimed = self.captcha_required, self._slot()
        self.failures, self.last = self.failures + 1, clock.now().timestamp()
        cache.set(
            self._key("state"),
            (self.failures, self.last),
            settings.LOGIN_FAILURES_FORGOTTEN_AFTER,
        )
        cache.delete(claimed)  # the state has moved on; a fresh one may come back to it
        self.address_failures = self._address_usage(increment=True)
        return self.captcha_required and not before

    def succeeded(self) -> None:
        cache.delete_many([self._key("state"), self._slot()])
        self.failures, self.last = 0, 0.0
