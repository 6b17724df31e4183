"""Residents' own accounts (issue #15 item 5): sign up and reset a password by SMS code, ask to
be linked to one's registry record; community workers decide the links."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core import selectors, services
from core.auth import BACKEND
from core.forms import AccountLinkForm, CodeAndPasswordForm, LinkRefuseForm, MobileForm
from core.models import AccountLink, LinkState, Person, Place, PlaceLevel
from core.refusals import refusals_shown_on
from core.services.signup import linked_person
from core.services.sms_codes import SmsGate, lifetime_minutes


def _send_code(request, service) -> MobileForm:
    """The "获取验证码" button: the same answer whoever the number belongs to."""
    form = MobileForm(request.POST)
    if form.is_valid():
        with refusals_shown_on(form):
            gate = SmsGate(request, form.cleaned_data["mobile"])
            service(gate=gate)
            messages.info(
                request,
                _("短信已发送到%(mobile)s，验证码%(minutes)s分钟内有效。")
                % {"mobile": gate.masked, "minutes": lifetime_minutes()},
            )
    return form


def _code_page(request, *, template: str, send_service, finish):
    """The sign-up and reset pages: one form, a button that sends the code and one that
    finishes (``finish(request, cleaned_data)`` returns the response, or None if refused)."""
    if request.user.is_authenticated:
        return redirect("workbench")
    action = request.POST.get("action") if request.method == "POST" else None
    send_form = _send_code(request, send_service) if action == "send" else None
    form = CodeAndPasswordForm(
        request.POST if action == "finish" else None,
        initial={"mobile": request.POST.get("mobile", "")},
    )
    if action == "finish" and form.is_valid():
        with refusals_shown_on(form):
            return finish(request, form.cleaned_data)
    return render(
        request,
        template,
        {
            "form": form,
            "send_errors": send_form.errors.get("mobile", []) + send_form.non_field_errors()
            if send_form is not None
            else [],
            "password_rules": password_validators_help_texts(),
        },
    )


def signup(request):
    def finish(request, data):
        user = services.resident_signup(**data)
        login(request, user, backend=BACKEND)
        messages.success(request, _("注册成功。请填写您的居民信息，社区核实后即可办理更多事项。"))
        return redirect("account_link")

    return _code_page(
        request,
        template="core/signup.html",
        send_service=services.signup_code_send,
        finish=finish,
    )


def password_reset(request):
    def finish(request, data):
        services.password_reset(**data)
        messages.success(request, _("密码已重新设置，请用新密码登录。"))
        return redirect("login")

    return _code_page(
        request,
        template="core/password_reset.html",
        send_service=services.reset_code_send,
        finish=finish,
    )


def _communities():
    return (
        Place.objects.filter(level=PlaceLevel.COMMUNITY, is_active=True)
        .select_related("parent")
        .order_by("path")
    )


@login_required
def account_link(request):
    """A resident asks to be linked to their registry record, and sees what became of it."""
    person = linked_person(request.user)
    form = AccountLinkForm(
        request.POST if request.method == "POST" and person is None else None,
        communities=_communities(),
    )
    if form.is_bound and form.is_valid():
        with refusals_shown_on(form):
            services.account_link_request(actor=request.user, **form.cleaned_data)
            messages.success(request, _("已提交，社区工作人员核实后会通知您。"))
            return redirect("account_link")
    links = list(
        AccountLink.objects.filter(user=request.user)
        .select_related("community")
        .order_by("-created_at", "-pk")[:20]
    )
    return render(
        request,
        "core/account_link.html",
        {
            "person": person,
            "links": links,
            "pending": any(link.state == LinkState.PENDING for link in links),
            "form": form,
        },
    )


def _with_records(links: list[AccountLink]) -> list[AccountLink]:
    """Each link's registry record as of now (the registry may have imported it since), shown
    only when it is in the link's community: the reviewer's own."""
    found = {
        p.id_number_hash: p
        for p in Person.objects.filter(
            id_number_hash__in={link.id_number_hash for link in links}
        ).select_related("place")
    }
    for link in links:
        record = found.get(link.id_number_hash)
        link.record = (
            record if record and record.place and record.place.is_within(link.community) else None
        )
        link.elsewhere = record is not None and link.record is None
        mobile = getattr(link.user, "signup_mobile", None)
        link.mobile_masked = mobile.mobile_masked if mobile else ""
        link.same_mobile = bool(
            mobile and link.record is not None and link.record.mobile_hash == mobile.mobile_hash
        )
    return links


@login_required
def account_links(request):
    """A community worker's queue of residents waiting to be linked to their records."""
    if not request.user.has_perm("core.review_account_links"):
        raise PermissionDenied(_("只有社区工作者可以核实居民账号关联。"))
    queue = selectors.account_links_to_review(request.user)
    refuse_form = LinkRefuseForm()
    if request.method == "POST":
        link = get_object_or_404(queue, pk=request.POST.get("link") or 0)
        action = request.POST.get("action")
        with refusals_shown_on(request):
            if action == "approve":
                services.account_link_approve(actor=request.user, link=link)
                messages.success(request, _("已关联，居民账号可以使用了。"))
            elif action == "refuse":
                refuse_form = LinkRefuseForm(request.POST)
                if refuse_form.is_valid():
                    services.account_link_refuse(
                        actor=request.user, link=link, reason=refuse_form.cleaned_data["reason"]
                    )
                    messages.success(request, _("已退回，居民会收到原因。"))
                else:
                    messages.error(request, _("请填写不通过的原因。"))
        return redirect("account_links")
    links = _with_records(list(queue[:100]))
    return render(request, "core/account_links.html", {"links": links, "refuse_form": refuse_form})
