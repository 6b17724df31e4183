"""The annual assessment's page: for a year, each community the user may see with its
assessment done or not; a community's inputs (its own result, the residents' 民主评议, the
quota of 优秀) and the form that records every worker's result; the results, masked until the
viewer states a purpose (audited); the district's rule with its source."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from core.money import YuanField, yuan
from core.refusals import attempt
from core.selectors import districts_of
from workforce import assessment, services
from workforce.models import Assessment, AssessmentResult, AssessmentRule
from workforce.pay_views import PurposeForm, reveal
from workforce.worker_forms import DATE
from workforce.worker_views import _communities

R = AssessmentResult


class RecordForm(forms.Form):
    def __init__(self, *args, workers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.workers = list(workers)
        for w in self.workers:
            self.fields[f"result_{w.pk}"] = forms.ChoiceField(
                label=w.person.name, choices=[("", "—"), *R.choices], required=False
            )
            self.fields[f"review_{w.pk}"] = forms.IntegerField(
                label=_("%(name)s个人民主评议得分（可不填）") % {"name": w.person.name},
                required=False, min_value=0, max_value=100,
            )  # fmt: skip

    def values(self) -> dict:
        get = self.cleaned_data.get
        return {
            "results": {w.pk: get(f"result_{w.pk}") for w in self.workers if get(f"result_{w.pk}")},
            "reviews": {w.pk: get(f"review_{w.pk}") for w in self.workers if get(f"review_{w.pk}") is not None},
        }  # fmt: skip


class RuleForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    excellent_permille = forms.IntegerField(label=gettext_lazy("优秀比例（千分比）"), help_text=gettext_lazy("如200即20%。"))  # fmt: skip
    excellent_permille_good = forms.IntegerField(label=gettext_lazy("社区考核良好时优秀比例（千分比）"))  # fmt: skip
    good_score_tenths = forms.IntegerField(label=gettext_lazy("社区考核良好分数线（0.1分）"), help_text=gettext_lazy("如900即90分。"))  # fmt: skip
    min_review_for_excellent = forms.IntegerField(label=gettext_lazy("评为优秀所需民主评议最低分"))
    pausing = forms.MultipleChoiceField(
        label=gettext_lazy("暂停当年晋级的结果"), required=False, widget=forms.CheckboxSelectMultiple,
        choices=[(R.BASIC, R.BASIC.label), (R.INCOMPETENT, R.INCOMPETENT.label)],
    )  # fmt: skip
    pay_excellent = YuanField(
        label=gettext_lazy("优秀年度绩效工资（元）"), empty_fen=0, required=False
    )
    pay_competent = YuanField(
        label=gettext_lazy("称职年度绩效工资（元）"), empty_fen=0, required=False
    )
    pay_basic = YuanField(
        label=gettext_lazy("基本称职年度绩效工资（元）"), empty_fen=0, required=False
    )
    pay_incompetent = YuanField(label=gettext_lazy("不称职年度绩效工资（元）"), empty_fen=0, required=False)  # fmt: skip
    source = forms.CharField(label=gettext_lazy("政策依据"), max_length=300)
    effective_from = forms.DateField(label=gettext_lazy("生效日期"), **DATE)

    def values(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("pay_")}
        data["performance_pay"] = {r: self.cleaned_data.get(f"pay_{r}") or 0 for r in R.values}
        return data


def _year(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = 0
    this = clock.today().year
    return year if 2000 <= year <= this else this - 1


def _rule_rows(district):
    rules = list(AssessmentRule.objects.filter(district=district)) if district else []
    labels = dict(R.choices)
    for r in rules:
        r.pay_shown = [(labels[k], yuan(v)) for k, v in r.performance_pay.items() if k in labels]
        r.pausing_shown = "、".join(str(labels[p]) for p in r.pausing)
    return rules


def _record_inputs(user, community, done, year):
    """What the record form needs, when this community's year may be recorded by the user."""
    if (
        community is None
        or community.pk in done
        or not user.has_perm("workforce.assess", community)
    ):
        return None, None
    inputs = assessment.inputs_for(community, year)
    return inputs, RecordForm(workers=inputs.workers)


def _rules_post(request, district, action):
    """(a redirect when done, the rule form as posted)."""
    user = request.user
    if action == "seed":
        attempt(request, services.assessment_rules_seed, actor=user, district=district,
                done_message=_("已载入示例年度考核规则。"))  # fmt: skip
        return redirect(request.get_full_path()), None
    rule_form = RuleForm(request.POST)
    if rule_form.is_valid() and attempt(
        request, services.assessment_rule_create, actor=user, district=district,
        on_form=rule_form, done_message=_("已新增年度考核规则。"), **rule_form.values(),
    ):  # fmt: skip
        return redirect(request.get_full_path()), rule_form
    return None, rule_form


def _results(user, assessed):
    if assessed is None:
        return []
    results = list(assessment.results_visible_to(user).filter(assessment=assessed))
    for r in results:
        fen = assessment.performance_pay_fen(r)
        r.pay = yuan(fen) if fen is not None else "—"
    return results


@login_required
def assessments(request):
    user = request.user
    if not user.has_perm("workforce.view_assessments"):
        raise PermissionDenied
    year = _year(request)
    communities = list(_communities(user))
    community = next((c for c in communities if str(c.pk) == request.GET.get("community")), None)
    districts = list(districts_of(user).order_by("code"))
    district = districts[0] if districts else None
    can_rule = bool(district) and user.has_perm("workforce.set_grade_rules", district)
    rule_form, purpose_form, shown = (RuleForm() if can_rule else None), PurposeForm(), False
    done = {a.community_id: a for a in Assessment.objects.filter(
        community__in=communities, year=year).annotate(n=Count("results"))}  # fmt: skip
    inputs, record_form = _record_inputs(user, community, done, year)
    action = request.POST.get("action") if request.method == "POST" else None
    if action == "record" and record_form is not None:
        record_form = RecordForm(request.POST, workers=inputs.workers)
        if record_form.is_valid() and attempt(
            request, services.assessment_record, actor=user, community=community, year=year,
            on_form=record_form, done_message=_("已评定年度考核结果。"), **record_form.values(),
        ):  # fmt: skip
            return redirect(f"{request.path}?year={year}&community={community.pk}")
    if action in ("rule", "seed") and can_rule:
        done_redirect, posted = _rules_post(request, district, action)
        if done_redirect is not None:
            return done_redirect
        rule_form = posted
    if action == "reveal" and district:
        shown, purpose_form = reveal(request, district, "assessment_view")
    assessed = done.get(community.pk) if community else None
    return render(request, "workforce/assessments.html", {
        "year": year, "years": list(range(clock.today().year, clock.today().year - 6, -1)),
        "communities": [(c, done.get(c.pk)) for c in communities], "community": community,
        "inputs": inputs, "record_form": record_form, "results": _results(user, assessed),
        "shown": shown, "purpose_form": purpose_form, "rules": _rule_rows(district),
        "rule_form": rule_form, "assessed": assessed,
    })  # fmt: skip
