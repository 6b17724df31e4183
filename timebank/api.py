"""The timebank router of the JSON API, mounted at /api/timebank/."""

from ninja import Router

router = Router(tags=["timebank"])
