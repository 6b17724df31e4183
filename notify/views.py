from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core import services as core_services
from core.refusals import refusals_shown_on
from notify import binding, follows, forms, selectors, services, wechat


@login_required
def preferences(request):
    """One's own channels, quiet hours and message language, and what one is told."""
    pref = selectors.preference_of(request.user)
    initial = {
        "channels": pref.channels if pref.pk else [],
        "quiet_start": pref.quiet_start,
        "quiet_end": pref.quiet_end,
        "language": pref.language,
    }
    form = forms.PreferenceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with refusals_shown_on(form):
            services.preferences_update(
                actor=request.user, by_kind=forms.by_kind_of(request.POST), **form.cleaned_data
            )
            messages.success(request, _("接收设置已保存。"))
            return redirect("notify:preferences")
    chosen = pref.by_kind if pref.pk else {}
    return render(
        request,
        "notify/preferences.html",
        {
            "form": form,
            "kinds": [
                {"kind": k, "choice": forms.choice_of(chosen, k.key)}
                for k in selectors.kinds_for(request.user)
            ],
            "kind_choices": forms.KIND_CHOICES,
            "deliveries": selectors.deliveries_of(request.user)[:20],
            "reachable": selectors.reachable(request.user, pref),
            "follows": follows.follows_of(request.user),
        },
    )


@login_required
def open_message(request, pk: int):
    """Opening a message from a list marks it read and goes where it points (one's own only)."""
    note = selectors.notifications_of(request.user).filter(pk=pk).first()
    if note is None:
        raise Http404
    core_services.notifications_mark_read(actor=request.user, ids=[note.pk])
    target = note.url or "/notifications/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/notifications/"
    return redirect(target)


@require_POST
@login_required
def follow(request):
    """Follow or unfollow (``undo``) one target; back where the button was."""
    target = request.POST.get("target", "")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/notify/preferences/"
    try:
        if request.POST.get("undo"):
            follows.unfollow(actor=request.user, target=target)
            messages.success(request, _("已取消关注。"))
        else:
            follows.follow(actor=request.user, target=target)
            if target.startswith(f"{follows.PLACE}:"):
                messages.success(request, _("已关注：这里有新消息时会通知您。"))
            else:
                messages.success(request, _("已关注：办理进展会通知您。"))
    except PermissionDenied as exc:
        raise Http404(str(exc)) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(back)


@require_POST
@login_required
def wechat_start(request):
    """A binding code to send to the official account (shown once)."""
    code = binding.wechat_binding_start(actor=request.user)
    messages.info(
        request,
        _("微信绑定码：%(code)s。请在%(n)d分钟内关注社区公众号并发送这个绑定码。")
        % {"code": code, "n": binding.minutes()},
    )
    return redirect("notify:preferences")


@require_POST
@login_required
def wechat_unbind(request):
    try:
        binding.wechat_unbind(actor=request.user)
        messages.success(request, _("已解除微信绑定。"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("notify:preferences")


@csrf_exempt
@require_POST
def wechat_callback(request):
    """The official account's relay posts ``{"code", "openid"}``, signed (notify.http)."""
    import json

    body = request.body
    if not wechat.backend().accepts_callback(request.headers, body):
        return JsonResponse({"code": "FORBIDDEN", "message": "bad signature"}, status=403)
    try:
        data = json.loads(body.decode("utf-8"))
        binding.wechat_bind(code=str(data.get("code", "")), openid=str(data.get("openid", "")))
    except (ValueError, AttributeError):
        return JsonResponse({"code": "BAD_REQUEST", "message": "JSON object expected"}, status=400)
    except ValidationError as exc:
        return JsonResponse({"code": "REFUSED", "message": " ".join(exc.messages)}, status=400)
    return JsonResponse({"code": "OK"})
