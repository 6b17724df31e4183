"""Time-bank pages. Thin: parse the form, call a service, show the result or the refusal
(core.refusals). An order's steps come from its table (timebank.steps)."""

import uuid
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import charts
from core.collation import in_pinyin_order
from core.models import Place
from core.pdf import pdf_response
from core.refusals import attempt, refusals_shown_on
from core.rules import assignments_of, role_places
from core.selectors import people_visible_to
from core.validation import search_query
from timebank import order_notes, selectors, services, steps
from timebank.forms import (
    NeedForm,
    OfferForm,
    OpenAccountForm,
    ProxyNeedForm,
    ledger_forms,
)
from timebank.models import (
    STAR_HOURS,
    Account,
    AccountKind,
    Category,
    Listing,
    ListingKind,
    Order,
    format_minutes,
)
from timebank.rules import RECORD_ROLES, REVERSE_ROLES, VIEW_ROLES


@login_required
def home(request):
    """A resident's time bank on a phone: balance, what to do next, needs to take."""
    user = request.user
    account = services.member_account_of(user)
    active = [Order.Status.TAKEN, Order.Status.SIGNED_IN, Order.Status.SIGNED_OUT,
              Order.Status.CONFIRMED]  # fmt: skip
    my_orders = (
        Order.objects.filter(volunteer=account, status__in=active)
        .select_related("listing__place", "volunteer__person", "place")
        .prefetch_related("disputes")  # the steps ask for an open dispute (timebank.steps)
        if account
        else Order.objects.none()
    )
    my_orders = [_with_steps(user, order, "home") for order in my_orders]
    served = (
        Q(listing__poster=user) | Q(listing__contact=user) | Q(listing__recipient__account=user)
    )
    to_confirm = (
        Order.objects.filter(served, status=Order.Status.SIGNED_OUT)
        .select_related("listing", "listing__recipient", "volunteer__person", "place")
        .prefetch_related("disputes")
    )
    to_confirm = order_notes.flag_mismatches(to_confirm)  # before the confirm forms are made
    to_confirm = [o for o in (_with_steps(user, o, "home") for o in to_confirm) if o.offered]
    my_listings = order_notes.with_order_states(
        Listing.objects.filter(poster=user, kind=ListingKind.NEED).exclude(
            status=Listing.Status.CANCELLED
        ),
        limit=10,
    )
    open_needs = selectors.needs_for_volunteer(user)
    mine = served | Q(volunteer=account) if account else served
    recent_done = (
        Order.objects.filter(mine, status__in=[Order.Status.APPROVED, Order.Status.REVERSED])
        .select_related("listing")
        .order_by("-approved_at", "-pk")[:5]
    )
    approvals = (
        selectors.orders_to_approve(user).count() if role_places(user, RECORD_ROLES) else None
    )
    return render(
        request,
        "timebank/home.html",
        {
            "account": account,
            "my_orders": my_orders,
            "to_confirm": to_confirm,
            "my_listings": my_listings,
            "open_needs": open_needs,
            "recent_done": recent_done,
            "approvals": approvals,
            "is_worker": approvals is not None,
            "awaiting_other": order_notes.awaiting_other_worker(user)
            if approvals is not None
            else [],
        },
    )


@login_required
def need_create(request):
    """Residents post for themselves; community workers post for a resident of their place."""
    proxy = bool(role_places(request.user, RECORD_ROLES))
    if proxy:
        accounts = selectors.accounts_visible_to(request.user).filter(
            kind=AccountKind.MEMBER, is_closed=False,
            place__in=[p for p in selectors.record_places(request.user)],
        ).select_related("place").order_by("place__name", "name")  # fmt: skip
        form = ProxyNeedForm(request.POST or None, accounts=accounts)
    else:
        form = NeedForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        if proxy:
            data["recipient"] = data["recipient"].person
        done = attempt(
            request, services.listing_create, actor=request.user, kind=ListingKind.NEED, **data,
            on_form=form, done_message=_("需求已发布，等待志愿者接单。下面是推荐的志愿者。"),
        )  # fmt: skip
        if done:
            return redirect("timebank:need", done.value.pk)
    return render(request, "timebank/need_form.html", {"form": form, "proxy": proxy})


@login_required
def offers(request):
    """A resident's offers (post, withdraw) and the open needs ranked for them."""
    account = services.member_account_of(request.user)
    form = OfferForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if attempt(
            request, services.listing_create, actor=request.user, kind=ListingKind.OFFER,
            **form.cleaned_data, on_form=form,
            done_message=_("服务已发布，系统会把合适的需求推荐给您。"),
        ):  # fmt: skip
            return redirect("timebank:offers")
    mine = Listing.objects.filter(
        poster=request.user, kind=ListingKind.OFFER, status=Listing.Status.OPEN
    ).select_related("place")
    return render(
        request,
        "timebank/offers.html",
        {
            "account": account, "form": form, "mine": mine,
            "matches": selectors.needs_for_volunteer(request.user) if account else [],
        },
    )  # fmt: skip


@login_required
def need_detail(request, pk):
    """A need and the ranked suggestions: offers and experienced volunteers nearby."""
    need = selectors.need_with_suggestions(request.user, pk)
    if need is None:
        raise Http404(_("没有找到，或您无权查看。"))
    return render(
        request,
        "timebank/need_detail.html",
        {
            "need": need,
            "suggestions": (
                selectors.suggestions_for_need(request.user, need)
                if need.status == Listing.Status.OPEN
                else []
            ),
            "can_close": need.status == Listing.Status.OPEN
            and (
                need.poster_id == request.user.pk
                or request.user.has_perm("timebank.record", need.place)
            ),
        },
    )


def _on_listing(request, pk, service, done: str) -> Listing:
    """Call `service` on a listing the user sees (404 otherwise); show its message."""
    listing = get_object_or_404(selectors.listings_visible_to(request.user), pk=pk)
    attempt(request, service, actor=request.user, listing=listing, done_message=done)
    return listing


@login_required
@require_POST
def listing_close(request, pk):
    listing = _on_listing(request, pk, services.listing_close, _("已撤下。"))
    return redirect("timebank:offers" if listing.kind == ListingKind.OFFER else "timebank:home")


@login_required
@require_POST
def listing_take(request, pk):
    _on_listing(request, pk, services.order_take, _("接单成功，请按约定时间上门并签到。"))
    back = request.POST.get("next")
    return redirect(back if back in ("timebank:offers",) else "timebank:home")


# ---------------------------------------------------------------- an order's steps


def _step_url(step: steps.Step, order: Order) -> str:
    if step.subject == "dispute":
        return reverse("timebank:resolve", args=[steps.open_dispute(order).pk])
    return reverse("timebank:order_action", args=[order.pk, step.name])


def offered_steps(user, order: Order, *, on: str = "") -> list[SimpleNamespace]:
    """The steps of the table (timebank.steps) this user may take on the order now, ready to
    render: the step, its form (None: a bare button) and where it posts. ``on``: only the steps
    also offered on that page ("home", "approvals"); the order page offers every one."""
    offered, names = [], set()
    for step in steps.available_steps(user, order):
        if on and step.also_on != on:
            continue
        inputs = {spec.name for spec in step.inputs}
        # two forms on one page that share an input name get distinct element ids
        form = step.form(order, auto_id=f"id_{step.name}_%s" if inputs & names else "id_%s")
        names |= inputs
        help_text = step.help(order) if step.help else ""
        if form is not None and step.name == "confirm" and getattr(order, "mismatch", None):
            # Signed minutes far from the agreed ones: no pre-filled number to confirm by
            # habit; the page shows both and the confirmer types what happened.
            form.initial = {**form.initial, "minutes": None}
        offered.append(SimpleNamespace(step=step, form=form, url=_step_url(step, order),
                                       help=help_text))  # fmt: skip
    return offered


def _take_step(request, step: steps.Step, order: Order) -> bool:
    """Take one step with what the page posted; show the refusal or the step's message."""
    form = step.form(order, request.POST)
    if form is not None and not form.is_valid():
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
        return False
    data = form.cleaned_data if form is not None else {}
    return attempt(
        request, step.run, actor=request.user, order=order, data=data, done_message=step.done
    ).ok


def _with_steps(user, order: Order, page: str) -> Order:
    order.offered = offered_steps(user, order, on=page)
    return order


@login_required
@require_POST
def order_action(request, pk, action):
    """Every step of an order (the table in timebank.steps) is posted here by its name."""
    order = get_object_or_404(Order, pk=pk)
    step = steps.BY_NAME.get(action)
    if step is None:
        raise Http404
    _take_step(request, step, order)
    back = request.POST.get("next") or "timebank:home"
    if back not in ("timebank:home", "timebank:approvals", "timebank:order"):
        back = "timebank:home"
    return redirect(back, order.pk) if back == "timebank:order" else redirect(back)


@login_required
def order_detail(request, pk):
    """One service: its steps, both ratings and any disputes, with what the viewer may do."""
    order = selectors.order_visible_to(request.user, pk)
    if order is None:
        raise Http404(_("没有找到，或您无权查看。"))
    if order.status in (Order.Status.SIGNED_OUT, Order.Status.CONFIRMED):
        order_notes.flag_mismatches([order])
    offered = offered_steps(request.user, order)
    return render(
        request,
        "timebank/order.html",
        {
            "order": order,
            "approvers": (
                order_notes.approvers(order, request.user)
                if order.status == Order.Status.CONFIRMED
                else []
            ),
            "disputes": list(order.disputes.select_related("raised_by", "resolved_by")),
            "buttons": [o for o in offered if not o.step.title],
            "forms": [o for o in offered if o.step.title],
        },
    )


@login_required
@require_POST
def dispute_resolve(request, pk):
    """The resolve step of the order's table, by the dispute (for the staff who decide it)."""
    dispute = get_object_or_404(selectors.disputes_to_resolve(request.user), pk=pk)
    _take_step(request, steps.BY_NAME["resolve"], dispute.order)
    return redirect("timebank:order", dispute.order_id)


@login_required
def approvals(request):
    """Confirmed services waiting for a community worker, and open disputes to decide."""
    if (
        not role_places(request.user, RECORD_ROLES | REVERSE_ROLES)
        and not request.user.is_superuser
    ):
        raise PermissionDenied(_("只有社区工作者可以审核服务。"))
    orders = (
        selectors.orders_to_approve(request.user)
        .select_related(
            "listing", "listing__recipient", "volunteer__person", "confirmed_by__person", "place"
        )
        .prefetch_related("disputes")
    )
    orders = order_notes.flag_mismatches(
        [_with_steps(request.user, order, "approvals") for order in orders]
    )
    recent = selectors.orders_decided_by(request.user).select_related("listing", "volunteer")[:10]
    disputes = selectors.disputes_to_resolve(request.user)[:50]
    return render(
        request,
        "timebank/approvals.html",
        {
            "orders": orders, "recent": recent, "disputes": disputes,
            "awaiting_other": order_notes.awaiting_other_worker(request.user),
        },
    )  # fmt: skip


@login_required
def ledger(request):
    """The district ledger and a live reconciliation, for administrators and auditors."""
    districts = selectors.ledger_districts(request.user)
    if not districts:
        raise PermissionDenied(_("只有管理员、区减负办、街道和审计员可以查看账本。"))
    checks = [(d, services.reconcile(district=d)) for d in districts]
    txs = selectors.transactions_visible_to(request.user).select_related(
        "place", "actor__person", "reversed_by"
    )
    page = Paginator(txs.order_by("-created_at", "-pk"), 50).get_page(request.GET.get("page"))
    for tx in page:
        tx.can_reverse = (
            tx.kind != "reversal"
            and not hasattr(tx, "reversed_by")
            and request.user.has_perm("timebank.reverse", tx.place)
        )
    return render(
        request, "timebank/ledger.html",
        {"checks": checks, "page": page, "form_key": uuid.uuid4().hex},
    )  # fmt: skip


@login_required
@require_POST
def transaction_reverse(request, pk):
    tx = get_object_or_404(selectors.transactions_visible_to(request.user), pk=pk)
    attempt(
        request, services.reverse, actor=request.user, original=tx,
        key=request.POST.get("key", ""), reason=request.POST.get("reason", ""),
        done_message=_("已冲正。"),
    )  # fmt: skip
    return redirect("timebank:ledger")


def _rule_display(rule) -> str:
    if rule.unit == "minutes":
        return format_minutes(rule.value)
    if rule.unit == "years":
        return _("%(n)d周岁") % {"n": rule.value}
    if rule.unit == "bool":
        return _("开") if rule.value else _("关")
    if rule.unit == "percent":
        return f"{rule.value}%"
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
            rule = services.rule_update(
                actor=request.user, district=district, code=request.POST.get("code", ""),
                value=request.POST.get("value"), source=request.POST.get("source", ""),
            )  # fmt: skip
            messages.success(
                request,
                _("已将“%(r)s”改为%(v)s，本区此后的每笔办理即按新值执行。")
                % {"r": rule.name, "v": _rule_display(rule)},
            )
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


def _counter_write(action: str, account: Account, data: dict):
    """The service of a counter form (withdraw, transfer, donate) and its arguments."""
    common = {"minutes": data["minutes"], "key": data["key"]}
    if action == "withdraw":
        return services.withdraw, {"account": account, "memo": data["memo"], **common}
    if action == "transfer":
        return services.transfer, {
            "source": account,
            "target": data["target"],
            "relation": data["relation"],
            **common,
        }
    return services.donate, {"source": account, "fund": data["fund"], **common}


@login_required
def account_detail(request, pk):
    account = selectors.accounts_visible_to(request.user).filter(pk=pk).first()
    if account is None:
        raise Http404(_("没有找到，或您无权查看。"))
    action = request.POST.get("action") if request.method == "POST" else None
    forms = ledger_forms(request.user, account)
    if action in forms:
        form = ledger_forms(request.user, account, request.POST)[action]
        forms[action] = form
        if form.is_valid():
            service, kwargs = _counter_write(action, account, form.cleaned_data)
            if attempt(
                request, service, actor=request.user, **kwargs, on_form=form,
                done_message=_("已记账。"),
            ):  # fmt: skip
                return redirect("timebank:account", pk=account.pk)
    elif action == "close":
        attempt(
            request, services.account_close, actor=request.user, account=account,
            done_message=_("账户已销户。"),
        )  # fmt: skip
        return redirect("timebank:account", pk=account.pk)
    postings = selectors.postings_visible_to(request.user, account).order_by("-pk")
    page = Paginator(postings, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "timebank/account.html",
        {
            "account": account, "page": page, "star_hours": STAR_HOURS, "forms": forms,
            "can_close": request.user.has_perm("timebank.manage_accounts", account.place)
            and not account.is_closed and account.kind != AccountKind.ISSUANCE,
        },
    )  # fmt: skip


@login_required
def account_list(request):
    """Accounts of the worker's communities; open team and fund accounts, and member accounts
    for real-name residents who have none yet."""
    user = request.user
    manage_places = selectors.manage_places(user)
    if not manage_places.exists() and not role_places(user, VIEW_ROLES):
        raise PermissionDenied(_("只有工作人员可以查看账户列表。"))
    form = OpenAccountForm(request.POST or None) if manage_places.exists() else None
    if request.method == "POST":
        with refusals_shown_on(request):
            if request.POST.get("person"):
                person = get_object_or_404(people_visible_to(user), pk=request.POST.get("person"))
                services.member_account_open(actor=user, person=person)
                messages.success(request, _("已为%(n)s开立时间账户。") % {"n": person.name})
                return redirect("timebank:accounts")
            community = get_object_or_404(manage_places, pk=request.POST.get("community"))
            if form is not None and form.is_valid():
                services.group_account_open(
                    actor=user, community=community, kind=form.cleaned_data["kind"],
                    name=form.cleaned_data["name"],
                )  # fmt: skip
                messages.success(request, _("账户已开立。"))
                return redirect("timebank:accounts")
    query = search_query(request)
    accounts = selectors.accounts_visible_to(user).select_related("place")
    if query:
        accounts = accounts.filter(name__icontains=query)
    page = Paginator(
        accounts.order_by("place__name", "kind", in_pinyin_order("name")), 50
    ).get_page(request.GET.get("page"))
    without = (
        people_visible_to(user)
        .exclude(id_number_hash="")
        .filter(place__isnull=False)
        .exclude(timebank_accounts__kind=AccountKind.MEMBER)
        .select_related("place")
        .order_by(in_pinyin_order("name"))
    )
    if query:
        without = without.filter(name__icontains=query)
    return render(
        request,
        "timebank/accounts.html",
        {
            "page": page, "form": form, "communities": manage_places, "query": query,
            "without": without[:20] if manage_places.exists() else [],
        },
    )  # fmt: skip


CERTIFICATE_ROWS = 200


@login_required
def certificate(request, pk):
    """The account's service certificate and statement as a PDF (the latest 200 lines)."""
    account = selectors.accounts_visible_to(request.user).filter(pk=pk).first()
    if account is None:
        raise Http404(_("没有找到，或您无权查看。"))
    postings = list(
        selectors.postings_visible_to(request.user, account).order_by("-pk")[: CERTIFICATE_ROWS + 1]
    )
    return pdf_response(
        request,
        "timebank/certificate.html",
        {
            "account": account, "postings": postings[:CERTIFICATE_ROWS],
            "truncated": len(postings) > CERTIFICATE_ROWS, "limit": CERTIFICATE_ROWS,
            "today": timezone.localdate(), "head_seq": account.chain_seq,
            "head_hash": account.chain_hash,
        },
        filename=f"timebank-{account.pk}.pdf",
    )  # fmt: skip


@login_required
def statistics(request):
    """Community statistics with ECharts: hours stored, service by month and category, stars."""
    if not role_places(request.user, VIEW_ROLES) and not request.user.is_superuser:
        raise PermissionDenied(_("只有工作人员可以查看统计。"))
    stats = selectors.statistics(request.user)
    labels = dict(Category.choices)
    small = {"left": 40, "right": 10, "top": 20, "bottom": 30}
    stars = [_("未达"), _("1星"), _("2星"), _("3星"), _("4星"), _("5星")]
    page_charts = {
        "months": charts.categories_chart(
            [row["month"].strftime("%Y-%m") for row in stats["by_month"]],
            [charts.series("", "bar", [round(r["total"] / 60, 1) for r in stats["by_month"]])],
            legend=None,
            grid=small,
        ),
        "categories": charts.pie_chart(
            [
                {
                    "name": str(labels.get(row["listing__category"], row["listing__category"])),
                    "value": round(row["total"] / 60, 1),
                }
                for row in stats["by_category"]
            ],
            tooltip=_("{b}：{c}小时（{d}%）"),
        ),
        "stars": charts.categories_chart(
            stars,
            [charts.series("", "bar", stats["stars"])],
            value_axes=[charts.value_axis(minInterval=1)],
            legend=None,
            grid=small,
        ),
    }
    for row in stats["by_community"]:
        row["stored_text"] = format_minutes(row["stored"] or 0)
        row["earned_text"] = format_minutes(row["earned"] or 0)
    return render(request, "timebank/statistics.html", {"stats": stats, "charts": page_charts})
