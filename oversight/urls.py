from django.urls import path

from oversight import survey_views, views

app_name = "oversight"
urlpatterns = [
    path("", views.assessment, name="assessment"),
    path("results/<int:pk>/", views.result_detail, name="result"),
    path("chain/", views.chain, name="chain"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("mine/", views.mine, name="mine"),
    path("surveys/", survey_views.survey_list, name="surveys"),
    path("surveys/<int:pk>/", survey_views.survey_detail, name="survey"),
    path("surveys/<int:pk>/answer/", survey_views.survey_answer, name="survey_answer"),
]
