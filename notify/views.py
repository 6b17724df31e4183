from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import services as core_services
from core.refusals import refusals_shown_on
from notify import follows, forms, selectors, services


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
            services.preferences_update(actor=request.user, **form.cleaned_data)
            messages.success(request, _("接收设置已保存。"))
            return redirect("notify:preferences")
    return render(
        request,
        "notify/preferences.html",
        {
            "form": form,
            "kinds": selectors.kinds_for(request.user),
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
            messages.success(request, _("已关注：办理进展会通知您。"))
    except PermissionDenied as exc:
        raise Http404(str(exc)) from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(back)
