from django.urls import path

from services import views
from services.views import public_map as public_map_views
from services.views import search as search_views

app_name = "services"
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.request_new, name="request_new"),
    path("intake/", views.intake, name="intake"),
    path("patrol/", views.patrol, name="patrol"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/act/", views.request_act, name="request_act"),
    path("requests/<int:pk>/photo/", views.request_photo, name="request_photo"),
    path("requests/<int:pk>/steps/<int:event_pk>/photo/", views.event_photo, name="event_photo"),
    path("dispatch/", views.dispatch_queue, name="dispatch"),
    path("department/", views.department_queue, name="department"),
    path("grid/", views.grid_queue, name="grid"),
    path("local/", views.local_queue, name="local"),
    path("property/", views.property_queue, name="property"),
    path("overdue/", views.overdue, name="overdue"),
    path("metrics/", views.metrics_page, name="metrics"),
    path("search/", search_views.search_page, name="search"),
    path("search/saved/", search_views.saved_search_save, name="saved_search_save"),
    path(
        "search/saved/<int:pk>/delete/",
        search_views.saved_search_delete,
        name="saved_search_delete",
    ),
    path("public/", public_map_views.public_requests, name="public_map"),
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/new/", views.item_new, name="item_new"),
    path("catalogue/<int:pk>/", views.item_detail, name="item_detail"),
    path("open311-keys/", views.open311_keys, name="open311_keys"),
    path("rules/", views.rule_list, name="rules"),
]
