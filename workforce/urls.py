from django.urls import path

from workforce import assessment_views, pay_views, surge_views, views, worker_views

app_name = "workforce"
urlpatterns = [
    path("staffing/", views.staffing, name="staffing"),
    path("workers/", worker_views.roster, name="workers"),
    path("workers/<int:pk>/", worker_views.worker, name="worker"),
    path("me/", worker_views.me, name="me"),
    path("grades/", worker_views.schemes, name="grades"),
    path("pay/", pay_views.pay_page, name="pay"),
    path("pay/roster.xlsx", pay_views.pay_roster, name="pay_roster"),
    path("assessments/", assessment_views.assessments, name="assessments"),
    path("surge/", surge_views.surge_list, name="surge"),
    path("surge/<int:pk>/", surge_views.surge_task, name="surge_task"),
]
