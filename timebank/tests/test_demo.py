"""The demo builder adds a working time bank to the demo district, through the services."""

import io

import pytest

from core.demo import build_demo
from timebank import services
from timebank.models import Account, Dispute, Listing, Order, Transaction

pytestmark = pytest.mark.django_db


def test_demo_builds_a_consistent_time_bank():
    build_demo(scale="tiny", stdout=io.StringIO())
    assert Account.objects.filter(kind="member").count() >= 8
    assert Order.objects.filter(status="approved").exists()
    assert Order.objects.filter(status="confirmed").exists()  # waits for a worker
    assert Listing.objects.filter(status="open").exists()  # waits for a volunteer
    assert Transaction.objects.filter(kind="withdrawal").exists()
    assert Listing.objects.filter(kind="offer", status="open").count() >= 2
    assert Order.objects.filter(volunteer_rating__isnull=False).exists()
    assert Dispute.objects.filter(status="open", after_approval=True).exists()
    assert services.reconcile()["problems"] == []
