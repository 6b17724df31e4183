"""The admission router of the JSON API, mounted at /api/admission/."""

from ninja import Router

router = Router(tags=["admission"])
