"""A list of needs links only the needs whose page opens (issue #21, item 2): a community worker's
time-bank home listed the needs of every community in the district, and the others' needs
answered "没有找到，或您无权查看". The list and the page read one rule: ``needs_opened_by`` is the
query form of ``can_see_suggestions``."""

import re

import pytest

from core.models import Role
from timebank import selectors, services
from timebank.models import Listing, ListingKind

pytestmark = pytest.mark.django_db

NEEDS = re.compile(r'<ul class="list" data-testid="matched-needs">(.*?)</ul>', re.S)


@pytest.fixture
def needs(bank):
    own = services.listing_create(  # posted by the district's admin for a resident there
        actor=bank.d.users["admin:own"], kind="need", category="company", title="陪王奶奶聊天",
        minutes=30, recipient=bank.elder.person,
    )  # fmt: skip
    other = services.listing_create(
        actor=bank.d.users["community_worker:other"], kind="need", category="company",
        title="陪孙大爷散步", minutes=30, recipient=bank.far.person,
    )  # fmt: skip
    return own, other


def test_worker_home_links_only_needs_that_open(bank, needs, client):
    own, other = needs
    client.force_login(bank.worker)
    page = client.get("/timebank/").content.decode()
    (listed,) = NEEDS.findall(page)
    assert own.title in listed and other.title in listed  # both shown: volunteers serve anywhere
    links = re.findall(r'href="(/timebank/needs/\d+/)"', listed)
    assert links == [f"/timebank/needs/{own.pk}/"]
    for link in links:
        assert client.get(link).status_code == 200


def test_need_pages_open_as_listed(bank, needs):
    """The pair agrees for every role and need: in the query ⇔ the page's own check."""
    users = [bank.d.root]
    users += [bank.d.users[f"{role}:{side}"] for role in Role for side in ("own", "other")
              if f"{role}:{side}" in bank.d.users]  # fmt: skip
    all_needs = Listing.objects.filter(kind=ListingKind.NEED)
    assert all_needs.count() >= 2
    for user in users:
        opened = set(selectors.needs_opened_by(user).values_list("pk", flat=True))
        for need in all_needs:
            assert (need.pk in opened) == selectors.can_see_suggestions(user, need), (user, need)
