"""The sign-in policy beyond Django's validators: letters and digits, a password staff set is
changed at the first login, a staff password older than settings.PASSWORD_MAX_AGE_DAYS is changed
at the next page, staff confirm each sign-in with an authenticator code
(settings.STAFF_SECOND_FACTOR), and an idle session is signed out after
settings.IDLE_TIMEOUT_MINUTES."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, password_validation
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

from core import clock


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule with its message in our catalogue: Django 5.2 changed the message and
    its Chinese translation did not follow, so users read English."""

    def get_error_message(self):
        return _("密码太短，至少需要%(min_length)d个字符。") % {"min_length": self.min_length}

    def get_help_text(self):
        return _("密码至少需要%(min_length)d个字符。") % {"min_length": self.min_length}


class LettersAndDigitsValidator:
    """Part of the password policy: a password mixes letters and digits."""

    def validate(self, password, user=None):
        if not (any(c.isalpha() for c in password) and any(c.isdigit() for c in password)):
            raise ValidationError(_("密码须同时包含字母和数字。"), code="password_letters_digits")

    def get_help_text(self):
        return _("密码须同时包含字母和数字。")


def password_expired(user, now: datetime.datetime) -> bool:
    """A staff member's password older than PASSWORD_MAX_AGE_DAYS (residents are not asked:
    the rule is for accounts that reach other people's data)."""
    from core.rules import is_staff_member

    days = settings.PASSWORD_MAX_AGE_DAYS
    if not days or not is_staff_member(user):
        return False
    changed = user.password_changed_at or user.date_joined
    return now - changed > datetime.timedelta(days=days)


def password_change_reason(user, now: datetime.datetime) -> str:
    """Why `user` must change the password before anything else ("" when not)."""
    if user.must_change_password:
        return _("您的密码是工作人员开通账号时设置的，请先修改为只有您知道的密码。")
    if password_expired(user, now):
        return _("您的密码已使用超过%(days)s天，请先修改密码。") % {
            "days": settings.PASSWORD_MAX_AGE_DAYS
        }
    return ""


# Pages an account that must change its password (or a signed-out one) may still open.
_OPEN_PAGES = {
    "account", "logout", "login", "set_language", "captcha-image", "captcha-refresh",
    "second_factor",
}  # fmt: skip


def needs_second_factor(user) -> bool:
    """A staff member (or a superuser) signed in without the authenticator code yet (django-otp's
    is_verified)."""
    from core.rules import is_staff_member

    return (
        settings.STAFF_SECOND_FACTOR
        and user.is_authenticated
        and not user.is_verified()
        and (user.is_superuser or is_staff_member(user))
    )


def _page_name(request) -> str:
    try:
        return resolve(request.path_info).url_name or ""
    except Resolver404:
        return ""


def _is_static(request) -> bool:
    return request.path_info.startswith(settings.STATIC_URL)


def _is_api(request) -> bool:
    """The JSON API, which a browser session may call too: it answers in JSON, not a redirect."""
    return request.path_info.startswith("/api/")


class PasswordChangeRequiredMiddleware:
    """Sends a signed-in account whose password must change to the account page, which says why."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and not _is_static(request)
            and _page_name(request) not in _OPEN_PAGES
            and (reason := password_change_reason(user, clock.now()))
        ):
            if _is_api(request):
                return JsonResponse({"detail": reason}, status=403)
            return redirect("account")
        return self.get_response(request)


class SecondFactorMiddleware:
    """Sends a staff member who has not given the authenticator code of this sign-in to the page
    that asks for it (or, the first time, sets the authenticator up)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            not _is_static(request)
            and _page_name(request) not in ("second_factor", "logout", "set_language")
            and needs_second_factor(request.user)
        ):
            if _is_api(request):
                return JsonResponse(
                    {"detail": _("请先在浏览器中输入身份验证器上的验证码。")}, status=403
                )
            return redirect_to_login(request.get_full_path(), "second_factor")
        return self.get_response(request)


_SEEN = "linli_seen"


def note_sign_in(sender, request, user, **kwargs):
    """At a sign-in (user_logged_in), which writes the session anyway: the idle wait starts
    there, so the pages that follow write nothing for the first minute."""
    if request is not None and hasattr(request, "session"):
        request.session[_SEEN] = int(clock.now().timestamp())


class IdleTimeoutMiddleware:
    """Signs out a session idle longer than IDLE_TIMEOUT_MINUTES. The last-seen time is written
    at most once a minute, so a busy session does not write its session on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not _is_static(request):
            now = int(clock.now().timestamp())
            seen = request.session.get(_SEEN)
            if seen is not None and now - seen > settings.IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
                if _is_api(request):
                    return JsonResponse({"detail": _("登录已超时，请重新登录。")}, status=401)
                messages.info(
                    request,
                    _("您已%(minutes)s分钟未操作，为保护居民信息已自动退出，请重新登录。")
                    % {"minutes": settings.IDLE_TIMEOUT_MINUTES},
                )
                if request.method == "GET":
                    return redirect_to_login(request.get_full_path())
                return redirect(settings.LOGIN_URL)
            if seen is None or now - seen >= 60:
                request.session[_SEEN] = now
        return self.get_response(request)
