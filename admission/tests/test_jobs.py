"""Periodic jobs: overdue reviews and annual re-review, each noticed once."""

import datetime

import pytest
from django.utils import timezone

from admission import services, tasks
from admission.models import AdmissionRequest, AdmittedItem
from admission.tests.conftest import application, decide
from core.models import Notification

pytestmark = pytest.mark.django_db


def test_overdue_review_is_noticed_once(d, officer, coordinator):
    request = services.request_submit(**application(d, officer))
    Notification.objects.all().delete()
    AdmissionRequest.objects.filter(pk=request.pk).update(
        review_due_at=timezone.now() - datetime.timedelta(days=1)
    )
    assert tasks.review_deadlines(period="2026-11-27") == {"overdue": 1, "notified": 1}
    assert tasks.review_deadlines(period="2026-11-28") == {"overdue": 1, "notified": 0}
    assert Notification.objects.get(user=coordinator).title.startswith("准入申请已超过审核期限")


def test_annual_review_after_a_year(d, officer, coordinator):
    request = services.request_submit(**application(d, officer))
    decide(d, request)
    item = AdmittedItem.objects.get(request=request)
    today = services.local_today()
    assert tasks.annual_review(period=today.isoformat())["due"] == 0
    AdmittedItem.objects.filter(pk=item.pk).update(
        admitted_at=timezone.now() - datetime.timedelta(days=400)
    )
    Notification.objects.all().delete()
    assert tasks.annual_review(period=today.isoformat()) == {"due": 1, "notified": 1}
    assert tasks.annual_review(period=today.isoformat()) == {"due": 1, "notified": 0}
    assert "年度复核" in Notification.objects.get(user=coordinator).title
