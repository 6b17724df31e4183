"""The demo's deliberation, built through the services and dated back from the day it is built:
two decisions published about sixteen and fourteen months ago (the convention adopted, parking on
the green voted down), three in the last eight months (two carried out, the parking-fee hearing's
under way), and a meeting announced for next week. So the district's one page shows decisions in
both of its periods, on any day the demo is built."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from core import clock
from core import services as core_services
from core.models import Role
from core.testing import PASSWORD, build_small_district
from dashboard import figures, selectors
from deliberation import demo
from deliberation.models import Decision, Document, Meeting, Representative
from notify.models import Message

pytestmark = pytest.mark.django_db

# The year's last minutes and the next year's first (Beijing), and a leap day.
DAYS = ["2026-12-31T23:50:00+08:00", "2027-01-01T00:00:30+08:00", "2028-02-29T12:00:00+08:00"]


def _built():
    """A small district with three more residents with a login in the first community's first
    grid (the demo's residents), and the demo built on it."""
    d = build_small_district()
    for n in (1, 2, 3):
        core_services.person_register(
            actor=d.root, place=d.grids[0], name=f"居民{n}", mobile=f"1390000000{n}",
            password=PASSWORD, password_is_temporary=False, role=Role.RESIDENT,
        )  # fmt: skip
    lines = []
    demo.build(district=d.district, builder=d.root, seed=2026, out=lines.append)
    return d, lines


def _ago(moment) -> int:
    return (clock.today() - timezone.localtime(moment).date()).days


def test_the_demo_publishes_decisions_over_two_years():
    d, lines = _built()
    decisions = list(Decision.objects.order_by("published_at"))
    assert [x.title for x in decisions] == [
        "通过《居民公约》", "占用3号楼前绿地增设12个停车位", "楼道统一更换声控LED灯",
        "通过为民服务项目资金使用方案", "停车收费按月150元执行",
    ]  # fmt: skip
    assert [x.status for x in decisions] == ["done", "rejected", "done", "done", "in_progress"]
    assert [round(_ago(x.published_at), -1) for x in decisions] == [480, 420, 230, 130, 70]
    assert decisions[-1].progress == 60 and decisions[1].votes_for == 1
    assert Document.objects.get().versions.get().decision == decisions[0]
    # The representatives were in office at both of their meetings, three each time.
    assert Representative.objects.filter(community=d.communities[0]).count() == 3
    assert [x.present for x in decisions if "代表" in x.meeting.title] == [3, 3]
    assert Meeting.objects.filter(state="published").count() == 5
    upcoming = Meeting.objects.get(state="noticed")
    assert upcoming.starts_at > clock.now()
    heard = set(Message.objects.values_list("kind", flat=True))
    assert {"deliberation.meeting_noticed", "channel.post_published"} <= heard
    assert "协商议事" in lines[0]


@pytest.mark.parametrize("moment", DAYS)
def test_the_district_page_shows_decisions_in_both_periods_on_any_day(moment):
    with time_machine.travel(datetime.datetime.fromisoformat(moment), tick=False):
        d, _lines = _built()
        scope = selectors.scope_of(d.root, d.district, clock.today())
        figure = {f.key: f for f in figures.figures()}["deliberation_decisions"]
        value = figure.compute(scope)
        now = clock.now()
        written = [
            *Decision.objects.values_list("published_at", flat=True),
            *Meeting.objects.exclude(held_at=None).values_list("held_at", flat=True),
            *Meeting.objects.values_list("noticed_at", flat=True),
        ]
    assert value.current > 0 and value.previous > 0
    assert (value.current, value.previous) == (3, 2)
    assert figures.Result(figure, "", value).direction == "better"
    assert "未通过0项" in value.detail
    assert max(written) <= now  # the coming meeting was announced just now
