"""The demo builder of the owners app on the small test district."""

import pytest

from core.testing import build_small_district
from owners import demo, tally
from owners.models import Committee, Compound, Decision
from owners.testing import owner_person

pytestmark = pytest.mark.django_db


def test_the_demo_compound_has_a_filed_committee_a_published_vote_and_one_open():
    d = build_small_district()
    for n in range(5):
        owner_person(actor=d.root, community=d.grids[0], name=f"居民{n}")
    lines = []
    demo.build(district=d.district, builder=d.root, seed=2026, out=lines.append)
    compound = Compound.objects.get()
    assert compound.parts.count() == len(demo.AREAS) and "秀水苑" in lines[0]
    assert Committee.objects.get().stage == "filed"
    published = Decision.objects.get(state="published", matter="fund_use")
    assert tally.count(published.tally["data"]) == published.tally["result"]
    assert published.tally["result"]["passed"] is True
    assert Decision.objects.filter(state="open", kind="consultation").count() == 1
    # The demo resident who logs in owns a part there, so their menu leads to the compound.
    assert d.users["resident:own"].has_perm("owners.view_compound", compound)


def test_the_demo_compounds_company_has_requests_to_handle(client):
    """services' demo makes 物业服务纠纷 an item handled at 物业; the compound's residents file
    it, and the property staff of the community find it on their list, some signed, one
    overdue, one not signed in time."""
    from django.urls import reverse
    from django.utils import timezone

    from core import services as core_services
    from services import demo as services_demo
    from services import selectors
    from services.models import Level, ServiceItem, State

    d = build_small_district()
    core_services.department_create(actor=d.root, district=d.district, name="住建局",
                                    short_code="zj")  # fmt: skip
    for n in range(5):
        owner_person(actor=d.root, community=d.grids[0], name=f"居民{n}")
    lines = []
    services_demo.build(district=d.district, builder=d.root, seed=2026, out=lines.append)
    item = ServiceItem.objects.get(district=d.district, code=services_demo.PROPERTY_ITEM)
    assert item.handling_level == Level.PROPERTY
    demo.build(district=d.district, builder=d.root, seed=2026, out=lines.append)
    assert "物业诉求：秀水苑业主提出5件，已转金陵物业服务有限公司办理" in lines
    staff = d.users["property_staff:own"]
    queue = list(selectors.property_queue(staff))
    now = timezone.now()
    assert len(queue) == 4  # the fifth was answered and rated
    signed = [r for r in queue if r.state == State.HANDLING]
    waiting = [r for r in queue if r.state == State.DISPATCHED]
    assert len(signed) == 2 and sum(r.due_at < now for r in signed) == 1
    assert len(waiting) == 2 and sum(r.sign_due < now for r in waiting) == 1
    assert all(r.due_at > now for r in waiting)
    client.force_login(staff)
    page = client.get(reverse("services:property")).content.decode()
    assert all(r.number in page for r in queue) and page.count("tone-alert") == 2
    # Another community's property staff act for no company: no list.
    client.force_login(d.users["property_staff:other"])
    assert client.get(reverse("services:property")).status_code == 403
