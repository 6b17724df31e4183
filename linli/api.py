"""The JSON API (django-ninja): OpenAPI at /api/openapi.json, docs at /api/docs.

Each app contributes a router; this module mounts them and turns every error into
``{"detail": "<message in the user's language>", "code": "<stable code>"}``:

=====  ==========================================================================
400    body is not JSON, a malformed header (``malformed_json``, ``bad_request``)
401    no session and no valid bearer token (``not_authenticated``)
403    not allowed (``permission_denied``), CSRF token missing (``csrf_failed``)
404    unknown, or outside the user's scope (``not_found``)
409    Idempotency-Key reused with another body (``idempotency_key_reused``)
413    body over 2.5 MB (``DATA_UPLOAD_MAX_MEMORY_SIZE``; ``request_too_large``)
422    request fails the schema (``invalid_request``, with ``errors``) or a business
       rule (the service's code, e.g. ``code_taken``)
=====  ==========================================================================

The docs page loads Swagger UI from the copy shipped inside django-ninja, served here, so it
works on an intranet with no CDN.
"""

import logging
import mimetypes
from pathlib import Path

import ninja
from django.conf import settings
from django.core.exceptions import (
    ObjectDoesNotExist,
    PermissionDenied,
    RequestDataTooBig,
    TooManyFieldsSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.signals import got_request_exception
from django.db import DataError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.urls import path, re_path, reverse
from django.utils.html import escape, json_script
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.openapi.docs import Swagger

from admission.api import router as admission_router
from core.api import AUTH, CsrfFailed, IdempotencyConflict
from core.api import router as core_router
from core.middleware import too_large_message
from deliberation.api import router as deliberation_router
from finance.api import router as finance_router
from oversight.api import router as oversight_router
from owners.api import router as owners_router
from registry.api import router as registry_router
from services.api import router as services_router
from timebank.api import router as timebank_router
from workforce.api import router as workforce_router
from workload.api import router as workload_router

logger = logging.getLogger("linli.api")

# ---------------------------------------------------------------- docs without a CDN

NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"
DOCS_ASSETS = {
    "swagger-ui.css",
    "swagger-ui-bundle.js",
    "swagger-ui-init.js",
    "favicon.png",
    "favicon.svg",
}


@require_safe
def docs_asset(request: HttpRequest, name: str) -> HttpResponse:
    """One file of the Swagger UI that django-ninja ships (never anything else)."""
    if name not in DOCS_ASSETS:
        return not_found(request)
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse((NINJA_STATIC / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


class LocalSwagger(Swagger):
    """Swagger UI from this server, whether or not "ninja" is in INSTALLED_APPS.

    (Out of the box ninja falls back to cdn.jsdelivr.net when it is not an installed app.)
    """

    default_settings = {
        "layout": "BaseLayout",
        "deepLinking": True,
        "validatorUrl": None,  # the default badge calls validator.swagger.io
    }

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs) -> HttpResponse:
        swagger_settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}

        def asset(name: str) -> str:
            return escape(reverse("api-docs-asset", kwargs={"name": name}))

        html = f"""<!DOCTYPE html>
<html lang="{escape(get_language() or "zh-hans")}">
<head>
<meta charset="utf-8">
<title>{escape(api.title)}</title>
<link rel="stylesheet" href="{asset("swagger-ui.css")}">
<link rel="icon" href="{asset("favicon.svg")}" type="image/svg+xml">
<link rel="icon" href="{asset("favicon.png")}" type="image/png">
</head>
<body data-csrf-token="{escape(get_token(request))}" data-api-csrf="true">
{json_script(swagger_settings, "swagger-settings")}
<div id="swagger-ui"></div>
<script src="{asset("swagger-ui-bundle.js")}"></script>
<script src="{asset("swagger-ui-init.js")}"></script>
</body>
</html>
"""
        return HttpResponse(html)


api = NinjaAPI(
    title="Linli API",
    version="1",
    description=(
        "邻里 JSON API. Authenticate with a browser session (send the CSRF token on unsafe "
        "methods) or `Authorization: Bearer ll_...` (create one at POST /api/core/tokens). "
        "Lists are paginated with `page` and `page_size` and answer `{items, count}`. "
        'Errors answer `{"detail", "code"}` in the language of Accept-Language (Chinese by '
        "default)."
    ),
    urls_namespace="api",
    auth=AUTH,
    docs=LocalSwagger(),
)
api.add_router("/core/", core_router)
api.add_router("/admission/", admission_router)
api.add_router("/workload/", workload_router)
api.add_router("/services/", services_router)
api.add_router("/registry/", registry_router)
api.add_router("/timebank/", timebank_router)
api.add_router("/oversight/", oversight_router)
api.add_router("/owners/", owners_router)
api.add_router("/deliberation/", deliberation_router)
api.add_router("/finance/", finance_router)
api.add_router("/workforce/", workforce_router)

# ---------------------------------------------------------------- errors


def error_response(
    request: HttpRequest, status: int, detail: str, code: str, errors: list | None = None
) -> HttpResponse:
    body = {"detail": str(detail), "code": code}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


# Messages for pydantic error types, so schema errors read in the user's language too.
FIELD_MESSAGES = {
    "missing": gettext_lazy("必填。"),
    "extra_forbidden": gettext_lazy("不允许的字段。"),
    "int_type": gettext_lazy("应为整数。"),
    "int_parsing": gettext_lazy("应为整数。"),
    "int_from_float": gettext_lazy("应为整数。"),
    "bool_parsing": gettext_lazy("应为 true 或 false。"),
    "bool_type": gettext_lazy("应为 true 或 false。"),
    "string_type": gettext_lazy("应为文本。"),
    "string_too_short": gettext_lazy("不能为空。"),
    "string_too_long": gettext_lazy("过长（最多%(max_length)s个字符）。"),
    "greater_than_equal": gettext_lazy("不能小于%(ge)s。"),
    "greater_than": gettext_lazy("应大于%(gt)s。"),
    "less_than_equal": gettext_lazy("不能大于%(le)s。"),
    "less_than": gettext_lazy("应小于%(lt)s。"),
    "literal_error": gettext_lazy("应为以下之一：%(expected)s。"),
    "enum": gettext_lazy("应为以下之一：%(expected)s。"),
    "datetime_parsing": gettext_lazy("应为日期时间（如 2026-01-31T08:00:00+08:00）。"),
    "datetime_from_date_parsing": gettext_lazy("应为日期时间（如 2026-01-31T08:00:00+08:00）。"),
    "datetime_type": gettext_lazy("应为日期时间（如 2026-01-31T08:00:00+08:00）。"),
    "time_parsing": gettext_lazy("应为时间（如 09:00 或 09:00+08:00）。"),
    "time_type": gettext_lazy("应为时间（如 09:00 或 09:00+08:00）。"),
    "model_attributes_type": gettext_lazy("应为JSON对象。"),
    "dict_type": gettext_lazy("应为JSON对象。"),
    "model_type": gettext_lazy("应为JSON对象。"),
}


def _field_message(error: dict) -> str:
    if error.get("type") == "value_error":  # our own validators, already translated
        return str(error.get("ctx", {}).get("error") or error.get("msg", ""))
    template = FIELD_MESSAGES.get(error.get("type", ""))
    if template is None:
        return str(error.get("msg", ""))
    try:
        return str(template) % {k: v for k, v in (error.get("ctx") or {}).items()}
    except (KeyError, TypeError, ValueError):
        return str(error.get("msg", ""))


def _location(loc) -> list:
    # ninja reports ("body", "<parameter>", "field"...); clients know fields, not parameters.
    loc = list(loc)
    if len(loc) > 2 and loc[0] == "body":
        return ["body", *loc[2:]]
    return loc


@api.exception_handler(NinjaValidationError)
def on_schema_error(request, exc: NinjaValidationError):
    errors = [
        {
            "loc": _location(e.get("loc", ())),
            "msg": _field_message(e),
            "type": str(e.get("type", "")),
        }
        for e in exc.errors
    ]
    parts = [
        "{}：{}".format(".".join(str(p) for p in e["loc"][1:]) or e["loc"][0], e["msg"])
        for e in errors[:3]
        if e["loc"]
    ]
    detail = _("请求数据有误。") + ("" if not parts else " " + "；".join(parts))
    return error_response(request, 422, detail, "invalid_request", errors)


@api.exception_handler(DjangoValidationError)
def on_validation_error(request, exc: DjangoValidationError):
    by_field = getattr(exc, "error_dict", None)
    flat = [e for es in by_field.values() for e in es] if by_field else exc.error_list
    code = next((e.code for e in flat if e.code), None) or "invalid"
    errors = None
    if by_field:
        errors = [
            {"loc": ["body", field], "msg": message, "type": code}
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return error_response(request, 422, " ".join(exc.messages), code, errors)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc: PermissionDenied):
    return error_response(
        request, 403, str(exc) or _("您没有执行此操作的权限。"), "permission_denied"
    )


@api.exception_handler(Http404)
@api.exception_handler(ObjectDoesNotExist)
def on_not_found(request, exc):
    return error_response(request, 404, _("未找到，或不在您的权限范围内。"), "not_found")


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if isinstance(exc, AuthenticationError):
        response = error_response(
            request, 401, _("请先登录，或提供有效的API令牌。"), "not_authenticated"
        )
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    if isinstance(exc, CsrfFailed):
        return error_response(request, 403, _("CSRF校验失败，请刷新页面后重试。"), "csrf_failed")
    if isinstance(exc, IdempotencyConflict):
        return error_response(request, 409, exc.message, exc.code)
    if exc.status_code == 400 and exc.message.startswith("Cannot parse request body"):
        return error_response(request, 400, _("请求内容不是有效的JSON。"), "malformed_json")
    codes = {400: "bad_request", 403: "permission_denied", 404: "not_found", 429: "throttled"}
    return error_response(
        request, exc.status_code, exc.message, codes.get(exc.status_code, "error")
    )


@api.exception_handler(RequestDataTooBig)
def on_too_large(request, exc: RequestDataTooBig):
    # A body read past DATA_UPLOAD_MAX_MEMORY_SIZE (one sent with its Content-Length is refused
    # before it is read, by core.middleware.RequestSizeLimitMiddleware, in the same words).
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(request, 413, too_large_message(limit), "request_too_large")


@api.exception_handler(TooManyFieldsSent)
def on_too_many_fields(request, exc: TooManyFieldsSent):
    return error_response(request, 400, _("请求的参数过多。"), "bad_request")


@api.exception_handler(DataError)
def on_data_error(request, exc: DataError):
    # A value the database cannot store that the schema let through: the client's input.
    logger.warning("API input rejected by the database: %s", exc)
    return error_response(request, 422, _("输入的值超出允许范围。"), "invalid_value")


@api.exception_handler(Exception)
def on_unexpected(request, exc: Exception):
    logger.exception("Unhandled error in API %s %s", request.method, request.path)
    # Let Django's error reporting (and the test client, which re-raises) see it too.
    got_request_exception.send(sender=None, request=request)
    return error_response(request, 500, _("服务器内部错误，请稍后重试。"), "server_error")


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    """Unknown paths under /api/ answer JSON too."""
    return JsonResponse(
        {"detail": _("未找到，或不在您的权限范围内。"), "code": "not_found"}, status=404
    )


urlpatterns = [
    path("docs/assets/<str:name>", docs_asset, name="api-docs-asset"),
    path("", api.urls),
    re_path(r"^(?P<rest>.*)$", not_found),
]
