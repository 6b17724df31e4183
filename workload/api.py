"""The workload router of the JSON API, mounted at /api/workload/."""

from ninja import Router

router = Router(tags=["workload"])
