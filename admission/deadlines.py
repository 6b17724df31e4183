"""Admission requests under review keep their review deadline in working days as the calendar
changes (core.deadlines); the moves are listed in the calendar change's audit event."""

from admission.models import AdmissionRequest
from core.deadlines import Deadline, register

S = AdmissionRequest.Status

register(
    Deadline(
        label="admission.request.review_due_at",
        open_objects=lambda: AdmissionRequest.objects.filter(
            status__in=[S.UNDER_REVIEW, S.PREPARED], review_due_at__isnull=False
        ),
        due_field="review_due_at",
        set_field="submitted_at",
    )
)
