from django.urls import path

from workload import views

app_name = "workload"
urlpatterns = [
    path("tasks/", views.task_list, name="task_list"),
    path("tasks/<int:pk>/", views.task_detail, name="task_detail"),
    path("dispatch/<int:item_pk>/", views.dispatch, name="dispatch"),
    path("refusals/", views.refusals, name="refusals"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger.xlsx", views.ledger_xlsx, name="ledger_xlsx"),
    path("ledger.pdf", views.ledger_pdf, name="ledger_pdf"),
    path("burden/", views.burden, name="burden"),
    path("time/", views.time_log, name="time_log"),
    path("burden.xlsx", views.burden_xlsx, name="burden_xlsx"),
]
