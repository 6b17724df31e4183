"""The burden shares from activity (issue #13 item 6): requests community workers handled,
meetings communities were called to and inspections they hosted feed the shares through
workload.hooks, without a typed time log."""

import datetime

import pytest
import time_machine

from admission import services as admission
from admission.models import AdmittedItem
from admission.tests.conftest import application, decide
from core.testing import build_small_district
from services import services as requests
from services.models import RequestEvent
from workload import hooks, sources
from workload.models import TimeLog
from workload.selectors import burden

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 6, 10, 4, 0, tzinfo=datetime.UTC)  # Wednesday, 12:00 Beijing


@pytest.fixture
def d():
    with time_machine.travel(NOON, tick=False):
        district = build_small_district()
        admission.lists_seed(actor=district.root, district=district.district)
        yield district


def test_the_sources_are_registered():
    assert {"services", "timebank", "meetings", "inspections"} <= set(hooks._sources)
    assert "administration" in hooks.CATEGORIES


def test_shares_come_from_activity_not_from_typed_logs(d):
    community = d.communities[0]
    worker = d.users["community_worker:own"]
    officer = d.users["department_officer:own"]
    with time_machine.travel(NOON, tick=False):
        request = requests.request_submit(
            actor=worker, place=community, description="楼道灯坏了，晚上很黑，请尽快修理。",
            title="楼道灯不亮",
        )  # fmt: skip
    with time_machine.travel(NOON + datetime.timedelta(minutes=20), tick=False):
        requests.request_accept(actor=d.users["coordinator:own"], request=request)
    with time_machine.travel(NOON + datetime.timedelta(minutes=50), tick=False):
        # A step the community worker took (as the services app records it): 30 minutes after
        # the request's previous step.
        RequestEvent.objects.create(
            request=request, district=d.district, kind="progress", actor=worker,
            actor_name="worker", note="已联系物业",
        )  # fmt: skip
    with time_machine.travel(NOON, tick=False):
        meeting = admission.request_submit(
            **application(d, officer, kind="meeting", title="安全生产季度例会",
                          communities=[community], submit_token="m")
        )  # fmt: skip
        decide(d, meeting)
        admission.sent_down_register(
            actor=officer, kind="meeting", department=d.departments[0], title="二季度例会",
            day=NOON.date(), communities=[community], minutes=90,
            item=AdmittedItem.objects.get(request=meeting), submit_token="m1",
        )  # fmt: skip
    month = datetime.date(2026, 6, 1)
    row = burden([community.pk], month, month)[(community.pk, month)]
    assert TimeLog.objects.count() == 0
    assert row.meetings == 1
    assert row.activity_admin_minutes == 90
    # A community worker's own step on a request counts as service time, bounded.
    steps = list(sources.service_steps([community.pk], month, month))
    assert steps == [(community.pk, month, "service", 30)]  # the coordinator's step not counted
    assert row.service_minutes == 30
    assert (row.administration_share, row.service_share) == (75, 25)
    assert row.recorded_minutes == row.administration_minutes + row.service_minutes


def test_registry_work_typed_by_workers_is_administration(d):
    """Registry work a community's worker does by hand (here: settling facts into the registry,
    recorded as registry.fact_record events) is administration time; the same action by a
    department officer is not the community's time (registry.time_source)."""
    from core import audit
    from registry import time_source

    assert "registry" in hooks._sources
    community, grid = d.communities[0], d.grids[0]
    month = datetime.date(2026, 6, 1)
    with time_machine.travel(NOON, tick=False):
        for n in range(3):
            audit.record(actor=d.users["grid_worker:own"], action="registry.report_fill",
                         obj=grid, place=grid, changes={"n": n})  # fmt: skip
        audit.record(actor=d.users["community_worker:own"], action="registry.conflict_settle",
                     obj=community, place=community)  # fmt: skip
        audit.record(actor=d.users["department_officer:own"], action="registry.fact_record",
                     obj=community, place=community)  # fmt: skip
        audit.record(actor=d.users["community_worker:own"], action="registry.import_commit",
                     obj=community, place=community)  # fmt: skip
    found = list(time_source.hand_work([community.pk, d.communities[2].pk], month, month))
    minutes = sum(m for c, _month, category, m in found if c == community.pk)
    assert {category for *_rest, category, _m in found} == {"administration"}
    assert minutes == 3 * time_source.CELL_MINUTES + time_source.CONFLICT_MINUTES
    assert not [row for row in found if row[0] == d.communities[2].pk]
    with time_machine.travel(NOON, tick=False):
        rows = burden([community.pk], month, month)
    assert rows[(community.pk, month)].activity_admin_minutes >= minutes


def test_certificates_a_worker_answers_are_service_time(d):
    """A certificate a resident asked for, answered by the community's worker (redirected to
    its authority here), is service time; the sources are registered by name."""
    assert {"certificates", "registry", "services", "timebank"} <= set(hooks._sources)
    community = d.communities[0]
    entry = admission.entries_in_force(d.district, "certificate").first()
    with time_machine.travel(NOON, tick=False):
        admission.certificate_answer(
            actor=d.users["community_worker:own"], community=community, entry=entry
        )
    month = datetime.date(2026, 6, 1)
    found = list(sources.certificates([community.pk], month, month))
    assert found == [(community.pk, month, "service", sources.REDIRECT_MINUTES)]
