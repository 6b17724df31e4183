from django.urls import path

from civic import views, views_contracts

app_name = "civic"
urlpatterns = [
    path("", views.orgs, name="orgs"),
    path("orgs/<int:pk>/", views.org_detail, name="org"),
    path("calls/", views.calls, name="calls"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("grants/<int:pk>/", views.grant_detail, name="grant"),
    path("contracts/", views_contracts.contracts, name="contracts"),
    path("contracts/<int:pk>/", views_contracts.contract_detail, name="contract"),
]
