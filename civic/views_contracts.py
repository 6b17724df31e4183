"""Purchase-of-service contracts (承接政府转移职能, issue #18 item 3): the list (the signing body
signs new ones there) and a contract's page, where the organisation's members record the
delivery like a task's traces, the community's residents rate it, and the signing body ends it.
The page offers exactly the steps of civic.steps that the user may take now."""

import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from admission.models import AdmittedItem
from admission.offices import acting_units
from civic import forms, selectors, services, steps
from civic.models import SocialOrganisation
from core.refusals import attempt


def _sign_form(request):
    """The signing body's form: its active items, the organisations of their communities."""
    units = acting_units(request.user)
    if not units:
        return None
    items = AdmittedItem.objects.filter(department__in=units, status="active").order_by("number")
    communities = items.values("scopes__community")
    organisations = SocialOrganisation.objects.filter(
        community__in=communities, status=SocialOrganisation.Status.ACTIVE
    ).order_by("community__code", "name")
    data = request.POST if request.POST.get("action") == "sign" else None
    return forms.ContractSignForm(data, items=items, organisations=organisations)


@login_required
def contracts(request):
    user = request.user
    if not user.has_perm("civic.view_contracts"):
        raise PermissionDenied
    form = _sign_form(request)
    if form is not None and form.is_bound and form.is_valid():
        if attempt(request, services.contract_sign, actor=user, on_form=form,
                   done_message=_("合同已签订：该事项的工作转由组织承接。"),
                   **form.cleaned_data):  # fmt: skip
            return redirect("civic:contracts")
    rows = (
        selectors.contracts_visible_to(user)
        .annotate(deliveries_n=Count("deliveries", distinct=True))
        .order_by("-starts_on", "-pk")[:200]
    )
    return render(request, "civic/contracts.html", {"contracts": rows, "sign_form": form})


def _offered(user, contract, posted_name: str, posted_form):
    """The available steps with their forms (the posted one bound, with its errors)."""
    offered = []
    for step in steps.TABLE.available(user, contract):
        form_class = forms.STEP_FORMS[step.name]
        if step.name == posted_name and posted_form is not None:
            form = posted_form
        elif step.name == "deliver":
            form = form_class(initial={"submit_token": uuid.uuid4().hex})
        else:
            form = form_class()
        offered.append({"step": step, "form": form})
    return offered


@login_required
def contract_detail(request, pk):
    user = request.user
    contract = get_object_or_404(selectors.contracts_visible_to(user), pk=pk)
    name = request.POST.get("action", "") if request.method == "POST" else ""
    posted = None
    step = steps.BY_NAME.get(name)
    if step is not None:
        posted = forms.STEP_FORMS[name](request.POST)
        if posted.is_valid() and attempt(
            request, step.run, actor=user, contract=contract, data=posted.cleaned_data,
            on_form=posted, done_message=step.done,
        ):  # fmt: skip
            return redirect("civic:contract", pk=contract.pk)
    deliveries = contract.deliveries.select_related("recorded_by")
    ratings = contract.ratings.aggregate(n=Count("pk"), average=Avg("score"))
    return render(request, "civic/contract_detail.html", {
        "contract": contract, "item": contract.scope.item,
        "deliveries": deliveries[:200],
        "served": deliveries.aggregate(total=Sum("served"))["total"] or 0,
        "ratings": ratings, "comments": contract.ratings.exclude(comment="")[:50],
        "offered": _offered(user, contract, name, posted),
    })  # fmt: skip
