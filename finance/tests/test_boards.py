"""居务公开 (issue #17 item 4): boards generated per period by rule, no month skipped, reviewed
by the 居务监督委员会 member before residents see them, an A3 print, overdue ones flagged."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from core import clock
from core.models import AuditEvent
from core.testing import PASSWORD
from core.tests.refused import refused
from finance import periods, selectors, services
from finance.models import Disclosure
from finance.tests.conftest import receipt_png

pytestmark = pytest.mark.django_db


def month_start(back: int) -> datetime.date:
    return periods.add_months(clock.today().replace(day=1), -back)


def quarter_start(back: int) -> datetime.date:
    return periods.add_months(periods.period_containing(clock.today(), "quarterly"), -3 * back)


def prepare(d, board="finance", start=None, note="", who="community_worker:own"):
    return services.disclosure_prepare(
        actor=d.users[who], community=d.communities[0], board=board,
        period_start=start or month_start(1), note=note,
    )  # fmt: skip


def test_a_month_is_generated_from_the_books_then_reviewed_and_published(client, d):
    worker, officer = d.users["community_worker:own"], d.users["street_officer:own"]
    day = month_start(1) + datetime.timedelta(days=4)
    services.budget_set(actor=officer, community=d.communities[0], year=day.year,
                        category="activity", amount_fen=1_000_000)  # fmt: skip
    spending = services.spending_record(
        actor=worker, community=d.communities[0], category="activity", amount_fen=88_800,
        payee="社区老年活动中心", purpose="重阳节敬老活动", spent_on=day, receipt=receipt_png(),
    )  # fmt: skip
    with refused("pending_spending"):
        prepare(d)
    services.spending_approve(actor=officer, spending=spending)
    board = prepare(d)
    assert board.content["spending_total_fen"] == 88_800
    assert [m["month"] for m in board.content["months"]] == [month_start(1).isoformat()]
    assert board.content["spendings"][0]["receipt"] is True
    resident = d.users["resident:own"]
    assert not resident.has_perm("finance.view_disclosure", board)
    with pytest.raises(PermissionDenied):  # the worker does not review their own board
        services.disclosure_publish(actor=worker, disclosure=board)
    services.disclosure_submit(actor=worker, disclosure=board)
    member = d.users["supervision_member:own"]
    with pytest.raises(PermissionDenied):
        services.disclosure_publish(actor=d.users["supervision_member:other"], disclosure=board)
    services.disclosure_return(actor=member, disclosure=board, note="请补充活动参加人数")
    board = services.disclosure_refresh(actor=worker, disclosure=board, note="参加活动老人120名")
    services.disclosure_submit(actor=worker, disclosure=board)
    board = services.disclosure_publish(actor=member, disclosure=board, note="核对无误")
    resident = type(resident).objects.get(pk=resident.pk)
    assert resident.has_perm("finance.view_disclosure", board)
    assert board in selectors.visible_disclosures(resident)
    client.login(username=d.logins["resident:own"], password=PASSWORD)
    page = client.get(reverse("finance:board", args=[board.pk])).content.decode()
    assert "¥888.00" in page and "参加活动老人120名" in page


def test_missing_months_are_refused_and_nothing_is_written(d):
    prepare(d, start=month_start(4))
    before = (Disclosure.objects.count(), AuditEvent.objects.count())
    with refused("missing_months", match="缺少"):
        prepare(d, start=month_start(2))
    assert (Disclosure.objects.count(), AuditEvent.objects.count()) == before
    prepare(d, start=month_start(3))
    prepare(d, start=month_start(2))


@pytest.mark.parametrize(
    ("board", "start", "code"),
    [("finance", lambda: month_start(0), "period_open"),
     ("finance", lambda: month_start(1) + datetime.timedelta(days=1), "period"),
     ("affairs", lambda: quarter_start(1) + datetime.timedelta(days=31), "period"),
     ("party", lambda: quarter_start(1), "note"),
     ("nonsense", lambda: month_start(1), "board")],
)  # fmt: skip
def test_bad_periods_are_refused(d, board, start, code):
    with refused(code):
        prepare(d, board=board, start=start())


def test_affairs_board_reads_the_other_apps(d):
    board = prepare(d, board="affairs", start=quarter_start(1))
    assert {"tasks", "refused_unadmitted", "admitted", "requests", "satisfaction_rate"} <= set(
        board.content
    )
    party = prepare(d, board="party", start=quarter_start(1), note="发展党员1名；党费收缴情况")
    assert party.content == {}


def test_overdue_boards_are_flagged_to_the_street_office(client, d):
    today = clock.today()
    late = selectors.overdue([d.communities[0]], today)
    assert any(o.board == "finance" and o.period_start == month_start(2) for o in late)
    board = prepare(d, start=month_start(2))
    services.disclosure_submit(actor=d.users["community_worker:own"], disclosure=board)
    services.disclosure_publish(actor=d.users["supervision_member:own"], disclosure=board)
    late = selectors.overdue([d.communities[0]], today)
    assert not any(o.board == "finance" and o.period_start == month_start(2) for o in late)
    client.login(username=d.logins["street_officer:own"], password=PASSWORD)
    page = client.get(reverse("finance:supervision")).content.decode()
    assert "逾期未公开" in page and d.communities[0].name in page


def test_the_a3_notice_is_a_pdf(client, d):
    board = prepare(d)
    client.login(username=d.logins["community_worker:own"], password=PASSWORD)
    response = client.get(reverse("finance:board_pdf", args=[board.pk]))
    if response.status_code == 503:
        pytest.skip("WeasyPrint is not installed here")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    from django.template.loader import render_to_string
    from weasyprint import HTML

    from finance.boards import _context

    html = render_to_string("finance/board_a3.html", _context(board))
    page = HTML(string=html).render().pages[0]
    # CSS pixels at 96 per inch: A3 portrait is 297 mm × 420 mm.
    assert (round(page.width / 96 * 25.4), round(page.height / 96 * 25.4)) == (297, 420)
