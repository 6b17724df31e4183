"""The worker pages: the roster, one worker's file (with the forms that keep it), a worker's
own page (their grade explained, phone-first) and the district's grade schemes."""

from django import forms as django_forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from core.models import PlaceLevel
from core.money import yuan
from core.refusals import attempt
from core.selectors import chosen_district, districts_of, places_visible_to
from workforce import assessment, careers, pay, services, surge, workers
from workforce import worker_forms as forms
from workforce.models import CareerRule, Education, GradeScheme, Post, SocialWorkLevel, Worker
from workforce.rules import is_the_worker

PAGE = 50


def _communities(user):
    return (
        places_visible_to(user)
        .filter(level=PlaceLevel.COMMUNITY, is_active=True)
        .select_related("parent")
        .order_by("code")
    )


@login_required
def roster(request):
    """The workers of the communities the user may see, with post, grade and status; the form
    to enrol one where the user keeps records."""
    user = request.user
    if not user.has_perm("workforce.view_workers"):
        raise PermissionDenied
    communities = list(_communities(user))
    qs = workers.workers_visible_to(user).order_by("community__code", "id")
    community = next((c for c in communities if str(c.pk) == request.GET.get("community")), None)
    if community:
        qs = qs.filter(community=community)
    manageable = [c for c in communities if user.has_perm("workforce.manage_workers", c)]
    form = None
    if manageable:
        ids = [c.pk for c in manageable]
        choices = _communities(user).filter(pk__in=ids)
        posts = _posts(user, manageable)
        form = forms.EnrolForm(communities=choices, posts=posts, initial={"community": community or manageable[0]})  # fmt: skip
        if request.method == "POST":
            form = forms.EnrolForm(request.POST, communities=choices, posts=posts)
            done = form.is_valid() and attempt(
                request, services.worker_enrol, actor=user, on_form=form,
                done_message=_("已登记社区工作者。"), **form.cleaned_data,
            )  # fmt: skip
            if done:
                return redirect("workforce:worker", done.value.pk)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    rows = workers.rows_for(page.object_list, clock.today())
    return render(
        request,
        "workforce/roster.html",
        {"page": page, "rows": rows, "communities": communities, "community": community,
         "form": form},
    )  # fmt: skip


def _posts(user, communities) -> list:
    """The posts the user may give in these communities: 正职 and 副职 only where they may give
    leadership posts (the street, the district), the others everywhere they keep records."""
    if any(user.has_perm("workforce.set_leadership", c) for c in communities):
        return list(Post.choices)
    return [(value, label) for value, label in Post.choices if value not in workers.LEADERSHIP]


class TermEndForm(django_forms.Form):
    term = django_forms.ModelChoiceField(label=gettext_lazy("任期"), queryset=None)
    ended_on = django_forms.DateField(label=gettext_lazy("离任日期"), **forms.DATE)

    def __init__(self, *args, terms=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term"].queryset = terms
        self.fields["term"].label_from_instance = lambda t: f"{t.office} {t.starts_on.isoformat()}"


def _actions(worker, user):
    """Each form of a worker's file: (form class, service, the form's extras, message)."""
    open_contracts = worker.contracts.filter(exited_on__isnull=True)
    open_terms = worker.terms.filter(ended_on__isnull=True)
    return {
        "contract": (forms.ContractForm, services.contract_add, {}, _("已新增合同。")),
        "exit": (
            forms.ExitForm,
            services.contract_exit,
            {"contracts": open_contracts},
            _("已办理离职。"),
        ),  # fmt: skip
        "term": (forms.TermForm, services.term_add, {}, _("已新增任期。")),
        "term_end": (
            TermEndForm,
            services.term_end,
            {"terms": open_terms},
            _("已登记提前离任。"),
        ),  # fmt: skip
        "leave": (forms.LeaveForm, services.leave_add, {}, _("已登记假期。")),
        "qualification": (
            forms.QualificationForm,
            services.qualification_add,
            {},
            _("已登记职业资格证书。"),
        ),  # fmt: skip
        "posting": (
            forms.PostingForm,
            services.posting_start,
            {
                "posts": _posts(user, [worker.community]),
                "fixes_grade": user.has_perm(
                    "workforce.set_grade_rules", worker.community.district
                ),
            },
            _("已登记新岗位。"),
        ),  # fmt: skip
        "pause": (forms.PauseForm, services.progression_pause_record, {}, _("已登记暂停晋级。")),
    }


LEADERSHIP_FORMS = {"exit", "term_end", "posting"}


def _allowed(user, worker) -> tuple[set[str], str]:
    """The forms the user may use on the file, and why some a keeper looks for are not
    offered: none on their own file; for a colleague holding 正职 or 副职, no change of post,
    leaving or early end of term unless they are the street or the district (the services
    refuse the same)."""
    if not user.has_perm("workforce.keep_worker", worker):
        if is_the_worker(user, worker) and user.has_perm("workforce.manage_workers", worker.community):  # fmt: skip
            return set(), _("这是您本人的档案：由街道或区里登记维护，您可以查看，不能修改。")
        return set(), ""
    allowed = {"contract", "exit", "term", "term_end", "leave", "qualification", "posting"}
    note = ""
    if not user.has_perm("workforce.set_leadership", worker.community) and (
        workers.holds_leadership(worker, clock.today())
    ):
        allowed -= LEADERSHIP_FORMS
        note = _("该社区工作者现任正职或副职：岗位变动、离职和提前离任由街道或区里办理。")
    if user.has_perm("workforce.record_pause", worker.community):
        allowed.add("pause")
    return allowed, note


@login_required
def worker(request, pk):
    """One worker's file: grade explained, posts, contracts, terms, leave, qualifications."""
    user = request.user
    record = get_object_or_404(
        Worker.objects.select_related("person", "community", "community__parent"), pk=pk
    )
    if not user.has_perm("workforce.view_worker", record):
        if user.has_perm("workforce.view_own_record"):
            raise PermissionDenied(
                _("您只能查看本人的档案；同事的档案由社区正职、副职和街道管理。")
            )
        raise PermissionDenied(_("您无权查看该社区工作者的档案。"))
    actions = _actions(record, user)
    allowed, note = _allowed(user, record)
    shown = {
        name: spec[0](**spec[2])
        for name, spec in actions.items()
        if name in allowed
        and all(choices.exists() for choices in spec[2].values() if hasattr(choices, "exists"))
    }
    chosen = request.POST.get("action")
    if request.method == "POST" and chosen in allowed:
        form_class, service, extras, message = actions[chosen]
        form = shown[chosen] = form_class(request.POST, **extras)
        if form.is_valid():
            values = dict(form.cleaned_data)
            if chosen not in ("exit", "term_end"):
                values["worker"] = record
            done = attempt(request, service, actor=user, on_form=form, done_message=message, **values)  # fmt: skip
            if done:
                return redirect("workforce:worker", record.pk)
    context = {**_file(record, shown), "note": note}
    return render(request, "workforce/worker.html", context)


def _file(record, shown) -> dict:
    row = workers.rows_for([record], clock.today())[0]
    return {
        "w": record, "row": row, "forms": shown,
        "postings": record.postings.all(), "contracts": record.contracts.all(),
        "terms": record.terms.all(), "leaves": record.leaves.all(),
        "qualifications": record.qualifications.all(), "pauses": record.pauses.all(),
    }  # fmt: skip


@login_required
def me(request):
    """A worker's own record: their grade and why, rule by rule; their posts and certificates."""
    record = workers.own_record(request.user)
    if record is None:  # an account not linked to a worker's file (the administrator, say)
        return render(request, "workforce/me.html", {"w": None})
    today = clock.today()
    scale, own_pay = pay.own_pay(record, today)
    context = _file(record, {})
    results = assessment.own_results(record)
    for r in results:
        fen = assessment.performance_pay_fen(r)
        r.pay = yuan(fen) if fen is not None else ""
    surge_hours = [
        (h, h.minutes / 60, yuan(fen) if (fen := surge.worker_subsidy_fen(h.task, h)) is not None else "")
        for h in surge.own_hours(record)
    ]  # fmt: skip
    return render(request, "workforce/me.html", {
        **context, "pay": own_pay, "scale": scale, "results": results,
        "career": careers.career_of(record, context["row"], today), "year": today.year,
        "surge_hours": surge_hours,
    })  # fmt: skip


@login_required
def schemes(request):
    """The district's grade schemes; the district adds one from a date."""
    user = request.user
    if not user.has_perm("workforce.view_staffing"):
        raise PermissionDenied
    districts = list(districts_of(user).order_by("code"))
    if not districts:
        raise PermissionDenied
    district = chosen_district(request, districts)
    can_set = user.has_perm("workforce.set_grade_rules", district)
    form = forms.GradeSchemeForm() if can_set else None
    career_form = forms.CareerRuleForm() if can_set else None
    if request.method == "POST" and can_set:
        if request.POST.get("action") == "seed":
            attempt(request, services.grade_schemes_seed, actor=user, district=district,
                    done_message=_("已载入三岗十八级。"))  # fmt: skip
            return redirect(request.get_full_path())
        if request.POST.get("action") == "career":
            career_form = forms.CareerRuleForm(request.POST)
            if career_form.is_valid() and attempt(
                request, services.career_rule_create, actor=user, district=district,
                on_form=career_form, done_message=_("已新增岗位晋升条件。"), **career_form.cleaned_data,
            ):  # fmt: skip
                return redirect(request.get_full_path())
            return _schemes_page(
                request, district, districts, forms.GradeSchemeForm(), can_set, career_form
            )
        form = forms.GradeSchemeForm(request.POST)
        if form.is_valid() and attempt(
            request, services.grade_scheme_create, actor=user, district=district, on_form=form,
            done_message=_("已新增岗位等级规则。"), **form.cleaned_data,
        ):  # fmt: skip
            return redirect(request.get_full_path())
    return _schemes_page(request, district, districts, form, can_set, career_form)


def _schemes_page(request, district, districts, form, can_set, career_form):
    found = list(GradeScheme.objects.filter(district=district))
    for scheme in found:
        scheme.shown = _scheme_rows(scheme)
    return render(
        request,
        "workforce/schemes.html",
        {"district": district, "districts": districts, "schemes": found, "form": form,
         "can_set": can_set, "career_form": career_form,
         "career_rules": CareerRule.objects.filter(district=district)},
    )  # fmt: skip


def _scheme_rows(scheme) -> dict:
    posts, education, levels = dict(Post.choices), dict(Education.choices), dict(SocialWorkLevel.choices)  # fmt: skip
    return {
        "ranges": [(posts[p], r[0], r[1]) for p, r in scheme.ranges.items() if p in posts],
        "degrees": [(education[e], n) for e, n in scheme.degree_years.items() if e in education],
        "certificates": [
            (levels[c], n) for c, n in scheme.certificate_grades.items() if c in levels
        ],
    }
