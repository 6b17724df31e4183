"""考核拨款: the district's funding rule (assessment result → next year's grant), the grants paid
from each year's results; the rule setters add a rule and pay a year's grants."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core import clock
from core.refusals import attempt
from core.selectors import districts_of
from finance import forms, selectors, services
from finance.models import FundingRule


@login_required
def funding(request):
    user = request.user
    if not user.has_perm("finance.supervise_any"):
        raise PermissionDenied
    district = districts_of(user).order_by("code").first()
    can_set = district is not None and user.has_perm("finance.set_rules", district)
    today = clock.today()
    rule_form = forms.FundingRuleForm(prefix="rule")
    pay_form = forms.GrantsPayForm(prefix="pay", initial={"year": today.year - 1})
    if request.method == "POST" and can_set:
        if request.POST.get("action") == "rule":
            rule_form = forms.FundingRuleForm(request.POST, prefix="rule")
            if rule_form.is_valid() and attempt(
                request, services.funding_rule_create, on_form=rule_form, actor=user,
                district=district, done_message=_("考核拨款规则已新增。"), **rule_form.cleaned_data,
            ):  # fmt: skip
                return redirect("finance:funding")
        else:
            pay_form = forms.GrantsPayForm(request.POST, prefix="pay")
            done = pay_form.is_valid() and attempt(
                request, services.assessment_grants_pay, on_form=pay_form, actor=user,
                district=district, year=pay_form.cleaned_data["year"],
            )  # fmt: skip
            if done:
                n = len(done.value)
                messages.success(request, _("已拨付%(n)d个社区的考核拨款。") % {"n": n})
                return redirect("finance:funding")
    return render(request, "finance/funding.html", {
        "district": district, "can_set": can_set, "rule_form": rule_form, "pay_form": pay_form,
        "rules": FundingRule.objects.filter(district=district) if district else [],
        "grants": selectors.assessment_grants(user)[:200],
    })  # fmt: skip
