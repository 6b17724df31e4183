from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("linli.api")),
    path("", include("dashboard.urls")),
    path("", include("core.urls")),
]
