from django.urls import path

from owners import views

app_name = "owners"
urlpatterns = [
    path("", views.index, name="index"),
    path("compounds/<int:pk>/", views.compound, name="compound"),
    path("decisions/<int:pk>/", views.decision, name="decision"),
    path("results/<int:pk>/", views.result, name="result"),
    path("results/<int:pk>.json", views.result_data, name="result_data"),
    path("rules/", views.rules_page, name="rules"),
]
