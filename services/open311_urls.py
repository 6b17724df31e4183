"""Open311 GeoReport v2; include at "open311/v2/" in linli/urls.py:

path("open311/v2/", include("services.open311_urls")),
"""

from django.urls import re_path

from services import open311

app_name = "open311"
FMT = r"\.(?P<fmt>[A-Za-z0-9]{1,8})$"
urlpatterns = [
    re_path(r"^discovery" + FMT, open311.discovery, name="discovery"),
    re_path(r"^services" + FMT, open311.service_list, name="services"),
    re_path(r"^services/(?P<code>[^/]+?)" + FMT, open311.service_definition, name="service"),
    # Some older clients ask for a definition at the singular path: the same answer.
    re_path(r"^service/(?P<code>[^/]+?)" + FMT, open311.service_definition, name="service_old"),
    re_path(r"^requests" + FMT, open311.requests, name="requests"),
    re_path(r"^requests/(?P<pk>\d{1,18})" + FMT, open311.request_one, name="request"),
    re_path(r"^tokens/(?P<token>[^/]+?)" + FMT, open311.token_lookup, name="token"),
]
