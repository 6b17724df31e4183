from django.urls import path

from owners import views, views_property, views_results

app_name = "owners"
urlpatterns = [
    path("", views.index, name="index"),
    path("compounds/<int:pk>/", views.compound, name="compound"),
    path("decisions/<int:pk>/", views.decision, name="decision"),
    path("results/<int:pk>/", views_results.result, name="result"),
    path("results/<int:pk>.json", views_results.result_data, name="result_data"),
    path("results/<int:pk>/ballots.json", views_results.result_ballots, name="result_ballots"),
    path("rules/", views.rules_page, name="rules"),
    path("compounds/<int:pk>/property/", views_property.evaluation_page, name="evaluation"),
    path("property/rules/", views_property.rules_page, name="property_rules"),
    path("property/staff/", views_property.staff_page, name="property_staff"),
]
