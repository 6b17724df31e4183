"""Pages of the property companies' side (issue #18 item 4): the yearly evaluation of a
compound's companies (with its Excel export), who acts for which company, and the district's
working days to sign and finish a routed request. Thin: writes are owners.services.property."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from core.models import Place, Role, RoleAssignment
from core.refusals import attempt
from core.selectors import chosen_district, districts_of, subtrees
from owners import evaluation, rules
from owners.models import CompanyStaff, Compound, PropertyCompany, PropertyRule
from owners.routing import companies_serving
from owners.services import property as property_services


def _year(request) -> int:
    raw = request.GET.get("year", "")
    this_year = clock.local_now().year
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= this_year else this_year


@login_required
def evaluation_page(request, pk):
    """物业年度评价 of one compound: its owners' committee, the community, the street."""
    compound = get_object_or_404(Compound.objects.select_related("community"), pk=pk)
    if not request.user.has_perm("owners.evaluate", compound):
        raise PermissionDenied(_("只有本小区业主委员会成员、社区和街道工作人员可以查看物业评价。"))
    year = _year(request)
    rows = evaluation.rows_for(compound, year)
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            evaluation.workbook(compound, year, rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="property-{compound.pk}-{year}.xlsx"'
        )
        return response
    this_year = clock.local_now().year
    return render(request, "owners/property_evaluation.html", {
        "compound": compound, "year": year, "rows": rows,
        "years": list(range(this_year, this_year - 5, -1)),
    })  # fmt: skip


class RuleForm(forms.Form):
    item_code = forms.CharField(label=gettext_lazy("事项编码（空为所有其他事项）"), max_length=32,
                                required=False)  # fmt: skip
    accept_days = forms.IntegerField(
        label=gettext_lazy("签收时限（工作日）"), min_value=1, max_value=60
    )
    finish_days = forms.IntegerField(
        label=gettext_lazy("办结时限（工作日）"), min_value=1, max_value=60
    )
    source = forms.CharField(label=gettext_lazy("政策依据"), max_length=300)
    effective_from = forms.DateField(label=gettext_lazy("生效日期"),
                                     widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip


@login_required
def rules_page(request):
    """The district's working days for property companies (PropertyRule), with their source."""
    user = request.user
    districts = districts_of(user)
    district = chosen_district(request, districts)
    if district is None:
        raise PermissionDenied(_("您没有可查看的区。"))
    can_set = user.has_perm("owners.set_rules", district)
    form = RuleForm(request.POST or None) if can_set else None
    if form is not None and request.method == "POST" and form.is_valid():
        done = attempt(request, property_services.property_rule_create, actor=user,
                       district=district, on_form=form, done_message=_("已新增办理时限。"),
                       **form.cleaned_data)  # fmt: skip
        if done:
            return redirect(request.get_full_path())
    from owners import defaults

    return render(request, "owners/property_rules.html", {
        "district": district, "districts": districts, "form": form,
        "rules": PropertyRule.objects.filter(district=district),
        "default": (defaults.PROPERTY_ACCEPT_DAYS, defaults.PROPERTY_FINISH_DAYS,
                    defaults.PROPERTY_SOURCE),
    })  # fmt: skip


def _staff_places(user):
    """The places where the user may say who acts for a company."""
    if user.is_superuser:
        return Place.objects.filter(parent__isnull=True)
    from core.rules import role_places

    return role_places(user, rules.STAFF_GRANTERS)


@login_required
def staff_page(request):
    """物业企业工作人员: property-staff accounts of the user's street or district and the
    company each acts for; grant or end a link."""
    user = request.user
    places = _staff_places(user)
    if not places:
        raise PermissionDenied(_("只有街道或区减负办可以登记物业企业工作人员。"))
    assignments = (
        RoleAssignment.objects.active()
        .filter(subtrees(places, "place__path"), role=Role.PROPERTY_STAFF)
        .select_related("user", "place")
        .order_by("place__path", "user__username")
    )
    district_ids = {a.place.district_id for a in assignments}
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "end":
            link = get_object_or_404(CompanyStaff, pk=request.POST.get("link") or 0,
                                     account__in=[a.user for a in assignments])  # fmt: skip
            attempt(request, property_services.staff_end, actor=user, link=link,
                    done_message=_("已解除。"))  # fmt: skip
        else:
            chosen = next(
                (a for a in assignments if str(a.pk) == request.POST.get("assignment")), None
            )
            company = PropertyCompany.objects.filter(
                pk=request.POST.get("company") or 0, district_id__in=district_ids
            ).first()  # staff_grant refuses one serving no compound of the user's places
            attempt(request, property_services.staff_grant, actor=user, company=company,
                    account=chosen.user if chosen else None,
                    done_message=_("已登记为该企业的工作人员。"))  # fmt: skip
        return redirect("owners:property_staff")
    links = CompanyStaff.objects.filter(
        account__in=[a.user_id for a in assignments], ended_at__isnull=True
    ).select_related("company")
    by_account = {}
    for link in links:
        by_account.setdefault(link.account_id, []).append(link)
    return render(request, "owners/property_staff.html", {
        "rows": [(a, by_account.get(a.user_id, [])) for a in assignments],
        "companies": companies_serving(places, clock.today()).filter(district_id__in=district_ids),
    })  # fmt: skip
