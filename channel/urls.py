from django.urls import path

from channel import views

app_name = "channel"
urlpatterns = [
    path("", views.index, name="index"),
    path("c/<int:pk>/", views.community, name="community"),
    path("p/<int:pk>/", views.post, name="post"),
    path("p/<int:pk>/image/", views.image, name="image"),
    path("p/<int:pk>/signup/", views.signup, name="signup"),
    path("p/<int:pk>/edit/", views.edit, name="edit"),
    path("manage/", views.manage, name="manage"),
    path("mine/", views.mine, name="mine"),
    path("rules/", views.rules_page, name="rules"),
]
