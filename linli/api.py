"""The JSON API (django-ninja): OpenAPI at /api/openapi.json, docs at /api/docs.

Each app contributes a router; this module mounts them.
"""

from django.urls import path
from ninja import NinjaAPI

api = NinjaAPI(title="Linli API", version="1", urls_namespace="api")

urlpatterns = [path("", api.urls)]
