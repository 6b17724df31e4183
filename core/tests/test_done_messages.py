"""Saving a place, a department or a calendar day says what changed and what follows, not
"已保存。" (issue #21 item 6)."""

import pytest
from django.urls import reverse

from core.models import Department
from core.testing import build_small_district

pytestmark = pytest.mark.django_db


@pytest.fixture
def d():
    return build_small_district()


def _said(response) -> str:
    return response.content.decode()


def test_updating_a_place_says_what_changed(client, d):
    client.force_login(d.root)
    community = d.communities[0]
    page = client.post(
        reverse("place_detail", args=[community.pk]),
        {"action": "update", "name": "夫子庙社区", "population": "5100", "households": "2050"},
        follow=True,
    )
    assert "已更新“夫子庙社区”的名称和人口户数；下级地点和已有记录不变。" in _said(page)
    assert "已保存。" not in _said(page)


def test_updating_and_retiring_a_department_say_which(client, d):
    client.force_login(d.root)
    department = d.departments[1]
    url = reverse("department_list")
    renamed = client.post(
        url,
        {"action": "update", "department": department.pk, "name": "城市管理局", "is_active": "1"},
        follow=True,
    )
    assert "已更新部门“城市管理局”，各处显示新名称。" in _said(renamed)
    retired = client.post(
        url, {"action": "update", "department": department.pk, "name": "城市管理局"}, follow=True
    )
    assert "已停用部门“城市管理局”：不能再选它，已有记录保留。" in _said(retired)
    assert not Department.objects.get(pk=department.pk).is_active


def test_setting_a_calendar_day_says_what_it_now_is(client, d):
    client.force_login(d.root)
    page = client.post(
        reverse("calendar"),
        {"action": "set_day", "date": "2026-12-05", "is_working_day": "1", "note": "调休上班"},
        follow=True,
    )
    assert (
        "已将2026-12-05设为工作日：按工作日计算的期限都按新日历计算，未办结事项的期限已随之调整。"
        in _said(page)
    )
    page = client.post(
        reverse("calendar"), {"action": "set_day", "date": "2026-12-07", "is_working_day": "0"},
        follow=True,
    )  # fmt: skip
    assert "已将2026-12-07设为休息日" in _said(page)
