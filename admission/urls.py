from django.urls import path

from admission import views, views_formalism

app_name = "admission"
urlpatterns = [
    path("lists/", views.lists, name="lists"),
    path("lists/versions/<int:pk>/", views.version_detail, name="version_detail"),
    path("lists/versions/<int:pk>/diff/", views.version_diff, name="version_diff"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("decisions/", views.decisions, name="decisions"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting_detail"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("inspections/", views_formalism.formalism, name="formalism"),
    path("settings/", views.settings_page, name="settings"),
    path("certificates/", views.certificates, name="certificates"),
    path("certificates/<int:pk>/", views.certificate_print, name="certificate_print"),
    path("certificates/<int:pk>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/verify/", views.certificate_verify, name="certificate_verify"),
]
