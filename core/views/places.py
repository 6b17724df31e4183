"""Pages for places (the org tree) and departments."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from core import selectors, services
from core.forms import (
    ChildPlaceForm,
    DepartmentForm,
    MergePlaceForm,
    MovePlaceForm,
    PlaceForm,
)
from core.models import CHILD_LEVEL, Place, PlaceLevel
from core.refusals import refusal_text, refusals_shown_on, show_refusal
from core.validation import search_query

# ---------------------------------------------------------------- places


def _visible_place(user, pk) -> Place:
    place = get_object_or_404(Place, pk=pk)
    if not user.has_perm("core.view_place", place):
        # Outside the user's scope the place does not exist for them.
        raise_not_found()
    return place


def raise_not_found():
    from django.http import Http404

    raise Http404(_("没有找到，或您无权查看。"))


@login_required
def place_list(request):
    places = selectors.places_visible_to(request.user)
    query = search_query(request)
    level = request.GET.get("level", "")
    if query:
        places = places.filter(Q(name__contains=query) | Q(code__startswith=query))
    if level in PlaceLevel.values:
        places = places.filter(level=level)
    if not query and not level:
        places = places.filter(level__in=[PlaceLevel.DISTRICT, PlaceLevel.STREET])
    page = Paginator(places.order_by("code"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "core/place_list.html",
        {"page": page, "q": query, "level": level, "levels": PlaceLevel.choices},
    )


@login_required
def place_detail(request, pk):
    place = _visible_place(request.user, pk)
    children = selectors.places_visible_to(request.user).filter(parent=place).order_by("code")
    user = request.user
    child_level = CHILD_LEVEL.get(place.level)
    can_add = child_level is not None and (
        user.has_perm("core.add_grid", place)
        if child_level == PlaceLevel.GRID
        else user.has_perm("core.restructure_place", place)
    )
    forms = {}
    handler = _place_actions(user, place).get(request.POST.get("action", ""))
    if request.method == "POST" and handler:
        key, make_form, perform = handler
        form = forms[key] = make_form(request.POST)
        if form.is_valid():
            with refusals_shown_on(form):
                target, message = perform(form.cleaned_data)
                messages.success(request, message)
                return redirect("place_detail", pk=target.pk)
    can_change = user.has_perm("core.change_place", place)
    can_restructure = place.parent_id is not None and user.has_perm("core.restructure_place", place)
    forms.setdefault(
        "edit",
        PlaceForm(
            initial={
                "name": place.name,
                "population": place.population,
                "households": place.households,
            }
        ),
    )
    forms.setdefault("add", ChildPlaceForm(initial={"code": _suggest_child_code(place)}))
    if can_restructure:
        forms.setdefault("move", MovePlaceForm(parents=_move_targets(user, place)))
        forms.setdefault("merge", MergePlaceForm(siblings=_merge_targets(place)))
    return render(
        request,
        "core/place_detail.html",
        {
            "place": place,
            "ancestors": place.ancestors(),
            "children": children,
            "child_level": PlaceLevel(child_level).label if child_level else "",
            "events": place.events.select_related("actor", "old_parent", "new_parent")[:30],
            "can_change": can_change and place.is_active,
            "can_add": can_add and place.is_active,
            "can_restructure": can_restructure and place.is_active,
            "forms": forms,
            "open_form": request.POST.get("action", "") if request.method == "POST" else "",
        },
    )


def _place_actions(user, place):
    """POST action → (form key, form factory, perform(cleaned data) -> (page to show, message))."""

    def update(data):
        services.place_update(actor=user, place=place, **data)
        return place, _("已更新“%(name)s”的名称和人口户数；下级地点和已有记录不变。") % {
            "name": data["name"]
        }

    def add_child(data):
        child = services.place_create(actor=user, parent=place, **data)
        return place, _("已新建“%(name)s”。") % {"name": child.name}

    def move(data):
        services.place_move(actor=user, place=place, **data)
        return place, _("已调整隶属关系。")

    def merge(data):
        into = services.place_merge(actor=user, place=place, **data)
        return into, _("已并入“%(name)s”。") % {"name": into.name}

    return {
        "update": ("edit", PlaceForm, update),
        "add_child": ("add", ChildPlaceForm, add_child),
        "move": ("move", partial(MovePlaceForm, parents=_move_targets(user, place)), move),
        "merge": ("merge", partial(MergePlaceForm, siblings=_merge_targets(place)), merge),
    }


def _move_targets(user, place):
    parent_level = {v: k for k, v in CHILD_LEVEL.items()}.get(place.level)
    return (
        selectors.places_visible_to(user)
        .filter(level=parent_level, district_id=place.district_id, is_active=True)
        .exclude(pk=place.parent_id)
        .order_by("code")
    )


def _merge_targets(place):
    return Place.objects.filter(
        parent_id=place.parent_id, level=place.level, is_active=True
    ).exclude(pk=place.pk)


def _suggest_child_code(place) -> str:
    """The next free code under `place`, so staff rarely type one by hand."""
    level = CHILD_LEVEL.get(place.level)
    if level is None:
        return ""
    codes = list(Place.objects.filter(parent=place).values_list("code", flat=True))
    if level == PlaceLevel.GRID:
        used = [int(c[18:]) for c in codes if len(c) == 20]
        return f"000000{place.code}{max(used, default=0) + 1:02d}"
    used = [int(c[-3:]) for c in codes if c[-3:].isdigit()]
    return f"{place.code}{max(used, default=0) + 1:03d}"


# ---------------------------------------------------------------- departments


@login_required
def department_list(request):
    user = request.user
    departments = selectors.departments_visible_to(user).select_related("district")
    districts = [
        d for d in selectors.districts_of(user) if user.has_perm("core.manage_departments", d)
    ]
    form = DepartmentForm()
    edit_error = ""
    if request.method == "POST":
        if not districts:
            raise PermissionDenied(_("您无权管理职能部门。"))
        try:
            if request.POST.get("action") == "update":
                department = get_object_or_404(departments, pk=request.POST.get("department"))
                department = services.department_update(
                    actor=user,
                    department=department,
                    name=request.POST.get("name", ""),
                    is_active=request.POST.get("is_active") == "1",
                )
                messages.success(
                    request,
                    (_("已更新部门“%(name)s”，各处显示新名称。") if department.is_active
                     else _("已停用部门“%(name)s”：不能再选它，已有记录保留。"))
                    % {"name": department.name},
                )  # fmt: skip
                return redirect("department_list")
            form = DepartmentForm(request.POST)
            if form.is_valid():
                services.department_create(actor=user, district=districts[0], **form.cleaned_data)
                messages.success(request, _("已新建部门。"))
                return redirect("department_list")
        except ValidationError as error:
            if form.is_bound:
                show_refusal(form, error)
            else:
                edit_error = refusal_text(error)
    return render(
        request,
        "core/department_list.html",
        {
            "departments": departments,
            "form": form if districts else None,
            "can_edit": bool(districts),
            "edit_error": edit_error,
        },
    )
