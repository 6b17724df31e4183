"""The demo's civic data, built through the services: last year's 公益创投 carried through a
scored review (a reviewer's declared conflict keeps them from scoring that applicant) to a grant
with its first milestone paid from the fund; this year's call open with an application."""

import pytest

from civic import demo, services
from civic.models import Application, Fund, GrantCall, Milestone
from civic.tests.world import member_account
from core import clock
from core import services as core_services
from core.models import Role
from core.testing import PASSWORD, build_small_district

pytestmark = pytest.mark.django_db


def test_the_demo_builds_a_reviewed_call_with_a_paid_milestone():
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

    fund = Fund.objects.get()
    last_year = clock.today().year - 1
    past = GrantCall.objects.get(title__startswith=str(last_year))
    assert past.status == GrantCall.Status.CLOSED and past.fund == fund
    awarded = past.applications.get(status=Application.Status.AWARDED)
    assert awarded.organisation.community == d.communities[0]
    assert awarded.grant.amount_fen == 3_600_000
    assert services.counted_scores(awarded).count() == 3
    declined = past.applications.get(status=Application.Status.DECLINED)
    # The reviewer who declared a conflict with the second organisation did not score it.
    assert services.counted_scores(declined).count() == 2
    assert past.seats.filter(conflicts__organisation=declined.organisation).count() == 1
    statuses = list(awarded.grant.milestones.order_by("due_on").values_list("status", flat=True))
    assert statuses == [Milestone.Status.ACCEPTED, Milestone.Status.REPORTED]
    assert services.balance(fund) == 50_000_000 + 30_000_000 - 1_800_000
    assert fund.entries.filter(milestone__isnull=False).get().amount_fen == -1_800_000

    current = GrantCall.objects.get(title__startswith=str(clock.today().year))
    assert current.status == GrantCall.Status.OPEN and current.applications.count() == 1
    assert "公益创投" in lines[0]
