"""The district's page of inspections, meetings and documents (issue #13 items 4 and 5): the
caps in force with their source, the annual plans, the inspections proposed for merging, the
inspections held with the communities' ratings (public to the district), and this year's
meetings and documents against last year's. Each role's forms act through the services:
officers file plans, record inspections and register meetings and documents; the coordinator
sets caps and approves plans; the community inspected rates the inspection."""

from django.contrib.auth.decorators import login_required
from django.db.models import Avg, Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from admission import selectors_formalism as selectors
from admission import services
from admission.forms_formalism import CapForm, InspectionForm, PlanForm, RatingForm, SentDownForm
from admission.models import AdmittedItem, InspectionPlan, SentDown, WorkKind
from admission.offices import acting_units
from admission.services.sent_down import sent_in_year
from admission.views import _district
from core.models import Place, PlaceLevel
from core.refusals import attempt, refusals_shown_on
from core.rules import role_places


def _forms(request, district, today):
    """The forms this user may use on the page, bound to the POST that names them."""
    user = request.user
    post = request.POST if request.method == "POST" else None
    action = request.POST.get("action", "")
    units = acting_units(user, district)
    communities = Place.objects.filter(
        district=district, level=PlaceLevel.COMMUNITY, is_active=True
    ).order_by("code")
    items = AdmittedItem.objects.filter(district=district, status="active")
    forms = {}
    if user.has_perm("admission.review", district):
        forms["cap"] = CapForm(
            post if action == "cap" else None, initial={"effective_from": today},
            auto_id="cap-%s",
        )  # fmt: skip
    if units:
        own = items.filter(department__in=units)
        forms["plan"] = PlanForm(
            post if action == "plan" else None, units=units, initial={"year": today.year},
            auto_id="plan-%s",
        )  # fmt: skip
        forms["inspection"] = InspectionForm(
            post if action == "inspection" else None, communities=communities,
            items=items.filter(kind=WorkKind.INSPECTION), initial={"held_on": today},
            auto_id="inspection-%s",
        )  # fmt: skip
        forms["sent_down"] = SentDownForm(
            post if action == "sent_down" else None, units=units,
            items=own.filter(kind=WorkKind.MEETING), communities=communities,
            initial={"day": today}, auto_id="sent-%s",
        )  # fmt: skip
    return forms


def _act(request, district, forms) -> bool:
    """Run the posted action; True when it went through (the page then reloads)."""
    action, user = request.POST.get("action", ""), request.user
    if action == "approve":
        plan = InspectionPlan.objects.filter(district=district, pk=request.POST.get("plan")).first()
        return bool(
            plan
            and attempt(
                request,
                services.plan_approve,
                actor=user,
                plan=plan,
                done_message=_("年度计划已批准：计划外的督查检查考核将不予受理。"),
            )  # fmt: skip
        )
    if action == "rate":
        form = RatingForm(request.POST)
        inspection = (
            selectors.inspections_visible_to(user)
            .filter(pk=request.POST.get("inspection") or 0)
            .first()
        )
        return bool(
            form.is_valid()
            and inspection
            and attempt(
                request,
                services.inspection_rate,
                actor=user,
                inspection=inspection,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
                burden_free=form.cleaned_data["burden_free"],
                done_message=_("评价已提交。"),
            )  # fmt: skip
        )
    form = forms.get(action)
    if form is None or not form.is_valid():
        return False
    data = form.cleaned_data
    with refusals_shown_on(form):
        if action == "cap":
            services.cap_set(actor=user, district=district, **data)
        elif action == "plan":
            services.plan_file(actor=user, department=data["department"], year=data["year"])
        elif action == "inspection":
            services.inspection_record(actor=user, **data)
        elif action == "sent_down":
            data.pop("all_communities", None)
            services.sent_down_register(actor=user, **data)
        return True
    return False


def _rateable(user, inspections) -> set[int]:
    places = {p.pk for p in role_places(user, {"community_worker"})}
    return {i.pk for i in inspections if i.community_id in places and not hasattr(i, "rating")}


@login_required
def formalism(request):
    district = _district(request)
    today = services.local_today()
    forms = _forms(request, district, today)
    if request.method == "POST" and _act(request, district, forms):
        return redirect(reverse("admission:formalism") + f"?district={district.pk}")
    communities = Place.objects.filter(
        district=district, level=PlaceLevel.COMMUNITY, is_active=True
    ).values_list("pk", flat=True)
    inspections = list(
        selectors.inspections_visible_to(request.user).filter(district=district)[:50]
    )
    ratings = (
        selectors.inspections_visible_to(request.user)
        .filter(district=district, rating__isnull=False)
        .aggregate(n=Count("rating"), average=Avg("rating__score"))
    )
    sent = [
        {
            "kind": kind.label,
            "now": sent_in_year(district.pk, kind, today.year).count(),
            "before": sent_in_year(district.pk, kind, today.year - 1).count(),
        }
        for kind in SentDown.Kind
    ]
    return render(
        request,
        "admission/formalism.html",
        {
            "district": district,
            "year": today.year,
            "caps": services.caps_in_force(district, today),
            "plans": selectors.plans_visible_to(request.user).filter(district=district),
            "may_approve": request.user.has_perm("admission.review", district),
            "proposals": selectors.merge_proposals(list(communities), today)[:30],
            "inspections": inspections,
            "rateable": _rateable(request.user, inspections),
            "ratings": ratings,
            "sent": sent,
            "sent_rows": selectors.sent_down_visible_to(request.user).filter(district=district)[
                :30
            ],
            "forms": forms,
            "rating_form": RatingForm(),
        },
    )
