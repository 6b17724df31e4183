from django.urls import path

from deliberation import views

app_name = "deliberation"
urlpatterns = [
    path("", views.index, name="index"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("proposals/<int:pk>/", views.proposal, name="proposal"),
    path("decisions/<int:pk>/", views.decision, name="decision"),
    path("rules/", views.rules_page, name="rules"),
    path("public/", views.public, name="public"),
    path("public/decisions/<int:pk>/", views.public_decision, name="public_decision"),
    path("public/meetings/<int:pk>/", views.public_meeting, name="public_meeting"),
    path("public/documents/<int:pk>/", views.public_document, name="public_document"),
]
