from django.urls import path

from timebank import views

app_name = "timebank"
urlpatterns = [
    path("", views.home, name="home"),
    path("ledger/", views.ledger, name="ledger"),
    path("rules/", views.rule_list, name="rules"),
    path("accounts/<int:pk>/", views.account_detail, name="account"),
]
