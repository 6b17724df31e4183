"""The demo builder (through the real services) and the workbench cards."""

import datetime

import pytest

from core.models import Role
from core.workbench import cards_for
from services import demo
from services.models import Open311Key, ServiceRequest, State

pytestmark = pytest.mark.django_db


def test_demo_history_and_open311_key(world):
    lines = []
    demo.build(district=world.d.district, builder=world.d.root, seed=7, out=lines.append)
    assert any("api_key" in line for line in lines)
    assert Open311Key.objects.filter(district=world.d.district).exists()
    requests = ServiceRequest.objects.filter(district=world.d.district)
    assert requests.count() == demo.HISTORY
    states = set(requests.values_list("state", flat=True))
    assert {State.RATED, State.HANDLING} <= states
    # The clock was set back: a few weeks of history, events moved with their requests.
    oldest = requests.order_by("created_at").first()
    assert (requests.latest("created_at").created_at - oldest.created_at).days >= 14
    assert oldest.events.first().at <= oldest.created_at + datetime.timedelta(seconds=5)
    # The public map has something to draw on an intranet: every place outlined, and each
    # request a point inside its grid's outline (issue #14 item 4).
    from core.models import Place, PlaceBoundary

    places = Place.objects.filter(path__startswith=world.d.district.path, is_active=True)
    assert PlaceBoundary.objects.filter(district=world.d.district).count() == places.count()
    req = requests.filter(place__level="grid").first()
    ring = PlaceBoundary.objects.get(place=req.place).geometry["coordinates"][0]
    lngs, lats = [p[0] for p in ring], [p[1] for p in ring]
    assert min(lats) < float(req.lat) < max(lats) and min(lngs) < float(req.long) < max(lngs)
    assert not requests.filter(lat__isnull=True).exists()


def test_workbench_cards_per_role(world, client):
    from services.tests.test_lifecycle import submit, to_state

    to_state(world, "dispatched")
    submit(world)
    titles = {role: {c.title for c in cards_for(world.d.users[f"{role}:own"])} for role in Role}
    assert "待受理和派单的诉求" in titles[Role.COORDINATOR]
    assert "部门诉求工单" in titles[Role.DEPARTMENT_OFFICER]
    assert "我的诉求" in titles[Role.RESIDENT]
    assert "网格工单" in titles[Role.GRID_WORKER]
    assert not {"待受理和派单的诉求", "部门诉求工单"} & titles[Role.RESIDENT]
    client.force_login(world.d.users["coordinator:own"])
    assert "待受理和派单的诉求" in client.get("/").content.decode()
