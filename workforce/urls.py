from django.urls import path

from workforce import views

app_name = "workforce"
urlpatterns = [
    path("staffing/", views.staffing, name="staffing"),
]
