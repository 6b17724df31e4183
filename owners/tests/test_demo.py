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
