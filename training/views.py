"""The training pages of the district and streets: hours against the requirement, plans and
courses (/training/), the rules, content areas and needs surveys (/training/rules/), one course
with its enrolment and attendance (/training/courses/<pk>/)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core import clock
from core.models import PlaceLevel
from core.refusals import attempt
from core.selectors import districts_of, places_visible_to
from training import forms, selectors, services
from training.models import Attendance, ContentArea, Plan, Survey, TrainingRule

PAGE = 50


def _district(request):
    user = request.user
    if not user.has_perm("training.view"):
        raise PermissionDenied
    districts = list(districts_of(user).order_by("code"))
    if not districts:
        raise PermissionDenied
    chosen = request.GET.get("district")
    return next((d for d in districts if str(d.pk) == chosen), districts[0]), districts


def _year(request) -> int:
    this = clock.today().year
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 2000 <= int(value) <= this + 1 else this


def _plan_places(user, district):
    places = places_visible_to(user).filter(district=district, level=PlaceLevel.STREET) | (
        places_visible_to(user).filter(pk=district.pk)
    )
    return [p for p in places.order_by("path") if user.has_perm("training.keep_plans", p)]


@login_required
def index(request):
    """Each visible worker's hours this year against what they owe (furthest behind first), the
    year's plans and courses, and the forms to add plans and courses where the user keeps them."""
    user = request.user
    district, districts = _district(request)
    year = _year(request)
    plan_places = _plan_places(user, district)
    keeps = [p.pk for p in plan_places]
    plans = Plan.objects.filter(district=district, year=year).select_related("street")
    plans = [p for p in plans if p.place.pk in keeps]
    areas = ContentArea.objects.filter(district=district)
    forms_ = {
        "plan_form": forms.PlanForm(places=_places_qs(plan_places), initial={"year": year}),
        "course_form": forms.CourseForm(plans=_plans_qs(plans), areas=areas),
    }
    if request.method == "POST" and plan_places:
        which = request.POST.get("action")
        if which == "plan":
            form = forms_["plan_form"] = forms.PlanForm(request.POST, places=_places_qs(plan_places))  # fmt: skip
            done = form.is_valid() and attempt(request, services.plan_create, actor=user, on_form=form,
                                               done_message=_("已新增培训计划。"), **form.cleaned_data)  # fmt: skip
        else:
            form = forms_["course_form"] = forms.CourseForm(request.POST, plans=_plans_qs(plans), areas=areas)  # fmt: skip
            done = form.is_valid() and attempt(request, services.course_create, actor=user, on_form=form,
                                               done_message=_("已开设课程。"), **form.cleaned_data)  # fmt: skip
            if done:
                return redirect("training:course", done.value.pk)
        if done:
            return redirect(request.get_full_path())
    workers = selectors.workers_visible_to(user).filter(district=district).order_by("community__code", "id")  # fmt: skip
    requirement, rows = selectors.hours_rows(workers, year, district)
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    courses = (
        selectors.courses_visible_to(user).filter(district=district, held_on__year=year)
        .annotate(enrolled=Count("enrolments"))
    )  # fmt: skip
    return render(request, "training/index.html", {
        "district": district, "districts": districts, "year": year, "requirement": requirement,
        "page": page, "behind": sum(1 for r in rows if not r.met), "total": len(rows),
        "courses": courses, "can_plan": bool(plan_places), "has_plans": bool(plans),
        "can_set": user.has_perm("training.set_rules", district), **forms_,
    })  # fmt: skip


def _places_qs(places):
    from core.models import Place

    return Place.objects.filter(pk__in=[p.pk for p in places]).order_by("path")


def _plans_qs(plans):
    return Plan.objects.filter(pk__in=[p.pk for p in plans]).select_related("street")


@login_required
def rules_page(request):
    """The requirement rules (with source and start), the content areas and the needs surveys
    with what workers asked for; the district's managers add rows here."""
    user = request.user
    district, districts = _district(request)
    can_set = user.has_perm("training.set_rules", district)
    actions = {
        "rule": (forms.RuleForm, services.rule_create, _("已新增培训学时规则。")),
        "area": (forms.AreaForm, services.area_create, _("已新增内容领域。")),
        "survey": (forms.SurveyForm, services.survey_create, _("已发起培训需求调查。")),
    }
    bound = {}
    if request.method == "POST" and can_set:
        which = request.POST.get("action")
        if which == "seed":
            if attempt(request, services.defaults_seed, actor=user, district=district,
                       done_message=_("已载入默认培训规则与内容领域。")):  # fmt: skip
                return redirect(request.get_full_path())
        elif which in actions:
            form_class, service, message = actions[which]
            form = bound[which] = form_class(request.POST)
            if form.is_valid() and attempt(request, service, actor=user, district=district,
                                           on_form=form, done_message=message, **form.cleaned_data):  # fmt: skip
                return redirect(request.get_full_path())
    surveys = list(Survey.objects.filter(district=district).annotate(answered=Count("answers"))[:5])
    return render(request, "training/rules.html", {
        "district": district, "districts": districts, "can_set": can_set,
        "rules": TrainingRule.objects.filter(district=district),
        "areas": ContentArea.objects.filter(district=district),
        "surveys": [(s, selectors.needs_tally(s)) for s in surveys],
        "rule_form": bound.get("rule") or forms.RuleForm(),
        "area_form": bound.get("area") or forms.AreaForm(),
        "survey_form": bound.get("survey") or forms.SurveyForm(initial={"year": clock.today().year}),
    })  # fmt: skip


@login_required
def course(request, pk):
    """One course: who is enrolled, their attendance and certificates; enrolment, attendance
    and certificates by those who keep the workers."""
    user = request.user
    if not user.has_perm("training.view"):
        raise PermissionDenied
    found = get_object_or_404(selectors.courses_visible_to(user), pk=pk)
    workers = selectors.workers_visible_to(user).filter(district=found.district_id)
    place = found.place
    keepable = [w.pk for w in workers.filter(community__path__startswith=place.path)
                if user.has_perm("training.keep_worker", w)]  # fmt: skip
    candidates = workers.filter(pk__in=keepable).order_by("community__code", "id")
    enrol_form = forms.EnrolForm(workers=candidates)
    attend_form = forms.AttendanceForm(workers=candidates, initial={"passed": True})
    if request.method == "POST" and keepable:
        done = _course_post(request, found, candidates)
        if done is True:
            return redirect("training:course", found.pk)
        enrol_form, attend_form = done.get("enrol", enrol_form), done.get("attend", attend_form)
    enrolments = found.enrolments.select_related(
        "worker__person", "worker__community", "attendance", "attendance__certificate"
    ).order_by("community__code", "id")
    return render(request, "training/course.html", {
        "course": found, "enrolments": enrolments, "can_keep": bool(keepable),
        "enrol_form": enrol_form, "attend_form": attend_form,
    })  # fmt: skip


def _course_post(request, found, candidates):
    user, which = request.user, request.POST.get("action")
    if which == "certificate":
        chosen = request.POST.get("attendance", "")
        attendance = (
            Attendance.objects.filter(
                pk=int(chosen) if chosen.isdigit() else 0, enrolment__course=found
            )
            .select_related("worker__person", "worker__community")
            .first()
        )
        if attendance is None:
            raise Http404
        done = attempt(request, services.certificate_issue, actor=user, attendance=attendance,
                       done_message=_("已出具培训证书。"))  # fmt: skip
        return True if done else {}
    if which == "enrol":
        form = forms.EnrolForm(request.POST, workers=candidates)
        done = form.is_valid() and attempt(request, services.enrol, actor=user, course=found,
                                           on_form=form, done_message=_("已报名。"), **form.cleaned_data)  # fmt: skip
        return True if done else {"enrol": form}
    form = forms.AttendanceForm(request.POST, workers=candidates)
    done = form.is_valid() and attempt(request, services.attendance_record, actor=user, course=found,
                                       on_form=form, done_message=_("已登记出勤。"), **form.cleaned_data)  # fmt: skip
    return True if done else {"attend": form}
