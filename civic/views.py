"""civic's pages. Each page posts an ``action``; ``_handle`` binds that action's form, calls its
service through core.refusals and redirects on success (the refusal shown on the form)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from civic import forms, policies, selectors, services
from civic.models import Fund, Grant, GrantCall, Milestone, SocialOrganisation
from core.models import PlaceLevel
from core.refusals import attempt
from core.selectors import places_visible_to


def _handle(request, actions: dict):
    """``actions``: name → (form class, form kwargs, call(cleaned) -> (service, kwargs, done)).
    Returns (response or None, {name: form}) with the posted form bound."""
    made = {name: cls(**kw) for name, (cls, kw, _call) in actions.items()}
    name = request.POST.get("action") if request.method == "POST" else None
    if name not in actions:
        return None, made
    cls, kw, call = actions[name]
    form = made[name] = cls(request.POST, **kw)
    if form.is_valid():
        service, kwargs, done = call(form.cleaned_data)
        if attempt(request, service, actor=request.user, on_form=form, done_message=done,
                   **kwargs):  # fmt: skip
            return redirect(request.get_full_path()), made
    return None, made


def _viewable(user):
    if not user.has_perm("civic.view"):
        raise PermissionDenied


@login_required
def orgs(request):
    """The organisations the user may see; the street office files new ones and sets up bases."""
    user = request.user
    _viewable(user)
    places = places_visible_to(user).filter(is_active=True)
    filing_places = [c for c in places.filter(level=PlaceLevel.COMMUNITY)
                     if user.has_perm("civic.file_org", c)]  # fmt: skip
    base_streets = [s for s in places.filter(level=PlaceLevel.STREET)
                    if user.is_superuser or policies.runs_bases_in(user, s)]  # fmt: skip
    actions = {}
    if filing_places:
        communities = places.filter(pk__in=[c.pk for c in filing_places])
        actions["file"] = (
            forms.OrgFileForm,
            {"communities": communities},
            lambda d: (services.org_file, d, _("已备案“%(name)s”。") % {"name": d["name"]}),
        )
    if base_streets:
        streets = places.filter(pk__in=[s.pk for s in base_streets])
        actions["base"] = (
            forms.BaseForm,
            {"streets": streets},
            lambda d: (
                services.base_create,
                d,
                _("已设立孵化基地“%(name)s”。") % {"name": d["name"]},
            ),
        )
    done, made = _handle(request, actions)
    if done:
        return done
    return render(request, "civic/orgs.html", {
        "orgs": selectors.orgs_visible_to(user), "bases": selectors.bases_visible_to(user),
        "file_form": made.get("file"), "base_form": made.get("base"),
        "mine": selectors.orgs_acted_for(user),
    })  # fmt: skip


@login_required
def org_detail(request, pk):
    user = request.user
    org = get_object_or_404(selectors.orgs_visible_to(user), pk=pk)
    manages = user.has_perm("civic.manage_org", org)
    acts = user.has_perm("civic.act_for_org", org)
    bases = selectors.bases_visible_to(user).filter(street=org.street)
    stay = org.incubations.filter(ended_on__isnull=True).select_related("base").first()
    actions = {}
    if manages:
        actions["member"] = (
            forms.MemberForm,
            {},
            lambda d: (services.org_member_add, {"organisation": org, **d}, _("已添加成员。")),
        )
        actions["revoke"] = (
            forms.RevokeForm,
            {},
            lambda d: (services.org_revoke, {"organisation": org, **d}, _("已注销备案。")),
        )
    runs_base = any(user.has_perm("civic.run_base", b) for b in bases)
    if runs_base and stay is None:
        actions["incubate"] = (
            forms.IncubationForm,
            {"bases": bases},
            lambda d: (
                services.incubation_start,
                {"organisation": org, **d},
                _("已入驻孵化基地。"),
            ),
        )
    if stay is not None and user.has_perm("civic.run_base", stay.base):
        actions["stage"] = (
            forms.StageForm,
            {},
            lambda d: (services.incubation_stage, {"incubation": stay, **d}, _("已更新孵化阶段。")),
        )
    if acts:
        actions["report"] = (
            forms.ReportForm,
            {},
            lambda d: (services.report_submit, {"organisation": org, **d}, _("年度报告已提交。")),
        )
    done, made = _handle(request, actions)
    if done:
        return done
    applications = selectors.applications_visible_to(user).filter(organisation=org)
    return render(request, "civic/org_detail.html", {
        "org": org, "manages": manages, "acts": acts, "stay": stay, "forms": made,
        "members": org.members.select_related("user"),
        "stays": org.incubations.select_related("base"), "reports": org.reports.all(),
        "applications": applications.select_related("call", "grant"),
    })  # fmt: skip


@login_required
def calls(request):
    user = request.user
    _viewable(user)
    places = places_visible_to(user).filter(
        is_active=True, level__in=[PlaceLevel.DISTRICT, PlaceLevel.STREET]
    )
    fund_places = [p for p in places if user.has_perm("civic.run_fund", Fund(
        district=p.district or p, street=p if p.level == PlaceLevel.STREET else None))]  # fmt: skip
    funds = [f for f in Fund.objects.filter(policies.funds_run_q(user)).distinct()
             if user.has_perm("civic.run_fund", f)] if not user.is_superuser else list(Fund.objects.all())  # fmt: skip
    actions = {}
    if fund_places:
        actions["fund"] = (forms.FundForm, {"places": places.filter(pk__in=[p.pk for p in fund_places])},
                           lambda d: (services.fund_create, d, _("已设立基金。")))  # fmt: skip
    fund = next((f for f in funds if str(f.pk) == request.POST.get("fund")), None)
    if fund is not None:
        actions["deposit"] = (
            forms.DepositForm,
            {},
            lambda d: (services.fund_deposit, {"fund": fund, **d}, _("已注资。")),
        )
        actions["pay"] = (
            forms.PayForm,
            {},
            lambda d: (services.fund_pay, {"fund": fund, **d}, _("已记录支出。")),
        )
        actions["call"] = (
            forms.CallForm,
            {},
            lambda d: (services.call_open, {"fund": fund, **d}, _("已发布公益创投。")),
        )
    done, made = _handle(request, actions)
    if done:
        return done
    for f in funds:
        f.balance_fen = services.balance(f)
    return render(request, "civic/calls.html", {
        "calls": selectors.calls_visible_to(user), "funds": funds, "forms": made,
        "fund_form": made.get("fund"), "posted_fund": fund,
        "blank": {"deposit": forms.DepositForm(), "pay": forms.PayForm(), "call": forms.CallForm()},
    })  # fmt: skip


@login_required
def call_detail(request, pk):
    user = request.user
    call = get_object_or_404(selectors.calls_visible_to(user), pk=pk)
    runs = user.has_perm("civic.run_fund", call.fund)
    seat = policies.active_seat(user, call)
    mine = (
        selectors.orgs_acted_for(user)
        .filter(community__path__startswith=call.place.path)
        .exclude(applications__call=call)
    )
    applications = list(selectors.applications_of_call(user, call))
    actions = {}
    if call.status == GrantCall.Status.OPEN and mine.exists():
        actions["apply"] = (
            forms.ApplicationForm,
            {"organisations": mine},
            lambda d: (services.application_submit, {"call": call, **d}, _("已提交申报。")),
        )
    if runs:
        actions["seat"] = (
            forms.SeatForm,
            {},
            lambda d: (services.seat_add, {"call": call, **d}, _("已加入评审组。")),
        )
    if seat is not None:
        organisations = SocialOrganisation.objects.filter(
            pk__in=call.applications.values("organisation")
        ).exclude(pk__in=seat.conflicts.values("organisation"))
        if organisations.exists():
            actions["conflict"] = (
                forms.ConflictForm,
                {"organisations": organisations},
                lambda d: (services.conflict_declare, {"call": call, **d}, _("已申报利益冲突。")),
            )
    done, made = _handle(request, actions)
    if done:
        return done
    response = _call_steps(request, call, runs, seat)
    if response:
        return response
    scored = set(seat.scores.values_list("application", flat=True)) if seat else set()
    conflicts = set(seat.conflicts.values_list("organisation", flat=True)) if seat else set()
    for a in applications:
        a.conflicted = list(services.conflicted_seats(a))
        a.can_score = (seat is not None and call.status == GrantCall.Status.REVIEW
                       and a.pk not in scored and a.organisation_id not in conflicts)  # fmt: skip
    awarded = Grant.objects.filter(application__call=call).aggregate(t=Sum("amount_fen"))["t"] or 0
    return render(request, "civic/call_detail.html", {
        "call": call, "runs": runs, "seat": seat, "forms": made, "applications": applications,
        "seats": call.seats.select_related("user__person").prefetch_related("conflicts__organisation"),
        "awarded": awarded, "score_form": forms.ScoreForm(), "award_form": forms.AwardForm(),
    })  # fmt: skip


def _call_steps(request, call, runs, seat):
    """The call's buttons that take an application or a seat by id: review, close, score,
    award, withdraw."""
    if request.method != "POST":
        return None
    action, user = request.POST.get("action"), request.user
    target = request.POST.get("target", "")
    application = call.applications.filter(pk=target).first() if target.isdigit() else None
    if action == "review" and runs:
        attempt(
            request, services.call_review, actor=user, call=call, done_message=_("评审已开始。")
        )
    elif action == "close" and runs:
        attempt(request, services.call_close, actor=user, call=call, done_message=_("评审已结束。"))
    elif action == "withdraw":
        chosen = call.seats.filter(pk=target).first() if target.isdigit() else None
        if chosen is None or not (runs or chosen.user_id == user.pk):
            raise PermissionDenied
        attempt(request, services.seat_withdraw, actor=user, seat=chosen,
                     done_message=_("已退出评审组，其评分不再计入。"))  # fmt: skip
    elif action in ("score", "award") and application is not None:
        form = (forms.ScoreForm if action == "score" else forms.AwardForm)(request.POST)
        if not form.is_valid():
            return _refuse_form(request, form)
        service = services.score_give if action == "score" else services.grant_award
        done = _("已评分。") if action == "score" else _("已立项资助。")
        attempt(request, service, actor=user, application=application,
                done_message=done, **form.cleaned_data)  # fmt: skip
    else:
        return None
    return redirect(request.get_full_path())


def _refuse_form(request, form):
    from django.contrib import messages

    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect(request.get_full_path())


@login_required
def grant_detail(request, pk):
    user = request.user
    grant = get_object_or_404(
        Grant.objects.select_related("application__call__fund", "application__organisation"),
        pk=pk, application__in=selectors.applications_visible_to(user),
    )  # fmt: skip
    fund = grant.application.call.fund
    runs = user.has_perm("civic.run_fund", fund)
    acts = user.has_perm("civic.act_for_org", grant.application.organisation)
    actions = {}
    if runs:
        actions["milestone"] = (
            forms.MilestoneForm,
            {},
            lambda d: (services.milestone_add, {"grant": grant, **d}, _("已设定节点。")),
        )
    target = request.POST.get("target", "")
    milestone = grant.milestones.filter(pk=target).first() if target.isdigit() else None
    if milestone is not None and acts:
        actions["report"] = (
            forms.MilestoneReportForm,
            {},
            lambda d: (services.milestone_report, {"milestone": milestone, **d}, _("已报告进展。")),
        )
    done, made = _handle(request, actions)
    if done:
        return done
    if request.method == "POST" and request.POST.get("action") == "accept" and runs and milestone:
        attempt(request, services.milestone_accept, actor=user, milestone=milestone,
                done_message=_("已验收并从基金拨付。"))  # fmt: skip
        return redirect(request.get_full_path())
    milestones = grant.milestones.all()
    paid = sum(m.amount_fen for m in milestones if m.status == Milestone.Status.ACCEPTED)
    return render(request, "civic/grant_detail.html", {
        "grant": grant, "runs": runs, "acts": acts, "milestones": milestones, "paid": paid,
        "forms": made, "report_form": made.get("report") or forms.MilestoneReportForm(),
    })  # fmt: skip
