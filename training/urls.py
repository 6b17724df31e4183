from django.urls import path

from training import own_views, views

app_name = "training"
urlpatterns = [
    path("", views.index, name="index"),
    path("rules/", views.rules_page, name="rules"),
    path("courses/<int:pk>/", views.course, name="course"),
    path("me/", own_views.me, name="me"),
    path("certificates/<int:pk>.pdf", own_views.certificate_pdf, name="certificate_pdf"),
    path("verify/", own_views.verify, name="verify"),
]
