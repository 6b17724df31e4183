"""The 居务监督委员会 member's workbench lists the boards submitted for their review (issue #17
item 4), and only their community's; other roles get no such card."""

import pytest

from core.workbench import cards_for
from finance.tests.test_boards import prepare

pytestmark = pytest.mark.django_db
TITLE = "待审核的公开栏"


def _card(user):
    return next((c for c in cards_for(user) if str(c.title) == TITLE), None)


def test_member_sees_submitted_boards_of_their_community(d):
    member, other = d.users["supervision_member:own"], d.users["supervision_member:other"]
    assert _card(member).count == 0 and "没有待审核" in _card(member).empty_text
    board = prepare(d)
    assert _card(member).count == 0  # a draft is not waiting for review
    from finance import services

    services.disclosure_submit(actor=d.users["community_worker:own"], disclosure=board)
    card = _card(member)
    assert card.count == 1 and card.items[0].url == f"/finance/boards/{board.pk}/"
    assert d.communities[0].name in card.items[0].text and card.tone == "warn"
    assert _card(other).count == 0
    for role in ("community_worker:own", "street_officer:own", "resident:own"):
        assert _card(d.users[role]) is None
    services.disclosure_publish(actor=member, disclosure=board)
    assert _card(type(member).objects.get(pk=member.pk)).count == 0
