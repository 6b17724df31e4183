from django.urls import path

from dashboard import views

urlpatterns = [
    path("", views.workbench, name="workbench"),
    path("outcomes/", views.outcomes, name="outcomes"),
    path("outcomes/big/", views.outcomes, {"big": True}, name="outcomes_big"),
]
