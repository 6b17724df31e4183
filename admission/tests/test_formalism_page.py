"""The inspections, meetings and documents page: each role's form acts through the services,
a refusal is shown on the page and writes nothing, and the community rates its inspection."""

import pytest
from django.urls import reverse

from admission import services
from admission.models import GateCap, Inspection, InspectionRating, SentDown
from admission.tests.test_inspections import admitted_pair

pytestmark = pytest.mark.django_db


def page(client, user, data=None):
    client.force_login(user)
    url = reverse("admission:formalism")
    response = client.post(url, data, follow=True) if data else client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_every_role_of_the_district_opens_the_page(d, client):
    for key in ("coordinator:own", "department_officer:own", "street_officer:own",
                "community_worker:own", "auditor:own"):  # fmt: skip
        assert "年度上限" in page(client, d.users[key])
    assert "设置年度上限" in page(client, d.users["coordinator:own"])
    assert "设置年度上限" not in page(client, d.users["department_officer:own"])
    assert "登记会议或文件" in page(client, d.users["department_officer:own"])


def test_forms_act_through_the_services(d, officer, client):
    today = services.local_today()
    text = page(client, d.users["coordinator:own"], {
        "action": "cap", "kind": "document", "per": "department", "yearly_limit": "3",
        "source": "区减负办通知", "effective_from": today.isoformat(),
    })  # fmt: skip
    assert GateCap.objects.filter(kind="document", yearly_limit=3).exists(), text
    document = {
        "action": "sent_down", "kind": "document", "department": d.departments[0].pk,
        "title": "关于开展安全检查的通知", "day": today.isoformat(), "length_chars": "6000",
        "communities": [d.communities[0].pk], "submit_token": "page-doc",
    }  # fmt: skip
    text = page(client, officer, document)
    assert "超过5000字的上限" in text and not SentDown.objects.exists()
    page(client, officer, {**document, "length_chars": "2000"})
    assert SentDown.objects.count() == 1


def test_a_merged_inspection_is_recorded_and_rated_on_the_page(d, officer, client):
    ours, theirs = admitted_pair(d, officer)
    page(client, officer, {
        "action": "inspection", "community": d.communities[0].pk, "items": [ours.pk, theirs.pk],
        "held_on": services.local_today().isoformat(), "submit_token": "page-visit",
    })  # fmt: skip
    held = Inspection.objects.get()
    assert held.merged
    worker = d.users["community_worker:own"]
    assert "提交评价" in page(client, worker)
    assert "提交评价" not in page(client, d.users["community_worker:other"])
    page(client, worker, {"action": "rate", "inspection": held.pk, "score": "4",
                          "burden_free": "on", "comment": "一次查完"})  # fmt: skip
    assert InspectionRating.objects.get().score == 4
    assert "4分：一次查完" in page(client, d.users["department_officer:own"])
