"""The district's rules of request handling (services.rule_defaults): everyone who works with
requests reads them with their source; the district's dispatchers change them here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.models import Place, PlaceLevel
from core.refusals import refusals_shown_on
from core.rules import assignments_of
from services.services import rules as rule_services


def _district_of(user):
    """The district of the user's first role (a superuser without one: the first district)."""
    for assignment in assignments_of(user):
        return assignment.place.district
    if user.is_superuser:
        return (
            Place.objects.filter(level=PlaceLevel.DISTRICT, is_active=True).order_by("code").first()
        )
    return None


@login_required
def rule_list(request):
    district = _district_of(request.user)
    if district is None:
        raise Http404(_("没有找到，或您无权查看。"))
    can_edit = request.user.has_perm("services.edit_rules", district)
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("只有本区派单员（区管理员、区减负办）可以修改诉求办理规则。"))
        with refusals_shown_on(request):
            rule = rule_services.rule_update(
                actor=request.user, district=district, code=request.POST.get("code", ""),
                value=request.POST.get("value"), source=request.POST.get("source", ""),
            )  # fmt: skip
            messages.success(
                request,
                _("已将“%(rule)s”改为%(value)s，本区此后即按新值执行。")
                % {"rule": _(rule.name), "value": rule.value},
            )
        return redirect("services:rules")
    return render(
        request,
        "services/rules.html",
        {"rules": rule_services.rules_for(district), "district": district, "can_edit": can_edit},
    )
