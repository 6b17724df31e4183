from django.contrib.auth.views import LogoutView
from django.urls import path

from core import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("healthz", views.healthz, name="healthz"),
    path("places/", views.place_list, name="place_list"),
    path("places/<int:pk>/", views.place_detail, name="place_detail"),
    path("departments/", views.department_list, name="department_list"),
    path("people/", views.person_list, name="person_list"),
    path("people/new/", views.person_register, name="person_register"),
    path("people/<int:pk>/", views.person_detail, name="person_detail"),
    path("me/data/", views.my_data_access, name="my_data"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("calendar/", views.calendar_page, name="calendar"),
    path("account/", views.account, name="account"),
    path("account/second-factor/", views.second_factor, name="second_factor"),
    path("account/link/", views.account_link, name="account_link"),
    path("account/links/", views.account_links, name="account_links"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications_read_all"),
]
