"""The admission pages say what a save did and what follows, not "已保存。" (issue #21 item 6)."""

import pytest
from django.urls import reverse

from admission.models import ListVersion
from core.testing import PASSWORD

pytestmark = pytest.mark.django_db


def test_a_saved_entry_is_said_to_wait_for_publishing(client, d, coordinator):
    assert client.login(username=d.logins["coordinator:own"], password=PASSWORD)
    client.post(reverse("admission:lists") + "?kind=assistance", {"action": "draft"})
    draft = ListVersion.objects.get(district=d.district, kind="assistance", status="draft")
    page = client.post(
        reverse("admission:version_detail", args=[draft.pk]),
        {"action": "save_entry", "key": "XZ-14", "title": "协助开展防汛宣传"},
        follow=True,
    ).content.decode()
    assert "已把“协助开展防汛宣传”存入草稿；发布新版本后才生效。" in page


def test_the_review_deadline_setting_says_what_it_applies_to(client, d):
    assert client.login(username=d.logins["coordinator:own"], password=PASSWORD)
    page = client.post(
        reverse("admission:settings"), {"review_working_days": "12"}, follow=True
    ).content.decode()
    assert "审核期限已设为12个工作日：此后提交的准入申请按新期限计算。" in page
    assert "已保存。" not in page
