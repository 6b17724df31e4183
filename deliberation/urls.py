from django.urls import path

from deliberation import views

app_name = "deliberation"
urlpatterns = [
    path("", views.index, name="index"),
]
