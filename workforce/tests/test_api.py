"""The workforce API follows the pages' rules (issue #16): a community's head reads its roster
and records surge work with each worker's hours, the street approves afterwards through the
steps' operations, and a community worker who is no head sees only their own record. Bad
input gets a 422 with the reason in Chinese and writes nothing."""

import datetime

import pytest
import time_machine

from core.models import AuditEvent
from workforce import services
from workforce.models import SurgeHours, SurgeTask
from workforce.tests.conftest import new_on_file

DAY = datetime.datetime(2026, 8, 20, 2, tzinfo=datetime.UTC)


@pytest.fixture
def team(d, enrol, head):
    with time_machine.travel(DAY, tick=False):
        services.surge_rates_seed(actor=d.users["coordinator:own"], district=d.district)
        return [enrol(name=n) for n in ("王芳", "李强")]


def counts():
    return SurgeTask.objects.count(), SurgeHours.objects.count(), AuditEvent.objects.count()


def body(d, team, **fields):
    return {
        "community_id": d.communities[0].pk, "kind": "flood", "reason": "暴雨转移低洼地区居民",
        "instruction": "区防指〔2026〕7号紧急通知", "started_on": "2026-08-10",
        "ended_on": "2026-08-11",
        "hours": [{"worker_id": team[0].pk, "hours": 12.5}, {"worker_id": team[1].pk, "hours": 8}],
        **fields,
    }  # fmt: skip


def test_the_head_records_and_the_street_approves(d, team, client):
    client.force_login(d.users["community_worker:own"])
    with time_machine.travel(DAY, tick=False):
        response = client.post("/api/workforce/surge", body(d, team), content_type="application/json")  # fmt: skip
        assert response.status_code == 201, response.content
        task = response.json()
        assert task["state"] == "recorded" and task["minutes"] == 1230
        assert {h["worker_id"]: h["minutes"] for h in task["hours"]} == {team[0].pk: 750, team[1].pk: 480}  # fmt: skip
        url = f"/api/workforce/surge/{task['id']}/steps/approve"
        refused = client.post(url, {"note": "属实"}, content_type="application/json")
        assert refused.status_code == 403 and "审核" in refused.json()["detail"]
        client.force_login(d.users["street_officer:own"])
        note = client.post(f"/api/workforce/surge/{task['id']}/steps/refuse", {"note": " "},
                           content_type="application/json")  # fmt: skip
        assert note.status_code == 422 and "理由" in note.json()["detail"]
        done = client.post(url, {"note": "属实"}, content_type="application/json")
    assert done.status_code == 200 and done.json()["state"] == "approved"
    assert done.json()["subsidy_fen"] == 1230 * 3_000 // 60
    assert {h["subsidy_fen"] for h in done.json()["hours"]} == {37_500, 24_000}
    client.force_login(d.users["street_officer:other"])
    assert client.get(f"/api/workforce/surge/{task['id']}").status_code == 404


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"instruction": ""}, "区级指令"),
        ({"instruction": "   "}, "区级指令"),
        ({"reason": ""}, "事由"),
        ({"kind": "party"}, "类别"),
        ({"ended_on": "2026-08-09"}, "结束日期"),
        ({"hours": []}, "工作时长"),
        ({"hours": [{"worker_id": 10**9, "hours": 3}]}, "在岗"),
        ({"hours": "zero"}, "工作时长"),
    ],
)  # fmt: skip
def test_bad_surge_tasks_get_422_in_chinese_and_write_nothing(d, team, client, fields, words):
    if fields.get("hours") == "zero":
        fields = {"hours": [{"worker_id": team[0].pk, "hours": 0}]}
    client.force_login(d.users["community_worker:own"])
    before = counts()
    with time_machine.travel(DAY, tick=False):
        response = client.post("/api/workforce/surge", body(d, team, **fields), content_type="application/json")  # fmt: skip
    assert response.status_code == 422 and words in response.json()["detail"]
    assert counts() == before


def test_a_worker_who_is_no_head_sees_only_their_own_record(d, team, client):
    account = new_on_file(d, d.communities[0], username="cw-worker", post="other")
    mine = account.person.community_worker
    client.force_login(account)
    assert client.get("/api/workforce/workers").json() == {"items": [], "count": 0}
    assert client.get(f"/api/workforce/workers/{mine.pk}").json()["id"] == mine.pk
    refused = client.get(f"/api/workforce/workers/{team[0].pk}")
    assert refused.status_code == 403 and "档案" in refused.json()["detail"]
    assert client.get("/api/workforce/me").json()["id"] == mine.pk
    assert client.get("/api/workforce/surge").json() == {"items": [], "count": 0}
    before = counts()
    with time_machine.travel(DAY, tick=False):
        response = client.post("/api/workforce/surge", body(d, team), content_type="application/json")  # fmt: skip
    assert response.status_code == 403 and counts() == before
    client.force_login(d.users["community_worker:own"])  # the head: the whole community
    roster = client.get("/api/workforce/workers").json()
    assert {w["id"] for w in roster["items"]} == {mine.pk, *(w.pk for w in team), d.users["community_worker:own"].person.community_worker.pk}  # fmt: skip
