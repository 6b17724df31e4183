from django.urls import path

from timebank import views

app_name = "timebank"
urlpatterns = [
    path("", views.home, name="home"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/<int:pk>/", views.need_detail, name="need"),
    path("needs/<int:pk>/take/", views.listing_take, name="take"),
    path("listings/<int:pk>/close/", views.listing_close, name="close"),
    path("offers/", views.offers, name="offers"),
    path("orders/<int:pk>/", views.order_detail, name="order"),
    path("orders/<int:pk>/<slug:action>/", views.order_action, name="order_action"),
    path("disputes/<int:pk>/resolve/", views.dispute_resolve, name="resolve"),
    path("approvals/", views.approvals, name="approvals"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/<int:pk>/reverse/", views.transaction_reverse, name="reverse"),
    path("rules/", views.rule_list, name="rules"),
    path("statistics/", views.statistics, name="statistics"),
    path("accounts/", views.account_list, name="accounts"),
    path("accounts/<int:pk>/", views.account_detail, name="account"),
    path("accounts/<int:pk>/certificate.pdf", views.certificate, name="certificate"),
]
