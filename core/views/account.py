"""Login, health check, the working-day calendar, one's own account and notifications."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from core import calendar as workcal
from core import clock, inbox, selectors, services
from core.forms import (
    LoginForm,
    PasswordChangeForm,
    SecondFactorForm,
    TokenForm,
)
from core.models import ApiToken, Person
from core.passwords import needs_second_factor, password_change_reason
from core.refusals import REFUSALS, refusal_text, refusals_shown_on
from core.services.second_factor import confirmed_device, second_factor_key, second_factor_qr
from core.services.sms_codes import lifetime_minutes
from core.services.sms_second_factor import (
    confirmed_sms_device,
    pending_sms_device,
    sms_number_on_file,
)


class LoginView(auth_views.LoginView):
    template_name = "core/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        # A staff member who chose SMS as the second factor gets the code now (a fresh sign-in
        # has given no second factor yet: needs_second_factor, before django-otp marks it).
        if settings.STAFF_SECOND_FACTOR and confirmed_sms_device(user):
            with refusals_shown_on(self.request):
                services.sms_factor_send(request=self.request, actor=user)
                messages.info(self.request, _("验证码短信已发送，请查收。"))
        return response

    def get_default_redirect_url(self):
        """A resident who signed up and is not linked to a registry record yet goes to the page
        that asks for the link (there is nothing else for the account to do)."""
        user = self.request.user
        if not user.is_superuser and not user.role_assignments.exists():
            if not Person.objects.filter(account=user).exists():
                return reverse("account_link")
        return super().get_default_redirect_url()


def healthz(request):
    """Liveness for load balancers: answers without touching the session."""
    return HttpResponse("ok", content_type="text/plain")


# ---------------------------------------------------------------- calendar


@login_required
def calendar_page(request):
    if not request.user.has_perm("core.manage_calendar"):
        raise PermissionDenied(_("只有系统管理员可以维护工作日历。"))
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 2004), 2100)
    error = ""
    if request.method == "POST":
        try:
            if request.POST.get("action") == "set_day":
                try:
                    day = datetime.date.fromisoformat(request.POST.get("date", ""))
                except ValueError:
                    raise ValidationError(_("日期格式不正确，应为YYYY-MM-DD。")) from None
                services.calendar_set_day(
                    actor=request.user,
                    date=day,
                    is_working_day=request.POST.get("is_working_day") == "1",
                    note=request.POST.get("note", ""),
                )
                year = day.year
                messages.success(
                    request,
                    _(
                        "已将%(date)s设为%(kind)s：按工作日计算的期限都按新日历计算，未办结事项的期限已随之调整。"
                    )
                    % {
                        "date": day.isoformat(),
                        "kind": _("工作日")
                        if request.POST.get("is_working_day") == "1"
                        else _("休息日"),
                    },
                )
            elif request.POST.get("action") == "year_entered":
                services.calendar_mark_year_entered(
                    actor=request.user, year=year, source=request.POST.get("source", "")
                )
                messages.success(request, _("已确认%(year)s年安排。") % {"year": year})
            return redirect(f"{request.path}?year={year}")
        except REFUSALS as exc:
            error = refusal_text(exc)
    return render(
        request,
        "core/calendar.html",
        {
            "year": year,
            "status": workcal.calendar_status(year),
            "missing": workcal.years_needing_schedule(),
            "error": error,
        },
    )


# ---------------------------------------------------------------- account


@login_required
def account(request):
    action = request.POST.get("action") if request.method == "POST" else None
    # An account that must change its password does that first: no token from a password
    # someone else set or one past its age (core.passwords).
    must_change = password_change_reason(request.user, clock.now())
    if must_change and action not in (None, "password"):
        messages.error(request, must_change)
        return redirect("account")
    token_form = TokenForm(request.POST if action == "token" else None)
    password_form = PasswordChangeForm(request.POST if action == "password" else None)
    new_secret = ""
    if action:
        with refusals_shown_on(password_form if action == "password" else token_form):
            if action == "token":
                if token_form.is_valid():
                    _token, new_secret = services.api_token_create(
                        actor=request.user, **token_form.cleaned_data
                    )
            elif action == "revoke":
                token = get_object_or_404(ApiToken, pk=request.POST.get("token"), user=request.user)
                services.api_token_revoke(actor=request.user, token=token)
                messages.success(request, _("令牌已撤销。"))
                return redirect("account")
            elif action == "password":
                if password_form.is_valid():
                    revoked = services.password_change(
                        actor=request.user, user=request.user, **password_form.cleaned_data
                    )
                    from django.contrib.auth import update_session_auth_hash

                    update_session_auth_hash(request, request.user)
                    messages.success(request, _("密码已修改。"))
                    if revoked:
                        messages.info(request, _("原有的API令牌已全部失效，请按需重新生成。"))
                    return redirect("account")
    return render(
        request,
        "core/account.html",
        {
            "tokens": request.user.api_tokens.filter(revoked_at__isnull=True).order_by(
                "-created_at", "-pk"
            ),
            "now": clock.now(),
            "token_form": token_form,
            "password_form": password_form,
            "new_secret": new_secret,
            "must_change": must_change,
            "password_rules": password_validators_help_texts(),
        },
    )


@login_required
def notifications(request):
    if request.method == "POST":
        services.notifications_mark_read(
            actor=request.user, ids=[int(i) for i in request.POST.getlist("id") if i.isdigit()]
        )
        return redirect("notifications")
    items = inbox.shown(request.user.notifications.all()[:200])
    # The page shows which were new (highlighted), then counts them as read: opened is seen.
    response = render(request, "core/notifications.html", {"items": items})
    services.notifications_mark_read(
        actor=request.user, ids=[n.pk for n in items if n.read_at is None]
    )
    return response


@require_POST
@login_required
def notifications_read_all(request):
    ids = list(selectors.unread_notifications(request.user).values_list("pk", flat=True))
    services.notifications_mark_read(actor=request.user, ids=ids)
    return redirect("notifications")


# ---------------------------------------------------------------- second factor


def _next_page(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("workbench")


def _sms_step(request, user, action: str) -> None:
    """The SMS actions of the second-factor page: choose SMS (a code to the number on file) or
    send the code again."""
    if action == "sms_enrol":
        services.sms_factor_enrol(request=request, actor=user)
    else:
        services.sms_factor_send(request=request, actor=user)


@dataclass(frozen=True)
class _Factors:
    """A staff account's second factors as the page finds them: a confirmed authenticator or SMS
    device, or (before either) one being set up."""

    device: object
    sms: object
    pending: object
    sms_pending: object

    @classmethod
    def of(cls, user) -> "_Factors":
        device, sms = confirmed_device(user), confirmed_sms_device(user)
        unset = device is None and sms is None
        return cls(
            device=device,
            sms=sms,
            pending=user.totpdevice_set.filter(confirmed=False).first() if unset else None,
            sms_pending=pending_sms_device(user) if unset else None,
        )

    @property
    def by_sms(self) -> bool:
        return bool(self.sms or self.sms_pending)


def _code_form(request, factors: _Factors, posted: bool) -> SecondFactorForm:
    form = SecondFactorForm(request.POST if posted else None)
    if factors.by_sms:
        form.fields["code"].help_text = _("短信验证码为6位数字，%(minutes)s分钟内有效。") % {
            "minutes": lifetime_minutes()
        }
    return form


def _device_for_code(request, user, factors: _Factors, code: str):
    """The device a right code proves (SMS, an authenticator being confirmed, or the confirmed
    authenticator); a wrong one is refused by the service."""
    if factors.by_sms:
        device = services.sms_factor_verify(actor=user, code=code)
        if factors.sms is None:
            messages.success(request, _("短信验证已设置。以后每次登录都要输入发到手机上的验证码。"))
        return device
    if factors.device is None and factors.pending is not None:
        device = services.second_factor_confirm(actor=user, device=factors.pending, code=code)
        messages.success(request, _("身份验证器已绑定。以后每次登录都要输入它上面的验证码。"))
        return device
    return services.second_factor_verify(actor=user, code=code)


def _second_factor_post(request, user, factors: _Factors, action: str, form):
    """A posted action: the redirect once done, or None to show the page with the refusal."""
    here = f"{reverse('second_factor')}?{urlencode({'next': _next_page(request)})}"
    if action in ("sms_enrol", "sms_send"):
        with refusals_shown_on(request):  # shown on the page: no code was typed
            _sms_step(request, user, action)
            messages.info(request, _("验证码短信已发送，请查收。"))
            return redirect(here)
        return None
    with refusals_shown_on(form):
        if action == "enrol" and factors.device is None and factors.sms is None:
            services.second_factor_enrol(actor=user)
            return redirect(here)
        if form.is_valid():
            device = _device_for_code(request, user, factors, form.cleaned_data["code"])
            otp_login(request, device)
            return redirect(_next_page(request))
    return None


@login_required
def second_factor(request):
    """The second step of a staff sign-in: set the second factor up the first time (the
    authenticator app: a QR code and the key to type; or SMS to the number on file), then give
    its code at each sign-in."""
    user = request.user
    if not needs_second_factor(user):
        return redirect(_next_page(request))
    factors = _Factors.of(user)
    action = request.POST.get("action") if request.method == "POST" else None
    form = _code_form(request, factors, posted=action == "code")
    if action:
        done = _second_factor_post(request, user, factors, action, form)
        if done is not None:
            return done
    pending, unset = factors.pending, factors.device is None and factors.sms is None
    return render(
        request,
        "core/second_factor.html",
        {
            "form": form,
            "device": factors.device,
            "pending": pending,
            "sms": factors.sms or factors.sms_pending,
            "sms_confirmed": factors.sms is not None,
            "mobile_on_file": sms_number_on_file(user) if unset else "",
            "qr_svg": second_factor_qr(pending) if pending else "",
            "key": second_factor_key(pending) if pending else "",
            "next": _next_page(request),
        },
    )
