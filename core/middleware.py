"""Middleware of the whole site: the client address for the audit log, the request body's size
limit, and no caching of personal data."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from core.context import client_ip
from core.throttle import client_address


class RequestContextMiddleware:
    """Remember the client address for the audit log of this request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # REMOTE_ADDR, or X-Forwarded-For's nearest hop when REMOTE_ADDR is a proxy named in
        # TRUSTED_PROXIES (core.throttle.client_address; the header is trusted from no one else).
        token = client_ip.set(client_address(request) or None)
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)


# ---------------------------------------------------------------- request body size

MB = 1024 * 1024


def body_limit(request) -> tuple[int, int | None]:
    """The largest body this request may carry, by its path (settings MAX_REQUEST_BODY, or a
    larger one for a path in LARGE_BODY_PATHS), and the part of it that may be other than a file
    upload (DATA_UPLOAD_MAX_MEMORY_SIZE, which Django enforces only when the body is read)."""
    limit = settings.MAX_REQUEST_BODY
    for prefix, larger in getattr(settings, "LARGE_BODY_PATHS", {}).items():
        if request.path_info.startswith(prefix):
            limit = max(limit, larger)
    return limit, settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class RequestSizeLimitMiddleware:
    """Refuse a request whose Content-Length is above its limit with 413, before anything reads
    the body: above MAX_REQUEST_BODY (20 MB unless LINLI_MAX_BODY_MB says otherwise; the
    registry's import upload may be larger), or a body that is not multipart (JSON, a form)
    above DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB). The answer is the caller's kind: JSON under
    /api/, the Open311 error list for Open311 (a view's ``request_too_large``), a page otherwise.

    A body sent without Content-Length (chunked) is bounded by the same settings when Django
    reads it: the API and Open311 answer that RequestDataTooBig with 413 too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            size = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            size = 0  # as Django reads it: no body
        limit, data_limit = body_limit(request)
        multipart = request.META.get("CONTENT_TYPE", "").startswith("multipart/")
        if size > limit:
            return request_too_large(request, limit)
        if not multipart and data_limit is not None and size > data_limit:
            return request_too_large(request, data_limit)
        return self.get_response(request)


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f}".removesuffix(".0")


def too_large_message(limit: int) -> str:
    return _("请求内容过大（最多%(mb)s MB）。") % {"mb": _megabytes(limit)}


def request_too_large(request, limit: int):
    message = too_large_message(limit)
    try:
        match = resolve(request.path_info)
    except Resolver404:
        match = None
    responder = getattr(match.func, "request_too_large", None) if match else None
    if responder is not None:
        return responder(request, message, **match.kwargs)
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": message, "code": "request_too_large"}, status=413)
    return render(request, "400.html", {"message": message, "title": _("请求内容过大")}, status=413)


# ---------------------------------------------------------------- caching

# Content types that are files people download (exports, certificates, reports).
FILE_TYPES = (
    "application/pdf",
    "application/vnd.openxmlformats-officedocument",
    "application/vnd.ms-excel",
    "text/csv",
    "application/octet-stream",
    "application/zip",
)


def is_download(response) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip().lower()
    return response.has_header("Content-Disposition") or content_type.startswith(FILE_TYPES)


class NoStoreMiddleware:
    """``Cache-Control: no-store, private`` on every response to a logged-in user (a page, a
    fragment, an API answer: what they see is theirs) and on every downloaded file (an export, a
    PDF, a workbook), so no browser cache, shared proxy or "back" button keeps personal data.

    Left alone: a response a view marked ``public`` on purpose (the API docs' own assets) and the
    static files WhiteNoise serves, which never reach this middleware (it comes after WhiteNoise)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        cache_control = response.get("Cache-Control", "").lower()
        if "public" in cache_control:
            return response
        user = getattr(request, "user", None)
        if (user is not None and user.is_authenticated) or is_download(response):
            response["Cache-Control"] = "no-store, private"
        return response
