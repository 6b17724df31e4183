"""The street office is told of its communities' anomalies and overdue boards through notify,
each matter once however often the daily job runs (issue #17 item 3/4)."""

import pytest

from core import clock
from core.models import AuditEvent, Notification
from finance import notices
from finance.models import StreetNotice
from finance.tests.test_books import _budget, _spend

pytestmark = pytest.mark.django_db


def test_each_matter_is_told_once_to_the_communitys_street(d):
    _budget(d, 1_000_000)
    spending = _spend(d, 12_300)  # no receipt
    own = [d.users["street_officer:own"], d.users["street_officer:second"]]
    other = d.users["street_officer:other"]
    first = notices.tell_street_offices(today=clock.today())
    assert first["anomalies"] == 1 and first["overdue"] > 0
    mine = Notification.objects.filter(user=own[0], url="/finance/supervision/")
    texts = list(mine.values_list("title", flat=True))
    assert any("无票据" in t and "某某文化用品店" in t and "123.00元" in t for t in texts)
    assert any("逾期未公开" in t and d.communities[0].name in t for t in texts)
    assert Notification.objects.filter(user=own[1], title__contains="无票据").count() == 1
    # The other street hears only of its own communities.
    assert not Notification.objects.filter(
        user=other, title__contains=d.communities[0].name
    ).exists()
    assert StreetNotice.objects.filter(key=f"no_receipt:{spending.pk}").count() == 1
    events = AuditEvent.objects.filter(action="finance.street_notice").count()
    assert events == StreetNotice.objects.count()
    # Run again (the job is safe to run twice): nothing new.
    before = (
        Notification.objects.count(),
        StreetNotice.objects.count(),
        AuditEvent.objects.count(),
    )
    assert notices.tell_street_offices(today=clock.today()) == {"anomalies": 0, "overdue": 0}
    assert (Notification.objects.count(), StreetNotice.objects.count(),
            AuditEvent.objects.count()) == before  # fmt: skip


def test_the_threshold_is_shown_as_a_district_setting_to_confirm(client, d):
    from core.testing import PASSWORD
    from finance import defaults

    client.login(username=d.logins["street_officer:own"], password=PASSWORD)
    page = client.get("/finance/supervision/").content.decode()
    assert "本区设置，待确认" in page and defaults.THRESHOLD_SOURCE in page
    assert "无全国统一标准" in defaults.THRESHOLD_SOURCE
