"""Pages of 居务公开: the boards of a community (residents see published ones only), one board
with the steps the user may take, and its A3 print."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.pdf import pdf_response
from core.refusals import attempt
from finance import forms, periods, selectors, services
from finance.models import Board, Category, Disclosure, Income

S = Disclosure.Status


@login_required
def boards(request):
    user = request.user
    communities = list(selectors.board_communities(user).select_related("parent").order_by("code"))
    if not communities:
        raise PermissionDenied
    chosen = request.GET.get("community", "")
    community = next((c for c in communities if str(c.pk) == chosen), communities[0])
    can_prepare = user.has_perm("finance.prepare_disclosure", community)
    form = forms.PrepareForm()
    if request.method == "POST" and can_prepare:
        form = forms.PrepareForm(request.POST)
        if form.is_valid():
            done = attempt(
                request, services.disclosure_prepare, actor=user, community=community,
                on_form=form, done_message=_("已生成草稿，请核对后提交监督委员会审核。"),
                **form.cleaned_data,
            )  # fmt: skip
            if done:
                return redirect("finance:board", pk=done.value.pk)
    rows = list(selectors.boards_of(user, community))
    return render(request, "finance/boards.html", {
        "communities": communities, "community": community, "rows": rows,
        "can_prepare": can_prepare, "form": form,
        "to_review": list(selectors.awaiting_review(user)[:50]),
    })  # fmt: skip


def _visible(request, pk) -> Disclosure:
    disclosure = get_object_or_404(Disclosure.objects.select_related("community"), pk=pk)
    if not request.user.has_perm("finance.view_disclosure", disclosure):
        raise PermissionDenied
    return disclosure


STEPS = {
    "refresh": ("finance.prepare_disclosure", (S.DRAFT, S.RETURNED), services.disclosure_refresh,
                _("已按最新数据重新生成。")),
    "submit": ("finance.prepare_disclosure", (S.DRAFT,), services.disclosure_submit,
               _("已提交居务监督委员会审核。")),
    "publish": ("finance.review_disclosure", (S.SUBMITTED,), services.disclosure_publish,
                _("审核通过，已向居民公开。")),
    "return": ("finance.review_disclosure", (S.SUBMITTED,), services.disclosure_return,
               _("已退回社区修改。")),
}  # fmt: skip


def _steps(user, disclosure) -> list[str]:
    return [
        name for name, (perm, states, _service, _done) in STEPS.items()
        if disclosure.status in states and user.has_perm(perm, disclosure.community)
    ]  # fmt: skip


@login_required
def board(request, pk):
    disclosure = _visible(request, pk)
    user = request.user
    steps = _steps(user, disclosure)
    if request.method == "POST":
        name = request.POST.get("action", "")
        if name not in steps:
            raise PermissionDenied
        _perm, _states, service, done = STEPS[name]
        extra = {} if name == "submit" else {"note": request.POST.get("note", "")}
        attempt(request, service, actor=user, disclosure=disclosure, done_message=str(done),
                **extra)  # fmt: skip
        return redirect("finance:board", pk=disclosure.pk)
    return render(request, "finance/board.html", _context(disclosure) | {"steps": steps})


def _context(disclosure: Disclosure) -> dict:
    cadence = periods.Cadence.QUARTERLY if (
        periods.add_months(disclosure.period_start, 3) - disclosure.period_end
    ).days == 1 else periods.Cadence.MONTHLY  # fmt: skip
    content = dict(disclosure.content)
    kinds, categories = dict(Income.Kind.choices), dict(Category.choices)
    for row in content.get("incomes", []):
        row["kind_label"] = kinds.get(row["kind"], row["kind"])
    for row in content.get("spendings", []) + content.get("categories", []):
        row["category_label"] = categories.get(row["category"], row["category"])
    return {
        "disclosure": disclosure, "content": content, "board_label": Board(disclosure.board).label,
        "period": periods.label(disclosure.period_start, cadence),
    }  # fmt: skip


@login_required
def board_pdf(request, pk):
    """The board as an A3 notice for the community's notice board."""
    disclosure = _visible(request, pk)
    name = f"{disclosure.board}-{disclosure.community.code}-{disclosure.period_start:%Y%m}.pdf"
    return pdf_response(request, "finance/board_a3.html", _context(disclosure), filename=name)
