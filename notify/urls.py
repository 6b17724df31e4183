from django.urls import path

from notify import views

app_name = "notify"
urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("open/<int:pk>/", views.open_message, name="open"),
    path("follow/", views.follow, name="follow"),
]
