"""Surge work (issue #16 item 6): an emergency task with its reason, the district's instruction
(required) and each worker's hours, approved afterwards by the street or the district, its
subsidy hours × the hourly rate in force; counted in the burden index; seen by the district."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from core.models import AuditEvent
from core.tests.refused import refused
from workforce import services, surge
from workforce.models import SurgeHours, SurgeTask
from workload import hooks as workload_hooks

D = datetime.date
DAY = datetime.datetime(2026, 8, 20, 2, tzinfo=datetime.UTC)


@pytest.fixture
def team(d, enrol, head):
    """Two workers of the first community, whose head (community_worker:own) records."""
    with time_machine.travel(DAY, tick=False):
        services.surge_rates_seed(actor=d.users["coordinator:own"], district=d.district)
        yield [enrol(name=n) for n in ("王芳", "李强")]


def counts():
    return SurgeTask.objects.count(), SurgeHours.objects.count()


def flood(d, team, **fields):
    values = {
        "actor": d.users["community_worker:own"], "community": d.communities[0], "kind": "flood",
        "reason": "暴雨转移低洼地区居民", "instruction": "区防指〔2026〕7号紧急通知",
        "started_on": D(2026, 8, 10), "ended_on": D(2026, 8, 11),
        "hours": {team[0].pk: "12.5", team[1]: 8},
    }  # fmt: skip
    return services.surge_task_record(**{**values, **fields})


def test_recorded_counted_in_the_burden_then_approved_with_its_subsidy(d, team):
    with time_machine.travel(DAY, tick=False):
        task = flood(d, team)
        assert task.state == "recorded" and task.minutes == 1230
        found = workload_hooks.external_minutes([d.communities[0].pk], D(2026, 8, 1), D(2026, 8, 1))
        assert found[(d.communities[0].pk, D(2026, 8, 1))]["administration"] >= 1230
        with pytest.raises(PermissionDenied):
            services.surge_task_approve(actor=d.users["community_worker:own"], task=task)
        with pytest.raises(PermissionDenied):
            services.surge_task_approve(actor=d.users["street_officer:other"], task=task)
        done = services.surge_task_approve(
            actor=d.users["street_officer:own"], task=task, note="属实"
        )
        assert done.state == "approved" and done.subsidy_fen == 1230 * 3_000 // 60  # 20.5 h × 30 元
        hours = {h.worker_id: h for h in done.hours.all()}
        assert surge.worker_subsidy_fen(done, hours[team[0].pk]) == 37_500
        with refused("already_decided"):
            services.surge_task_refuse(actor=d.root, task=task, note="重复")
    actions = set(
        AuditEvent.objects.filter(action__startswith="workforce.surge_task").values_list(
            "action", flat=True
        )
    )
    assert actions == {"workforce.surge_task_record", "workforce.surge_task_approve"}


def test_the_district_sees_every_task_and_the_other_street_none(d, team):
    with time_machine.travel(DAY, tick=False):
        task = flood(d, team)
        services.surge_task_refuse(
            actor=d.users["coordinator:own"], task=task, note="未见区级指令原件"
        )
    assert list(surge.tasks_visible_to(d.users["coordinator:own"])) == [task]
    assert list(surge.tasks_visible_to(d.users["street_officer:own"])) == [task]
    assert not surge.tasks_visible_to(d.users["street_officer:other"]).exists()
    assert not surge.tasks_visible_to(d.users["resident:own"]).exists()
    task.refresh_from_db()
    assert task.state == "refused" and task.subsidy_fen is None


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"instruction": "  "}, "required"),
        ({"reason": ""}, "required"),
        ({"kind": "party"}, "choice"),
        ({"ended_on": D(2026, 8, 9)}, "date_order"),
        ({"started_on": D(2026, 8, 21), "ended_on": D(2026, 8, 21)}, "future_date"),
        ({"hours": {}}, "no_hours"),
        ({"hours": "zero"}, "hours"),
        ({"hours": "too_many"}, "hours"),
        ({"hours": "stranger"}, "not_in_post"),
    ],
)  # fmt: skip
def test_bad_surge_tasks_are_refused_and_write_nothing(d, team, enrol, fields, code):
    with time_machine.travel(DAY, tick=False):
        if fields.get("hours") == "zero":
            fields = {"hours": {team[0].pk: "0"}}
        elif fields.get("hours") == "too_many":
            fields = {"hours": {team[0].pk: "33"}}  # two days, 16 hours a day at most
        elif fields.get("hours") == "stranger":
            stranger = enrol(name="周游", community=d.communities[1], actor=d.root)
            fields = {"hours": {stranger.pk: 3}}
        with refused(code) as refusal:
            flood(d, team, **fields)
    assert counts() == (0, 0)
    if "instruction" in fields:
        assert "区级指令" in refusal.value.message


def test_refusing_needs_a_reason(d, team):
    with time_machine.travel(DAY, tick=False):
        task = flood(d, team)
        with refused("required"):
            services.surge_task_refuse(actor=d.users["coordinator:own"], task=task, note="")
    task.refresh_from_db()
    assert task.state == "recorded"
