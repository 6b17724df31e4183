"""The demo's books: built through the services, its anomalies visible to the street office."""

import pytest

from finance import demo, selectors
from finance.models import Spending

pytestmark = pytest.mark.django_db


def test_demo_books_show_pending_payments_and_anomalies(d):
    lines = []
    demo.build(district=d.district, builder=d.root, seed=2026, out=lines.append)
    assert Spending.objects.filter(status="pending").count() == 4 * 3 + 2
    officer = d.users["street_officer:own"]
    year = Spending.objects.first().spent_on.year
    kinds = {a.kind for a in selectors.anomalies(officer, [d.communities[0].pk], year)}
    assert {"no_receipt", "split"} <= kinds
    assert selectors.awaiting_approval(officer).count() == 2 * 3 + 2  # the first street's two
