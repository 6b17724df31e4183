"""The services router of the JSON API, mounted at /api/services/."""

from ninja import Router

router = Router(tags=["services"])
