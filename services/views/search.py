"""查找诉求: the staff search page, its Excel export and saved searches (services.search)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock
from core.models import Department, Place
from core.validation import refuse_nul
from services import search, selectors
from services.models import Channel, State
from services.services import searches


def _searcher(request):
    if not search.may_search(request.user):
        raise PermissionDenied(_("查找诉求仅供工作人员使用。"))
    return request.user


def _choices(user) -> dict:
    """What the filter boxes offer: the items, departments, streets and communities of the
    user's districts, the states and the channels."""
    districts = None if user.is_superuser else selectors.user_districts(user)
    places = Place.objects.filter(level__in=["street", "community"]).order_by("path")
    departments = Department.objects.functional().filter(is_active=True).order_by("name")
    if districts is not None:
        places = places.filter(district_id__in=districts)
        departments = departments.filter(district_id__in=districts)
    return {
        "items": selectors.catalogue_visible_to(user).order_by("code"),
        "departments": departments,
        "places": places,
        "states": State.choices,
        "channels": Channel.choices,
    }


@login_required
@refuse_nul(search=("q",))
def search_page(request):
    """查找诉求: the filters, one page of what they find (by key), the saved searches."""
    user = _searcher(request)
    query = search.clean_query(user, request.GET)
    for error in query.errors:
        messages.error(request, error)
    if request.GET.get("format") == "xlsx" and not (query.errors or query.is_empty):
        rows, more = search.export_rows(user, query)
        response = HttpResponse(
            search.workbook(rows, more=more),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        stamp = clock.shown(clock.now(), "%Y%m%d-%H%M")
        response["Content-Disposition"] = f'attachment; filename="requests-{stamp}.xlsx"'
        return response
    params = query.params()
    return render(
        request,
        "services/search.html",
        {
            "query": query,
            "page": None if query.is_empty or query.errors else search.page(user, query),
            "params": params,
            "export_url": "?" + urlencode({**params, "format": "xlsx"}),
            "saved": [
                (saved, "?" + urlencode(search.from_stored(user, saved.query).params()))
                for saved in search.saved_of(user)
            ],
            "now": clock.now(),
            **_choices(user),
        },
    )


@login_required
@require_POST
@refuse_nul(search=())
def saved_search_save(request):
    user = _searcher(request)
    query = search.clean_query(user, request.POST)
    back = reverse("services:search") + "?" + urlencode(query.params())
    try:
        saved = searches.saved_search_create(
            actor=user, name=request.POST.get("name", ""), query=query
        )
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)
    messages.success(request, _("已保存筛选“%(name)s”。") % {"name": saved.name})
    return redirect(back)


@login_required
@require_POST
def saved_search_delete(request, pk):
    user = _searcher(request)
    saved = get_object_or_404(search.saved_of(user), pk=pk)
    searches.saved_search_delete(actor=user, saved=saved)
    messages.success(request, _("已删除筛选“%(name)s”。") % {"name": saved.name})
    return redirect("services:search")
