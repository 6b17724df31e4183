"""Every moment shown to people is in Beijing time (issue #21, item 1).

The clock stops at 23:30 UTC on 2 December 2026, which is 07:30 on 3 December in Beijing. A
moment formatted without converting it reads "12-02 23:30": eight hours early and, as at any
time after 16:00 UTC, on the day before.
"""

import datetime
import re
from pathlib import Path

import pytest
import time_machine

from core import clock
from core import services as core_services
from core.models import AuditEvent
from core.testing import build_small_district

AT = datetime.datetime(2026, 12, 2, 23, 30, tzinfo=datetime.UTC)
BEIJING = "12-03 07:30"
UTC = "12-02 23:30"


@pytest.fixture
def at_2330_utc():
    with time_machine.travel(AT, tick=False):
        yield


def test_shown_reads_beijing_time():
    assert clock.shown(AT) == BEIJING
    assert clock.shown(AT, "%Y-%m-%d %H:%M") == "2026-12-03 07:30"
    assert clock.shown(AT, "%m-%d") == "12-03"
    # A date has no time zone: shown as it is.
    assert clock.shown(datetime.date(2026, 12, 2), "%m-%d") == "12-02"
    assert clock.shown(None) == ""
    with pytest.raises(ValueError, match="timezone-aware"):
        clock.shown(datetime.datetime(2026, 12, 2, 23, 30))


@pytest.mark.django_db
def test_workbench_messages_and_audit_in_beijing_time(at_2330_utc, client):
    d = build_small_district()  # its audit events are stamped at AT
    admin = d.users["admin:own"]
    core_services.notify(user=admin, title="停水通知", url="/notifications/")
    client.force_login(admin)
    page = client.get("/").content.decode()
    assert "停水通知" in page and "最近操作记录" in page
    # The message's card and the audit card each show the moment in Beijing time.
    assert page.count(BEIJING) >= 2
    assert UTC not in page
    # And so do the pages they lead to (templates: Django's |date converts).
    for url in ("/notifications/", "/audit/"):
        page = client.get(url).content.decode()
        assert "07:30" in page and "23:30" not in page, url
    export = b"".join(client.get("/audit/export.csv").streaming_content).decode("utf-8-sig")
    assert "2026-12-03 07:30:00" in export and "23:30" not in export


@pytest.mark.django_db
def test_department_deadline_on_the_workbench_is_the_beijing_day(at_2330_utc, client):
    from services.models import ServiceRequest
    from services.tests.conftest import build_world
    from services.tests.test_lifecycle import to_state

    world = build_world()
    request = to_state(world, "dispatched")
    # Due at 00:57 on 8 December in Beijing: 16:57 UTC on the 7th.
    due = datetime.datetime(2026, 12, 7, 16, 57, tzinfo=datetime.UTC)
    ServiceRequest.objects.filter(pk=request.pk).update(due_at=due)
    client.force_login(world.officer)
    page = client.get("/").content.decode()
    assert request.number in page
    assert "12-08" in page
    assert "12-07" not in page


@pytest.mark.django_db
def test_registry_conflict_on_the_workbench_opened_on_the_beijing_day(at_2330_utc, client):
    from registry import services as registry_services
    from registry.testing import build_sample_district

    d = build_sample_district()
    registry_services.ensure_fields(d.district)
    person = core_services.person_register(
        actor=d.root, place=d.grids[0], name="王阿姨", id_number="320104195001011237"
    )
    mz = d.departments[0]
    ga = next(x for x in d.departments if x.short_code == "ga")
    registry_services.fact_record(
        actor=d.users["department_officer:own"], person=person, key="living_alone", raw="是",
        source=mz,
    )  # fmt: skip
    outcome, _fact, conflict = registry_services.fact_record(
        actor=d.users["ga_officer"], person=person, key="living_alone", raw="否", source=ga
    )
    assert outcome == "conflict"
    client.force_login(d.users["community_worker:own"])
    page = client.get("/").content.decode()
    assert "数据冲突待核定" in page and "王阿姨" in page
    assert "12-03" in page
    assert "12-02" not in page


def test_what_models_call_themselves_is_in_beijing_time():
    """A model's ``__str__`` (the admin, logs, a choice's label) shows its moment in Beijing time."""
    from core.models import Place
    from services.models import RequestPublicText, RoutingModel
    from workload.models import Trace

    event = AuditEvent(at=AT, actor_name="root", action="place.create", object_repr="秦淮区")
    assert str(event) == "2026-12-03 07:30 root place.create 秦淮区"
    assert str(RequestPublicText(request_id=7, published_at=AT)) == "7 2026-12-03 07:30"
    assert (
        str(RoutingModel(district=Place(name="秦淮区"), trained_at=AT)) == "秦淮区 2026-12-03 07:30"
    )
    assert str(Trace(action=Trace.Action.REFUSED, at=AT)).endswith(" 2026-12-03")


# A formatted expression is a moment when its name says so (created_at, due_at, e.at, now()).
MOMENT = re.compile(r"(^|[._])at$|(^|\.)now\(\)$|localtime\(.*\)$|_due$")
STRFTIME = re.compile(r"([\w.()\[\]]+?)\.strftime\(")
F_STRING = re.compile(r"\{([^{}:!\"']+):%[^}]*\}")
# Moments formatted for machines, never shown: a reminder's once-only key.
NOT_SHOWN = {("admission/tasks.py", "request.review_due_at")}


def test_no_moment_is_formatted_but_by_clock_shown():
    """Python formats a moment for people only through ``clock.shown``: a ``strftime`` or an
    f-string format of a ``…_at``/``now()`` elsewhere shows UTC. (Dates, months and times of
    day have no time zone and may be formatted as they are.)"""
    root = Path(__file__).resolve().parents[2]
    found = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith((".venv/", "bench/")) or "/migrations/" in relative:
            continue
        if "/tests/" in relative or relative == "core/clock.py":
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            for match in [*STRFTIME.finditer(line), *F_STRING.finditer(line)]:
                expression = match.group(1).strip()
                if MOMENT.search(expression) and (relative, expression) not in NOT_SHOWN:
                    found.append(f"{relative}:{number}: {expression}")
    assert not found, "format these with core.clock.shown:\n" + "\n".join(found)
