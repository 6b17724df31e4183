"""Pages of a community's books (thin: selectors read, services write)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core import clock, images
from core.refusals import attempt
from core.selectors import districts_of
from finance import defaults, forms, selectors, services
from finance.models import Spending


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = 0
    return year if 2000 <= year <= 2100 else clock.today().year


def _community(request, communities):
    chosen = request.GET.get("community", "")
    return next((c for c in communities if str(c.pk) == chosen), communities[0])


@login_required
def books(request):
    """One community's year: budgets against spending, income, payments with their receipts and
    approvals, the anomalies the street office sees; the forms the user may use."""
    user = request.user
    communities = list(selectors.book_communities(user).select_related("parent").order_by("code"))
    if not communities:
        raise PermissionDenied
    community, year = _community(request, communities), _year(request)
    can_record = user.has_perm("finance.record", community)
    can_budget = user.has_perm("finance.set_budget", community)
    budget_form, income_form, spending_form = _blank_forms()
    if request.method == "POST":
        done = _post(request, community, year, can_record, can_budget)
        if done is True:
            return redirect(request.get_full_path())
        budget_form, income_form, spending_form = done
    spendings = list(selectors.spendings_of(user, community, year).select_related("recorded_by"))
    for s in spendings:
        s.can_approve = s.status == Spending.Status.PENDING and user.has_perm("finance.approve", s)
    found = selectors.anomalies(user, [community.pk], year)
    marks: dict[int, list] = {}
    for a in found:
        marks.setdefault(a.spending.pk, []).append(a.label)
    for s in spendings:
        s.marks = marks.get(s.pk, [])
    incomes = list(selectors.incomes_of(user, community, year))
    return render(request, "finance/books.html", {
        "communities": communities, "community": community, "year": year,
        "years": range(clock.today().year, clock.today().year - 4, -1),
        "budgets": selectors.budget_rows(community, year), "incomes": incomes,
        "income_total": sum(i.amount_fen for i in incomes), "spendings": spendings,
        "spending_total": sum(s.amount_fen for s in spendings if s.status != "rejected"),
        "can_record": can_record, "can_budget": can_budget, "budget_form": budget_form,
        "income_form": income_form, "spending_form": spending_form,
        "receipt_form": forms.ReceiptForm(), "anomaly_count": len(found),
    })  # fmt: skip


def _blank_forms():
    return (
        forms.BudgetForm(prefix="budget"),
        forms.IncomeForm(prefix="income"),
        forms.SpendingForm(prefix="spending"),
    )


def _post(request, community, year, can_record, can_budget):
    """The posted form's service call: True when done, else the forms to show again."""
    user, action = request.user, request.POST.get("action")
    budget_form, income_form, spending_form = _blank_forms()
    if action == "budget" and can_budget:
        budget_form = forms.BudgetForm(request.POST, prefix="budget")
        if budget_form.is_valid() and attempt(
            request, services.budget_set, actor=user, community=community, year=year,
            on_form=budget_form, done_message=_("预算已核定。"), **budget_form.cleaned_data,
        ):  # fmt: skip
            return True
    elif action == "income" and can_record:
        income_form = forms.IncomeForm(request.POST, prefix="income")
        if income_form.is_valid() and attempt(
            request, services.income_record, actor=user, community=community,
            on_form=income_form, done_message=_("收入已登记。"), **income_form.cleaned_data,
        ):  # fmt: skip
            return True
    elif action == "spending" and can_record:
        spending_form = forms.SpendingForm(request.POST, request.FILES, prefix="spending")
        if spending_form.is_valid() and attempt(
            request, services.spending_record, actor=user, community=community,
            on_form=spending_form, done_message=_("支出已登记，等待街道审批。"),
            **spending_form.cleaned_data,
        ):  # fmt: skip
            return True
    elif action in ("approve", "reject", "receipt"):
        return _spending_step(request, community, action) or (
            budget_form,
            income_form,
            spending_form,
        )
    else:
        raise PermissionDenied
    return budget_form, income_form, spending_form


def _spending_step(request, community, action) -> bool:
    spending = Spending.objects.filter(pk=request.POST.get("spending") or 0,
                                       community=community).first()  # fmt: skip
    if spending is None:
        raise Http404
    user = request.user
    if action == "approve":
        return bool(attempt(request, services.spending_approve, actor=user, spending=spending,
                            done_message=_("已审批。")))  # fmt: skip
    if action == "reject":
        return bool(attempt(request, services.spending_reject, actor=user, spending=spending,
                            note=request.POST.get("note", ""),
                            done_message=_("已退回。")))  # fmt: skip
    return bool(attempt(request, services.receipt_attach, actor=user, spending=spending,
                        receipt=request.FILES.get("receipt"),
                        done_message=_("票据已上传。")))  # fmt: skip


@login_required
def receipt(request, pk):
    """A receipt scan, served only as an image (core.images), to those who read the books."""
    spending = get_object_or_404(Spending.objects.select_related("community"), pk=pk)
    if not request.user.has_perm("finance.view_books", spending.community) or not spending.receipt:
        raise Http404
    return images.stored_response(spending.receipt, name_stem=f"receipt-{spending.pk}")


@login_required
def supervision(request):
    """The street office's view (居账街管): payments awaiting approval, anomalies of the year
    across its communities, overdue disclosures; the district's rules."""
    user = request.user
    if not user.has_perm("finance.supervise_any"):
        raise PermissionDenied
    year = _year(request)
    districts = list(districts_of(user).order_by("code"))
    district = districts[0] if districts else None
    can_set = district is not None and user.has_perm("finance.set_rules", district)
    rule_form = forms.ApprovalRuleForm(prefix="approval")
    disclosure_form = forms.DisclosureRuleForm(prefix="disclosure")
    if request.method == "POST" and can_set:
        if request.POST.get("action") == "seed":
            attempt(request, services.rules_seed, actor=user, district=district,
                    done_message=_("已载入默认规则。"))  # fmt: skip
            return redirect(request.get_full_path())
        if request.POST.get("action") == "disclosure_rule":
            disclosure_form = forms.DisclosureRuleForm(request.POST, prefix="disclosure")
            if disclosure_form.is_valid() and attempt(
                request, services.disclosure_rule_create, actor=user, district=district,
                on_form=disclosure_form, done_message=_("已新增公开规则。"),
                **disclosure_form.cleaned_data,
            ):  # fmt: skip
                return redirect(request.get_full_path())
            return _supervision_page(request, year, district, can_set, rule_form, disclosure_form)
        rule_form = forms.ApprovalRuleForm(request.POST, prefix="approval")
        if rule_form.is_valid() and attempt(
            request, services.approval_rule_create, actor=user, district=district,
            on_form=rule_form, done_message=_("已新增审批规则。"), **rule_form.cleaned_data,
        ):  # fmt: skip
            return redirect(request.get_full_path())
    return _supervision_page(request, year, district, can_set, rule_form, disclosure_form)


def _supervision_page(request, year, district, can_set, rule_form, disclosure_form):
    user, today = request.user, clock.today()
    communities = list(selectors.book_communities(user).order_by("code"))
    return render(request, "finance/supervision.html", {
        "year": year, "years": range(today.year, today.year - 4, -1),
        "waiting": selectors.awaiting_approval(user)[:100],
        "anomalies": selectors.anomalies(user, [c.pk for c in communities], year),
        "overdue": selectors.overdue_by_board(communities, today),
        "district": district, "can_set": can_set, "rule_form": rule_form,
        "disclosure_form": disclosure_form,
        "approval_rules": selectors.approval_rules_of(district),
        "threshold_placeholder": defaults.THRESHOLD_SOURCE,
        "disclosure_rules": selectors.disclosure_rules_of(district),
    })  # fmt: skip
