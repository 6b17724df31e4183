"""The oversight pages: the chain (officers), a case (officers and the person concerned), my
own records, the assessment (schemes and results) and one community's result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.models import Place, PlaceLevel, Role
from core.refusals import attempt, refusals_shown_on
from core.rules import assignments_of
from core.selectors import districts_of
from oversight import forms, indicators, selectors, services, steps
from oversight.models import Scheme


def _officer_district(user) -> Place:
    if user.is_superuser:
        district = Place.objects.filter(level=PlaceLevel.DISTRICT).order_by("code").first()
    else:
        district = next(
            (a.place for a in assignments_of(user) if a.role == Role.OVERSIGHT_OFFICER), None
        )
    if district is None:
        raise PermissionDenied
    return district


@login_required
def chain(request):
    """Reminders and cases of the officer's district; issue a reminder, open a case."""
    user = request.user
    district = _officer_district(user)
    reminder_form = forms.ReminderForm(district=district)
    case_form = forms.CaseForm(district=district)
    rule_form = forms.SanctionRuleForm()
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "seed":
            with refusals_shown_on(request):
                n = services.sanction_rules_seed(actor=user, district=district)
                messages.success(request, _("已载入%(n)d条问责规则。") % {"n": n})
            return redirect("oversight:chain")
        if action == "rule":
            rule_form = forms.SanctionRuleForm(request.POST)
            if rule_form.is_valid() and attempt(
                request, services.sanction_rule_create, on_form=rule_form, actor=user,
                district=district, done_message=_("问责规则已新增。"), **rule_form.cleaned_data,
            ):  # fmt: skip
                return redirect("oversight:chain")
        if action == "reminder":
            reminder_form = forms.ReminderForm(request.POST, district=district)
            if reminder_form.is_valid() and attempt(
                request, services.reminder_issue, on_form=reminder_form, actor=user,
                district=district, done_message=_("提醒已登记，并已通知本人。"),
                **reminder_form.cleaned_data,
            ):  # fmt: skip
                return redirect("oversight:chain")
        if action == "case":
            case_form = forms.CaseForm(request.POST, district=district)
            if case_form.is_valid():
                done = attempt(request, services.case_open, on_form=case_form, actor=user,
                               district=district, done_message=_("问责决定已登记，并已通知本人。"),
                               **case_form.cleaned_data)  # fmt: skip
                if done:
                    return redirect("oversight:case", pk=done.value.pk)
    return render(request, "oversight/chain.html", {
        "district": district,
        "rules": selectors.sanction_rules(district),
        "reminders": selectors.reminders_visible_to(user).filter(district=district)[:50],
        "cases": selectors.cases_visible_to(user).filter(district=district)[:100],
        "reminder_form": reminder_form, "rule_form": rule_form, "case_form": case_form,
    })  # fmt: skip


@login_required
def case_detail(request, pk):
    """One case: its decision, 容错, rectification and 销号, with the steps the user may take
    (the person concerned and the officers); an officer's view is audited."""
    user = request.user
    case = get_object_or_404(
        selectors.cases_visible_to(user).select_related("reminder", "rule"), pk=pk
    )
    available = steps.available_steps(user, case)
    posted = None
    if request.method == "POST":
        step = steps.BY_NAME.get(request.POST.get("action", ""))
        if step is None:
            messages.error(request, _("未知的操作。"))
        else:
            form = forms.step_form(step, request.POST)
            shown = step in available
            if (form.is_valid() or not shown) and attempt(
                request, step.run, on_form=form if shown else None, done_message=step.done,
                actor=user, case=case, data=forms.step_data(step, form),
            ):  # fmt: skip
                return redirect("oversight:case", pk=case.pk)
            posted = (step, form)
    else:
        services.case_viewed(actor=user, case=case)
    return render(request, "oversight/case.html", {
        "case": case,
        "events": selectors.events_of(case),
        "mine": case.person.account_id == user.pk,
        "grounds": [steps.DISTINCTION_LABELS[g] for g in case.tolerance_grounds],
        "reasons": [(steps.DISTINCTION_LABELS[k], v) for k, v in case.tolerance_reasons.items()],
        "steps": [{"step": s, "form": posted[1] if posted and posted[0] is s else forms.step_form(s)}
                  for s in available],
    })  # fmt: skip


@login_required
def mine(request):
    """The reminders and cases about me, each step visible; a reminder's written reply."""
    user = request.user
    reminders = selectors.own_reminders(user)
    if request.method == "POST":
        reminder = get_object_or_404(reminders, pk=request.POST.get("reminder"))
        form = forms.ReplyForm(request.POST)
        if form.is_valid() and attempt(
            request, services.reminder_reply, actor=user, reminder=reminder,
            reply=form.cleaned_data["reply"], done_message=_("说明已提交。"),
        ):  # fmt: skip
            return redirect("oversight:mine")
    return render(request, "oversight/mine.html", {
        "reminders": reminders, "cases": selectors.own_cases(user), "reply_form": forms.ReplyForm(),
    })  # fmt: skip


def _assessment_district(user, wanted) -> Place:
    districts = list(districts_of(user).order_by("code"))
    if not districts or not user.has_perm("oversight.use"):
        raise PermissionDenied
    return next((d for d in districts if str(d.pk) == wanted), districts[0])


def _scheme_post(request, district):
    user, action = request.user, request.POST.get("action")
    if action == "draft":
        form = forms.SchemeForm(request.POST)
        if form.is_valid() and attempt(
            request, services.scheme_draft, on_form=form, actor=user, district=district,
            year=form.cleaned_data["year"], name=form.cleaned_data["name"],
            source=form.cleaned_data["source"], weights=form.weights(),
            done_message=_("考核方案草案已保存，待区减负办批准。"),
        ):  # fmt: skip
            return None
        return form
    scheme = get_object_or_404(selectors.schemes_of(district), pk=request.POST.get("scheme"))
    if action == "approve":
        attempt(request, services.scheme_approve, actor=user, scheme=scheme,
                done_message=_("考核方案已批准。"))  # fmt: skip
    elif action == "compute":
        attempt(request, services.results_compute, actor=user, scheme=scheme,
                done_message=_("考核结果已计算，并已通知各社区。"))  # fmt: skip
    return None


@login_required
def assessment(request):
    """The district's schemes (drafted by the oversight officers, approved by the coordinators)
    and the results of the chosen one, for the communities the user may see."""
    user = request.user
    district = _assessment_district(user, request.GET.get("district"))
    can_draft = user.has_perm("oversight.run_chain", district)
    form = None
    if request.method == "POST":
        form = _scheme_post(request, district)
        if form is None:
            return redirect(request.get_full_path())
    schemes = list(selectors.schemes_of(district).select_related("drafted_by", "approved_by"))
    chosen = next((s for s in schemes if str(s.pk) == request.GET.get("scheme")), None) or next(
        (s for s in schemes if s.state == Scheme.State.COMPUTED), None
    )
    initial = {f"w_{k}": v for k, v in forms.indicators_defaults().items()}
    return render(request, "oversight/assessment.html", {
        "district": district, "districts": districts_of(user).order_by("code"),
        "schemes": [(s, user.has_perm("oversight.approve_scheme", s)) for s in schemes],
        "chosen": chosen, "can_draft": can_draft,
        "results": selectors.results_visible_to(user, chosen) if chosen else [],
        "form": form or forms.SchemeForm(initial=initial),
        "weights": [(i.label, chosen.weights.get(i.key)) for i in indicators.INDICATORS
                    if chosen and chosen.weights.get(i.key)],
    })  # fmt: skip


@login_required
def result_detail(request, pk):
    """One community's result: each indicator with its formula, value, score, weight and
    explanation; its objection and the district's answer."""
    user = request.user
    result = get_object_or_404(selectors.results_visible_to(user), pk=pk)
    objection_form, answer_form = forms.ObjectionForm(), forms.AnswerForm()
    if request.method == "POST":
        if request.POST.get("action") == "object":
            objection_form = forms.ObjectionForm(request.POST)
            if objection_form.is_valid() and attempt(
                request, services.objection_file, on_form=objection_form, actor=user,
                result=result, done_message=_("异议已提交，等待区里答复。"),
                **objection_form.cleaned_data,
            ):  # fmt: skip
                return redirect("oversight:result", pk=result.pk)
        elif request.POST.get("action") == "answer":
            answer_form = forms.AnswerForm(request.POST)
            if answer_form.is_valid() and attempt(
                request, services.objection_answer, on_form=answer_form, actor=user,
                result=result, done_message=_("已答复异议。"), **answer_form.cleaned_data,
            ):  # fmt: skip
                return redirect("oversight:result", pk=result.pk)
        else:
            raise Http404
    rows = [
        {**row, "indicator": indicators.BY_KEY[row["key"]],
         "explanation": indicators.explained(row["explanation"])}
        for row in result.indicators
    ]  # fmt: skip
    return render(request, "oversight/result.html", {
        "result": result, "rows": rows,
        "can_object": not result.objected_at and user.has_perm("oversight.object", result),
        "can_answer": bool(result.objected_at) and not result.answered_at
        and user.has_perm("oversight.run_chain", result.district),
        "objection_form": objection_form, "answer_form": answer_form,
    })  # fmt: skip
