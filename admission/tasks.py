"""Periodic jobs of the admission gate (run by the scheduler and a worker; safe to run twice)."""

import datetime

from django.urls import reverse
from django.utils import timezone

from admission.models import AdmissionRequest, AdmittedItem
from admission.services._common import _coordinators, _day, _tell
from core import jobs

REVIEW_OVERDUE_JOB = "admission.review_overdue_notice"
ANNUAL_REVIEW_JOB = "admission.annual_review_notice"


@jobs.periodic("admission.review_deadlines", every=jobs.Daily(at=datetime.time(8, 30)))
def review_deadlines(*, period: str) -> dict:
    """Tell coordinators once when a request passes its review deadline (working days)."""
    now = timezone.now()
    overdue = AdmissionRequest.objects.filter(
        status__in=AdmissionRequest.IN_REVIEW, review_due_at__lt=now
    ).select_related("district", "department")
    told = 0
    for request in overdue:
        # One notice per request and deadline (an appeal sets a new deadline).
        key = f"{request.pk}:{request.review_due_at:%Y%m%d}"
        if not jobs.claim(job=REVIEW_OVERDUE_JOB, period=key):
            continue
        told += _tell(
            _coordinators(request.district), kind="admission.review_overdue",
            url=reverse("admission:request_detail", args=[request.pk]), subject=request,
            title=request.title, dept=request.department.name, due=_day(request.review_due_at),
        )  # fmt: skip
    return {"overdue": len(overdue), "notified": told}


@jobs.periodic("admission.annual_review", every=jobs.Daily(at=datetime.time(6, 0)))
def annual_review(*, period: str) -> dict:
    """Each admitted item comes up for re-review a year after admission (and every year after):
    the coordinators are told once per item and year, and decide whether it stays or leaves."""
    today = datetime.date.fromisoformat(period)
    due = AdmittedItem.objects.filter(
        status=AdmittedItem.Status.ACTIVE,
        admitted_at__date__lte=today - datetime.timedelta(days=365),
    ).select_related("district", "request")
    told = 0
    for item in due:
        years = (today - timezone.localtime(item.admitted_at).date()).days // 365
        if not jobs.claim(job=ANNUAL_REVIEW_JOB, period=f"{item.pk}:{years}"):
            continue
        told += _tell(
            _coordinators(item.district), kind="admission.annual_review",
            url=reverse("admission:request_detail", args=[item.request_id]),
            title=item.title, n=years,
        )  # fmt: skip
    return {"due": len(due), "notified": told}
