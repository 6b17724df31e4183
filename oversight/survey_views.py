"""The residents' survey pages: the senders' list (send a survey, the scoring rule, the counts),
one survey's counts, and a resident's answer on their phone. Counts only: no page shows who
answered or what one resident answered."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core import clock
from core.models import Place, PlaceLevel, Role
from core.refusals import attempt
from core.rules import assignments_of
from oversight import forms, selectors, services, surveys
from oversight.models import Grade, Survey, SurveyRule


def _district(user) -> Place | None:
    if user.is_superuser:
        return Place.objects.filter(level=PlaceLevel.DISTRICT).order_by("code").first()
    return next((a.place for a in assignments_of(user) if a.role == Role.OVERSIGHT_OFFICER), None)


def _post(request, communities, district):
    """None when done (redirect), else the bound form to show again."""
    user = request.user
    if request.POST.get("action") == "rule" and district is not None:
        form = forms.SurveyRuleForm(request.POST)
        if form.is_valid() and attempt(
            request, services.survey_rule_create, on_form=form, actor=user, district=district,
            done_message=_("计分规则已新增。"), **form.cleaned_data,
        ):  # fmt: skip
            return None
        return form
    form = forms.SurveySendForm(request.POST, communities=communities)
    if form.is_valid() and attempt(
        request, services.survey_send, on_form=form, actor=user,
        done_message=_("问卷已发给本社区居民。"), **form.cleaned_data,
    ):  # fmt: skip
        return None
    return form


@login_required
def survey_list(request):
    """The surveys of the communities the user may see, with counts and scores; a sender's form;
    the district's scoring rules (officers add a new one)."""
    user = request.user
    if not user.has_perm("oversight.use"):
        raise PermissionDenied
    communities = selectors.survey_communities(user)
    officer_district = _district(user)
    bound = None
    if request.method == "POST":
        bound = _post(request, communities, officer_district)
        if bound is None:
            return redirect("oversight:surveys")
    rows = list(selectors.surveys_visible_to(user).order_by("-year", "community__code")[:200])
    counts = surveys.answer_counts([s.pk for s in rows])
    today = clock.today()
    can_send = communities.exists()
    return render(request, "oversight/surveys.html", {
        "rows": [(s, counts.get(s.pk, 0), s.closes_on >= today) for s in rows],
        "can_send": can_send,
        "send_form": bound if isinstance(bound, forms.SurveySendForm) else forms.SurveySendForm(
            communities=communities, initial={"year": today.year}),
        "rule_form": bound if isinstance(bound, forms.SurveyRuleForm) else forms.SurveyRuleForm(),
        "officer_district": officer_district,
        "rules": SurveyRule.objects.filter(district=officer_district) if officer_district else [],
        "formula": surveys.FORMULA,
    })  # fmt: skip


@login_required
def survey_detail(request, pk):
    """One survey's counts per question and grade, its score and the rule that made it."""
    survey = get_object_or_404(selectors.surveys_visible_to(request.user), pk=pk)
    result = surveys.tally(survey)
    questions = [
        {"text": _(q), "counts": [(label, counts.get(value, 0)) for value, label in Grade.choices]}
        for q, counts in zip(survey.questions, result.questions, strict=True)
    ]
    return render(request, "oversight/survey.html", {
        "survey": survey, "tally": result, "questions": questions, "formula": surveys.FORMULA,
    })  # fmt: skip


@login_required
def survey_answer(request, pk):
    """A resident answers their community's survey once, on their phone."""
    user = request.user
    survey = get_object_or_404(Survey.objects.select_related("community"), pk=pk)
    if not user.has_perm("oversight.answer_survey", survey):
        raise PermissionDenied
    answered = survey.answers.filter(respondent=user).exists()
    form = forms.survey_answer_form(survey)
    if request.method == "POST" and not answered:
        form = forms.survey_answer_form(survey, request.POST)
        if form.is_valid() and attempt(
            request, services.survey_answer, on_form=form, actor=user, survey=survey,
            grades=[form.cleaned_data[f"q{i}"] for i in range(len(survey.questions))],
            done_message=_("谢谢您的评议。答卷匿名统计。"),
        ):  # fmt: skip
            return redirect("oversight:survey_answer", pk=survey.pk)
    return render(request, "oversight/survey_answer.html", {
        "survey": survey, "form": form, "answered": answered,
        "closed": clock.today() > survey.closes_on,
    })  # fmt: skip
