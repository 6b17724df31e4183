from django.urls import path

from oversight import views

app_name = "oversight"
urlpatterns = [
    path("", views.assessment, name="assessment"),
    path("results/<int:pk>/", views.result_detail, name="result"),
    path("chain/", views.chain, name="chain"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("mine/", views.mine, name="mine"),
]
