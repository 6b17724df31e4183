"""Time-bank pages. Thin: parse the form, call a service, show the result or the error."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.models import Place
from core.rules import assignments_of
from timebank import selectors, services
from timebank.models import STAR_HOURS, format_minutes


@login_required
def home(request):
    return render(request, "timebank/home.html", {"accounts": selectors.own_accounts(request.user)})


@login_required
def ledger(request):
    """The district ledger and a live reconciliation, for administrators and auditors."""
    districts = selectors.ledger_districts(request.user)
    if not districts:
        raise PermissionDenied(_("只有管理员、区减负办、街道和审计员可以查看账本。"))
    checks = [(d, services.reconcile(district=d)) for d in districts]
    txs = selectors.transactions_visible_to(request.user).select_related("place", "actor")
    page = Paginator(txs.order_by("-created_at", "-pk"), 50).get_page(request.GET.get("page"))
    return render(request, "timebank/ledger.html", {"checks": checks, "page": page})


def _rule_display(rule) -> str:
    if rule.unit == "minutes":
        return format_minutes(rule.value)
    if rule.unit == "years":
        return _("%(n)d周岁") % {"n": rule.value}
    if rule.unit == "bool":
        return _("开") if rule.value else _("关")
    return str(rule.value)


@login_required
def rule_list(request):
    """The rules as they apply in the user's district; administrators edit them here."""
    district = _district_of(request.user)
    if district is None:
        raise Http404(_("没有找到，或您无权查看。"))
    can_edit = request.user.has_perm("timebank.edit_rules", district)
    error = None
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied(_("只有区管理员和区减负办可以修改规则。"))
        try:
            services.rule_update(
                actor=request.user, district=district, code=request.POST.get("code", ""),
                value=request.POST.get("value"), source=request.POST.get("source", ""),
            )  # fmt: skip
            messages.success(request, _("规则已保存。"))
            return redirect("timebank:rules")
        except ValidationError as exc:
            error = exc.messages
    rules = services.rules_for(district)
    for rule in rules:
        rule.display = _rule_display(rule)
    return render(
        request,
        "timebank/rules.html",
        {"rules": rules, "district": district, "can_edit": can_edit, "error": error},
    )


def _district_of(user):
    """The district the user works or lives in (their first role's or account's)."""
    for assignment in assignments_of(user):
        return assignment.place.district
    account = selectors.own_accounts(user).select_related("district").first()
    if account is not None:
        return account.district
    if user.is_superuser:
        return Place.objects.filter(level="district").order_by("pk").first()
    return None


@login_required
def account_detail(request, pk):
    account = selectors.accounts_visible_to(request.user).filter(pk=pk).first()
    if account is None:
        raise Http404(_("没有找到，或您无权查看。"))
    postings = selectors.postings_visible_to(request.user, account).order_by("-pk")
    page = Paginator(postings, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "timebank/account.html",
        {"account": account, "page": page, "star_hours": STAR_HOURS},
    )
