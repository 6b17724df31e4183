"""Building pages: the buildings a user may see, by community and grid, and one building with
its houses, households and residents. Thin: parse the form, call a service, show the refusal."""

import urllib.parse

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core.models import Place, PlaceLevel
from core.refusals import attempt
from core.selectors import places_visible_to
from core.validation import search_query
from registry import forms, selectors, services
from registry.views import PAGE


def _manageable(user, places):
    """The places (from a visible queryset) where the user may register buildings."""
    return [p.pk for p in places[:1000] if user.has_perm("registry.manage_residents", p)]


@login_required
def buildings(request):
    """Buildings the user may see, by community and grid, with a form to register one."""
    user = request.user
    visible = places_visible_to(user)
    communities = visible.filter(level=PlaceLevel.COMMUNITY).order_by("code")
    grids = visible.filter(level=PlaceLevel.GRID).order_by("code")
    qs = (
        selectors.buildings_visible_to(user)
        .annotate(house_count=Count("houses"))
        .order_by("community__code", "address")
    )
    community = grid = None
    community_id, grid_id = request.GET.get("community", ""), request.GET.get("grid", "")
    if community_id.isdigit():
        community = communities.filter(pk=community_id).first()
        if community is not None:
            qs = qs.filter(community=community)
            grids = grids.filter(parent=community)
    if grid_id.isdigit():
        grid = grids.filter(pk=grid_id).first()
        if grid is not None:
            qs = qs.filter(grid=grid)
    q = search_query(request)
    if q:
        qs = qs.filter(address__contains=q)
    may_communities = communities.filter(pk__in=_manageable(user, communities))
    may_grids = Place.objects.filter(level=PlaceLevel.GRID, parent__in=may_communities).order_by(
        "code"
    )
    form = None
    if may_communities.exists():
        chosen = community if community in may_communities else None
        if chosen is None and len(may_communities) == 1:
            chosen = may_communities[0]
        form = forms.BuildingForm(
            communities=may_communities, grids=may_grids,
            initial={"community": chosen, "grid": grid if grid in may_grids else None},
        )  # fmt: skip
        if request.method == "POST":
            form = forms.BuildingForm(request.POST, communities=may_communities, grids=may_grids)
            done = form.is_valid() and attempt(
                request, services.building_create, actor=user, on_form=form,
                done_message=_("楼栋已登记。"), **form.cleaned_data,
            )  # fmt: skip
            if done:
                return redirect("registry:building", done.value.pk)
    page = Paginator(qs, PAGE).get_page(request.GET.get("page"))
    query = urllib.parse.urlencode(
        {"community": community.pk if community else "", "grid": grid.pk if grid else "", "q": q}
    )
    return render(
        request,
        "registry/buildings.html",
        {"page": page, "form": form, "communities": communities, "grids": grids,
         "community": community, "grid": grid, "q": q, "query": query},
    )  # fmt: skip


@login_required
def building(request, pk):
    """One building: its houses, the households registered there and who lives there."""
    user = request.user
    b = get_object_or_404(selectors.buildings_visible_to(user), pk=pk)
    can_edit = user.has_perm("registry.manage_residents", b.grid or b.community)
    grids = Place.objects.filter(level=PlaceLevel.GRID, parent=b.community).order_by("code")
    house_form = forms.HouseForm() if can_edit else None
    edit_form = (
        forms.BuildingEditForm(initial={"address": b.address, "grid": b.grid}, grids=grids)
        if can_edit
        else None
    )
    if request.method == "POST" and can_edit:
        action = request.POST.get("action")
        if action == "house":
            house_form = forms.HouseForm(request.POST)
            if house_form.is_valid() and attempt(
                request, services.house_create, actor=user, building=b, on_form=house_form,
                done_message=_("房屋已登记。"), **house_form.cleaned_data,
            ):  # fmt: skip
                return redirect("registry:building", b.pk)
        elif action == "edit":
            edit_form = forms.BuildingEditForm(request.POST, grids=grids)
            if edit_form.is_valid() and attempt(
                request, services.building_update, actor=user, building=b, on_form=edit_form,
                done_message=_("楼栋信息已保存。"), **edit_form.cleaned_data,
            ):  # fmt: skip
                return redirect("registry:building", b.pk)
    houses = selectors.houses_of(b)
    # Who lives here is shown to all who see the building; a name links to the person's page
    # only when that page opens for the user (the same rule: residents_visible_to).
    opens = set(
        selectors.residents_visible_to(user)
        .filter(house__building=b)
        .values_list("person_id", flat=True)
    )
    return render(
        request,
        "registry/building.html",
        {"b": b, "houses": houses, "house_form": house_form, "edit_form": edit_form,
         "residents": sum(len(h.residents) for h in houses), "opens": opens},
    )  # fmt: skip
