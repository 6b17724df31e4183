from django.urls import path

from notify import views

app_name = "notify"
urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("open/<int:pk>/", views.open_message, name="open"),
    path("follow/", views.follow, name="follow"),
    path("wechat/bind/", views.wechat_start, name="wechat_start"),
    path("wechat/unbind/", views.wechat_unbind, name="wechat_unbind"),
    path("wechat/callback/", views.wechat_callback, name="wechat_callback"),
]
