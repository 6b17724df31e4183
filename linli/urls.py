from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # The login page's CAPTCHA images (django-simple-captcha), from this site.
    path("captcha/", include("captcha.urls")),
    path("api/", include("linli.api")),
    path("open311/v2/", include("services.open311_urls")),
    path("admission/", include("admission.urls")),
    path("workload/", include("workload.urls")),
    path("workforce/", include("workforce.urls")),
    path("training/", include("training.urls")),
    path("finance/", include("finance.urls")),
    path("services/", include("services.urls")),
    path("registry/", include("registry.urls")),
    path("timebank/", include("timebank.urls")),
    path("notify/", include("notify.urls")),
    path("oversight/", include("oversight.urls")),
    path("civic/", include("civic.urls")),
    path("owners/", include("owners.urls")),
    path("channel/", include("channel.urls")),
    path("deliberation/", include("deliberation.urls")),
    path("", include("dashboard.urls")),
    path("", include("core.urls")),
]
