"""诉求地图: the public map and list of the district's requests, readable without signing in."""

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from services import public_map
from services.views.requests import map_options


def public_requests(request):
    district = public_map.district_of(request.GET.get("district"))
    if district is None:
        raise Http404(_("没有找到这个区。"))
    items = public_map.items_of(district)
    item, state = public_map.clean_filters(
        items, request.GET.get("item", ""), request.GET.get("state", "")
    )
    page = request.GET.get("page", "1")
    page = int(page) if page.isdigit() and 0 < int(page) < 10_000 else 1
    rows, has_next = public_map.public_rows(district, item=item, state=state, page=page)
    return render(
        request,
        "services/public_map.html",
        {
            "district": district, "items": items, "item": item, "state": state,
            "groups": public_map.GROUPS, "states": public_map.STATES, "rows": rows,
            "page": page, "has_next": has_next,
            "map": public_map.map_data(district, rows, map_options()),
        },
    )  # fmt: skip
