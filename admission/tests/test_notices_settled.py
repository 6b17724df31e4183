"""A notice asking for a decision is answered by the decision (issue #21, item 6): the
coordinators' "准入申请待审核" is marked read when the joint meeting's decision is recorded,
while the decision's own notices to the department arrive unread."""

import pytest

from admission import services
from admission.tests.conftest import application, decide
from core.models import Notification

pytestmark = pytest.mark.django_db


def test_the_ask_to_review_is_read_once_the_request_is_decided(d, officer):
    coordinators = [d.users["coordinator:own"]]
    request = services.request_submit(**application(d, officer, submit_token="settle-1"))
    url = f"/admission/requests/{request.pk}/"
    asks = Notification.objects.filter(user__in=coordinators, title__startswith="准入申请待审核")
    assert asks.filter(url=url, read_at__isnull=True).count() == 1
    other = services.request_submit(
        **application(d, officer, title="另一份申请", submit_token="settle-2")
    )
    decide(d, request)
    assert asks.filter(url=url, read_at__isnull=True).count() == 0
    # Only this request's asks: the other one still waits for its decision.
    assert asks.filter(url=f"/admission/requests/{other.pk}/", read_at__isnull=True).count() == 1
    told = Notification.objects.filter(user=officer, url=url, title__startswith="准入申请已审核")
    assert told.filter(read_at__isnull=True).count() == 1
