"""The demo's civic data, built through the services and dated back from the day it is built: the
call of the year before last carried through a scored review (a reviewer's declared conflict
keeps them from scoring that applicant) to a grant paid in full; last year's call funding both
organisations, a little more; the next call open with an application. So the district's one
page shows grants in both of its periods, on any day the demo is built."""

import datetime

import pytest
import time_machine

from civic import demo, services
from civic.models import (
    Application,
    Fund,
    FundEntry,
    Grant,
    GrantCall,
    Milestone,
    Score,
    SocialOrganisation,
)
from civic.tests.world import member_account
from core import clock
from core import services as core_services
from core.models import Role
from core.testing import PASSWORD, build_small_district
from dashboard import figures, selectors

pytestmark = pytest.mark.django_db

# The year's last minutes and the next year's first (Beijing), and a leap day.
DAYS = ["2026-12-31T23:50:00+08:00", "2027-01-01T00:00:30+08:00", "2028-02-29T12:00:00+08:00"]


def _built():
    d = build_small_district()
    member_account(d, d.communities[1], "org-second", "13911110002")
    # A third community in the first street, with its worker (the panel's third reviewer).
    third = core_services.place_create(actor=d.root, parent=d.streets[0], name="第1街道第3社区",
                                       code=f"{d.streets[0].code}003")  # fmt: skip
    core_services.person_register(actor=d.root, place=third, name="社区工作者三", username="c3",
                                  password=PASSWORD, password_is_temporary=False,
                                  role=Role.COMMUNITY_WORKER)  # fmt: skip
    lines = []
    demo.build(district=d.district, builder=d.root, seed=1, out=lines.append)
    return d, lines


def _statuses(application) -> list[str]:
    return list(application.grant.milestones.order_by("due_on").values_list("status", flat=True))


def test_the_demo_builds_two_years_of_reviewed_calls_and_an_open_one():
    d, lines = _built()
    fund = Fund.objects.get()
    earlier, last, current = GrantCall.objects.order_by("created_at")
    year = int(last.title[:4])
    assert (earlier.title[:4], current.title[:4]) == (str(year - 1), str(year + 1))
    assert [c.status for c in (earlier, last, current)] == ["closed", "closed", "open"]

    awarded = earlier.applications.get(status=Application.Status.AWARDED)
    assert awarded.organisation.community == d.communities[0]
    assert awarded.grant.amount_fen == 3_600_000
    assert services.counted_scores(awarded).count() == 3
    declined = earlier.applications.get(status=Application.Status.DECLINED)
    # The reviewer who declared a conflict with the second organisation did not score it.
    assert services.counted_scores(declined).count() == 2
    assert earlier.seats.filter(conflicts__organisation=declined.organisation).count() == 1
    assert _statuses(awarded) == [Milestone.Status.ACCEPTED, Milestone.Status.ACCEPTED]

    first, second = last.applications.order_by("submitted_at")
    assert (first.status, second.status) == ("awarded", "awarded")
    assert (first.grant.amount_fen, second.grant.amount_fen) == (3_800_000, 1_200_000)
    assert _statuses(first) == [Milestone.Status.ACCEPTED, Milestone.Status.PLANNED]
    assert _statuses(second) == [Milestone.Status.REPORTED, Milestone.Status.PLANNED]
    assert not last.seats.filter(conflicts__isnull=False).exists()
    paid = 3_600_000 + 1_900_000
    assert services.balance(fund) == 20_000_000 + 3 * 10_000_000 - paid

    assert current.applications.count() == 1 and current.closes_on > clock.today()
    assert "公益创投" in lines[0] and "3个项目" in lines[0]


def _moments():
    """Every moment the demo wrote: none lies ahead of the day it was built."""
    moments = [
        *Grant.objects.values_list("awarded_at", flat=True),
        *Score.objects.values_list("scored_at", flat=True),
        *GrantCall.objects.values_list("created_at", flat=True),
        *FundEntry.objects.values_list("created_at", flat=True),
        *Milestone.objects.exclude(reported_at=None).values_list("reported_at", flat=True),
        *Milestone.objects.exclude(accepted_at=None).values_list("accepted_at", flat=True),
    ]
    days = [*SocialOrganisation.objects.values_list("filed_on", flat=True)]
    return moments, days


@pytest.mark.parametrize("moment", DAYS)
def test_the_district_page_shows_grants_in_both_periods_on_any_day(moment):
    with time_machine.travel(datetime.datetime.fromisoformat(moment), tick=False):
        d, _lines = _built()
        scope = selectors.scope_of(d.root, d.district, clock.today())
        shown = {f.key: f for f in figures.figures()}
        grants = shown["civic_grants"].compute(scope)
        yuan = shown["civic_grant_yuan"].compute(scope)
        moments, days = _moments()
        now = clock.now()
    assert grants.current > 0 and grants.previous > 0
    assert (grants.current, grants.previous) == (2, 1)
    assert yuan.current > yuan.previous > 0  # a little more than the year before
    assert (yuan.current, yuan.previous) == (50_000.0, 36_000.0)
    for figure, value in (("civic_grants", grants), ("civic_grant_yuan", yuan)):
        assert figures.Result(shown[figure], "", value).direction == "better"
    assert max(moments) < now and max(days) <= now.date()
