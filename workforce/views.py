from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core import clock
from core.refusals import refusals_shown_on
from core.selectors import chosen_district, districts_of
from workforce import careers, forms, selectors, services


@login_required
def staffing(request):
    """Each community's standard headcount by the rule in force against the community workers
    it has, shortest-staffed first; the district's rules below, editable by the district."""
    user = request.user
    if not user.has_perm("workforce.view_staffing"):
        raise PermissionDenied
    districts = list(districts_of(user).order_by("code"))
    if not districts:
        raise PermissionDenied
    district = chosen_district(request, districts)
    can_set = user.has_perm("workforce.set_staffing_rules", district)
    form = forms.StaffingRuleForm()
    if request.method == "POST" and can_set:
        if request.POST.get("action") == "seed":
            with refusals_shown_on(request):
                added = services.staffing_rules_seed(actor=user, district=district)
                messages.success(request, _("已载入%(n)d条默认配备标准。") % {"n": added})
            return redirect(request.get_full_path())
        form = forms.StaffingRuleForm(request.POST)
        if form.is_valid():
            with refusals_shown_on(form):
                rule = services.staffing_rule_create(
                    actor=user, district=district, **form.cleaned_data
                )
                messages.success(
                    request,
                    _("已新增配备标准“%(name)s”，自%(date)s起按它计算各社区应配人数。")
                    % {"name": rule.name, "date": rule.effective_from.isoformat()},
                )  # fmt: skip
                return redirect(request.get_full_path())
    rule, rows = selectors.staffing(user, district, clock.today())
    figures = careers.district_figures(user, district, clock.today())
    totals = {
        "standard": sum(r.standard for r in rows),
        "actual": sum(r.actual for r in rows),
        "shortfall": sum(r.shortfall for r in rows),
        "short": sum(1 for r in rows if r.shortfall),
        "first": sum(1 for r in rows if r.first_to_see),
    }
    return render(
        request,
        "workforce/staffing.html",
        {"district": district, "districts": districts, "rule": rule, "rows": rows,
         "totals": totals, "rules": selectors.rules_of(district), "can_set": can_set,
         "form": form, "figures": figures},
    )  # fmt: skip
