"""Test URLconf: the whole site plus Open311 at /open311/v2/ (to be included in linli.urls)."""

from django.urls import include, path

urlpatterns = [
    path("open311/v2/", include("services.open311_urls")),
    path("", include("linli.urls")),
]
