"""The registry router of the JSON API, mounted at /api/registry/."""

from ninja import Router

router = Router(tags=["registry"])
