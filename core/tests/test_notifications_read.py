"""Opening 消息 marks what it shows as read (issue #21, item 6): the page still highlights what
was new this time; the next visit, and the workbench's unread count, see it read. Another
account's notices are not touched."""

import pytest

from core import services as core_services
from core.models import Notification
from core.testing import build_small_district

pytestmark = pytest.mark.django_db


def test_opening_the_messages_marks_the_shown_ones_read(client):
    d = build_small_district()
    admin, other = d.users["admin:own"], d.users["coordinator:own"]
    Notification.objects.filter(user__in=[admin, other]).update(read_at=None)
    core_services.notify(user=admin, title="停水通知", url="/notifications/")
    core_services.notify(user=other, title="别人的通知")
    unread = Notification.objects.filter(read_at__isnull=True)
    assert unread.filter(user=admin).exists()
    others_before = unread.filter(user=other).count()
    client.force_login(admin)
    first = client.get("/notifications/").content.decode()
    assert 'class="unread"' in first and "停水通知" in first  # shown as new this once
    assert not unread.filter(user=admin).exists()
    assert unread.filter(user=other).count() == others_before
    again = client.get("/notifications/").content.decode()
    assert "停水通知" in again and 'class="unread"' not in again
