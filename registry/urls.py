from django.urls import path

from registry import building_views, views

app_name = "registry"
urlpatterns = [
    path("", views.home, name="home"),
    path("residents/", views.residents, name="residents"),
    path("residents/<int:pk>/", views.person, name="person"),
    path("buildings/", building_views.buildings, name="buildings"),
    path("buildings/<int:pk>/", building_views.building, name="building"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.batch, name="batch"),
    path("imports/template/<int:department>.xlsx", views.import_template, name="import_template"),
    path("imports/<int:pk>/report.xlsx", views.batch_report, name="batch_report"),
    path("conflicts/", views.conflicts, name="conflicts"),
    path("fields/", views.fields, name="fields"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/export.xlsx", views.report_export, name="report_export"),
    path("ledger/", views.ledger, name="ledger"),
    path("sharing/", views.sharing, name="sharing"),
    path("sharing/<int:pk>/", views.shared_view, name="shared_view"),
    path("organisations/", views.organisations, name="organisations"),
    path("me/", views.my_data, name="my_data"),
]
