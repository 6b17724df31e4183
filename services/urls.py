from django.urls import path

from services import views

app_name = "services"
urlpatterns = [
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
]
