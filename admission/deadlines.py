"""Admission requests under review keep their review deadline in working days as the calendar
changes (core.deadlines); the moves are listed in the calendar change's audit event."""

from admission.models import AdmissionRequest
from core import deadlines

UNDER_REVIEW = [AdmissionRequest.Status.UNDER_REVIEW, AdmissionRequest.Status.PREPARED]

deadlines.register(
    "admission.request.review_due_at",
    lambda: AdmissionRequest.objects.filter(status__in=UNDER_REVIEW, review_due_at__isnull=False),
    due="review_due_at",
    since="submitted_at",
)
