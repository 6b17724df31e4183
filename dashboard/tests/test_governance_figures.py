"""The governance half of the district's one page (finance, deliberation, owners, civic,
training: each app's figures.py) on a small district (two streets of two communities): each
figure counts exactly the rows it claims, inside the scope (the district, or its first street) and
the period (the twelve months to this one against the twelve before, by Beijing days), and leaves
out the rest; the page shows them to every role that sees it, and their lists open for those roles.

Rows are written straight to the tables (these tests are of the counting, not of the services that
make them), each dated by an update; the clock stands at 2 December 2026, 09:30 Beijing time."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from core.testing import build_small_district
from core.tests.modules import rolled_back_after
from dashboard import figures, selectors

MOMENT = datetime.datetime.fromisoformat("2026-12-02T09:30:00+08:00")
KEYS = [
    "disclosure_on_time",
    "deliberation_decisions",
    "owners_votes",
    "civic_grants",
    "civic_grant_yuan",
    "training_hours",
]
VIEWERS = ["admin:own", "coordinator:own", "street_officer:own", "auditor:own"]


def at(text: str) -> datetime.datetime:
    """A Beijing moment: "2026-10-10 23:30"."""
    return datetime.datetime.fromisoformat(text + "+08:00")


def day(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with time_machine.travel(MOMENT, tick=False), rolled_back_after(django_db_blocker):
        d = build_small_district()
        d.before_rules = _values(d, d.district)  # no disclosure rule yet
        _disclosures(d)
        _deliberation(d)
        _owners(d)
        _civic(d)
        _training(d)
        yield d


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(MOMENT, tick=False):
        yield


def _values(d, place) -> dict:
    scope = selectors.scope_of(d.root, place, MOMENT.date())
    return {r.figure.key: r for r in selectors.compute_all(scope) if r.figure.key in KEYS}


def _places(d):
    return {"district": d.district, "street": d.streets[0]}


# ---------------------------------------------------------------- the rows of each app


def _disclosures(d):
    """The default rules (finance monthly, due 10 days after; party and affairs quarterly, due
    15 days after); boards published on time, late, early, or only submitted."""
    from finance import services
    from finance.models import Disclosure

    services.rules_seed(actor=d.users["coordinator:own"], district=d.district)
    a, b, c, _far = d.communities

    def board(community, kind, start, end, published, status=Disclosure.Status.PUBLISHED):
        Disclosure.objects.create(
            district=d.district, community=community, board=kind, period_start=day(start),
            period_end=day(end), status=status, prepared_by=d.root,
            published_at=at(published) if published else None,
        )  # fmt: skip

    board(a, "finance", "2026-09-01", "2026-09-30", "2026-10-10 23:30")  # due 10-10: on time
    board(b, "finance", "2026-09-01", "2026-09-30", "2026-10-11 00:30")  # a Beijing day late
    board(a, "affairs", "2026-04-01", "2026-06-30", "2026-07-20 10:00")  # due 07-15: late
    board(a, "finance", "2025-03-01", "2025-03-31", "2025-04-08 09:00")  # previous, on time
    board(a, "finance", "2026-11-01", "2026-11-30", "2026-12-01 09:00")  # due 12-10: not yet
    board(c, "finance", "2026-09-01", "2026-09-30", "2026-10-09 09:00")  # other street
    board(b, "party", "2026-07-01", "2026-09-30", None, Disclosure.Status.SUBMITTED)  # not public


def _deliberation(d):
    from deliberation.models import Decision, Meeting

    meetings = {
        c.pk: Meeting.objects.create(
            district=d.district,
            community=c,
            kind="deliberation",
            title="议事会",
            topic="议事事项",
            venue="议事厅",
            starts_at=at("2026-03-01 19:00"),
            state="published",
            convened_by=d.root,
        )  # fmt: skip
        for c in d.communities
    }

    def decision(community, status, published):
        row = Decision.objects.create(
            district=d.district, community=community, meeting=meetings[community.pk],
            title="决定", text="决定内容", votes_for=5, votes_against=1, votes_abstain=0,
            present=6, base=9, status=status, decided_by=d.root,
        )  # fmt: skip
        Decision.objects.filter(pk=row.pk).update(published_at=at(published) if published else None)

    a, b, c, _far = d.communities
    decision(a, "done", "2026-03-02 10:00")
    decision(a, "planned", "2026-01-01 00:10")  # the first Beijing minutes of the period
    decision(b, "rejected", "2026-06-01 10:00")
    decision(b, "in_progress", "2025-12-31 23:50")  # the period before
    decision(a, "dropped", "2025-02-01 10:00")  # the period before
    decision(a, "planned", "2024-12-31 23:50")  # before both
    decision(a, "planned", None)  # decided, not yet published
    decision(c, "done", "2026-05-01 10:00")  # other street


def _owners(d):
    from owners.models import Compound, Decision

    compounds = {
        c.pk: Compound.objects.create(district=d.district, community=c, name=f"小区{c.code}")
        for c in d.communities
    }

    def vote(community, closed, passed=True, kind="vote", state="published"):
        Decision.objects.create(
            district=d.district, community=community, compound=compounds[community.pk],
            kind=kind, matter="fund_use", title="使用维修资金", text="表决内容", state=state,
            created_by=d.root, closed_at=at(closed) if closed else None,
            tally={"result": {"passed": None if kind == "consultation" else passed}},
        )  # fmt: skip

    a, b, c, _far = d.communities
    vote(a, "2026-04-01 10:00")
    vote(b, "2026-09-01 10:00", passed=False, state="closed")  # counted, result not yet public
    vote(a, "2026-02-01 10:00", kind="consultation")  # a consultation decides nothing
    vote(a, None, state="open")  # still open
    vote(b, "2025-12-31 23:50")  # the period before
    vote(a, "2024-06-01 10:00")  # before both
    vote(c, "2026-05-01 10:00")  # other street


def _civic(d):
    from civic.models import Application, Fund, Grant, GrantCall, SocialOrganisation

    fund = Fund.objects.create(
        district=d.district, name="发展基金", source="区财政", created_by=d.root
    )
    orgs = {
        c.pk: SocialOrganisation.objects.create(
            district=d.district,
            community=c,
            street=c.parent,
            name=f"志愿队{c.code}",
            domain="volunteer",
            purpose="志愿服务",
            filing_no=f"F{c.code}",
            filed_on=day("2024-01-01"),
            filed_by=d.root,
        )  # fmt: skip
        for c in d.communities
    }

    def grant(community, yuan_fen, awarded, status="awarded"):
        call = GrantCall.objects.create(
            fund=fund, title="公益创投", description="说明", budget_fen=10_000_000,
            max_grant_fen=10_000_000, closes_on=day("2026-01-31"), status="closed",
            created_by=d.root,
        )  # fmt: skip
        application = Application.objects.create(
            call=call, organisation=orgs[community.pk], title="助老项目", summary="内容",
            requested_fen=yuan_fen or 100_000, status=status, submitted_by=d.root,
        )  # fmt: skip
        if awarded:
            row = Grant.objects.create(
                application=application, amount_fen=yuan_fen, awarded_by=d.root
            )
            Grant.objects.filter(pk=row.pk).update(awarded_at=at(awarded))

    a, b, c, _far = d.communities
    grant(a, 5_000_000, "2026-03-01 10:00")  # 50,000.00 yuan
    grant(a, 200_000, "2026-11-30 23:50")  # 2,000 yuan: a second grant of the same organisation
    grant(b, 1_234_567, "2025-06-01 10:00")  # 12,345.67 yuan, the period before
    grant(a, 100_000, "2025-01-01 00:10")  # 1,000 yuan, the first Beijing minutes before
    grant(a, 700_000, "2024-12-31 23:50")  # before both
    grant(b, 0, None, status="declined")  # applied, not awarded
    grant(c, 800_000, "2026-04-01 10:00")  # other street: 8,000 yuan


def _training(d):
    from training.models import Attendance, ContentArea, Course, Enrolment, Plan
    from workforce import services

    def worker(community, name):
        return services.worker_enrol(
            actor=d.root, community=community, name=name, kind="hired", education="bachelor",
            service_start=day("2016-03-01"), post="other", title="社区专职工作者",
            starts_on=day("2020-01-01"), contract_ends_on=day("2035-12-31"),
        )  # fmt: skip

    area = ContentArea.objects.create(
        district=d.district, name="法律", source="培训大纲", effective_from=day("2020-01-01")
    )
    plan = Plan.objects.create(district=d.district, kind="periodic", year=2026, title="在岗轮训")

    def course(held_on, hours):
        return Course.objects.create(
            district=d.district, plan=plan, title=f"课程{held_on}", area=area, format="classroom",
            held_on=day(held_on), hours=hours, venue="区党校", capacity=50,
        )  # fmt: skip

    def attend(course, w, hours, passed=True):
        enrolment = Enrolment.objects.create(
            district=d.district, community=w.community, course=course, worker=w, created_by=d.root
        )
        if hours is not None:
            Attendance.objects.create(
                district=d.district, community=w.community, enrolment=enrolment, worker=w,
                year=course.held_on.year, hours=hours, passed=passed, created_by=d.root,
            )  # fmt: skip

    a, _b, c, _far = d.communities
    near, other = worker(a, "李娜"), worker(c, "周强")
    may, new_year = course("2026-05-10", 8), course("2026-01-01", 2)
    attend(may, near, 8)
    attend(new_year, near, 2, passed=False)  # credited though not passed
    attend(may, other, 8)  # other street
    attend(course("2025-05-10", 6), near, 6)  # the period before
    attend(course("2024-12-31", 4), near, 4)  # before both
    attend(course("2026-06-01", 4), near, None)  # enrolled, no attendance recorded


# ---------------------------------------------------------------- each figure's count

# (current, previous) for the district and for its first street (communities a and b).
EXPECTED = {
    # Due in the period, per community: finance boards of Dec 2025 to Oct 2026 (11; November's
    # is due 10 December) and the quarters Q4 2025 to Q3 2026 of both others (4 + 4) = 19; the
    # period before: 12 + 4 + 4 = 20. On time: a's and c's September boards; previous: a's March.
    "disclosure_on_time": {
        "district": (round(100 * 2 / 76, 1), round(100 * 1 / 80, 1)),
        "street": (round(100 * 1 / 38, 1), round(100 * 1 / 40, 1)),
    },
    "deliberation_decisions": {"district": (4, 2), "street": (3, 2)},
    "owners_votes": {"district": (3, 1), "street": (2, 1)},
    "civic_grants": {"district": (3, 2), "street": (2, 2)},
    "civic_grant_yuan": {"district": (60_000, 13_345.7), "street": (52_000, 13_345.7)},
    "training_hours": {"district": (18, 6), "street": (10, 6)},
}
DETAILS = {
    "disclosure_on_time": {
        "district": "应公开76期：按时2、逾期公开2、未公开72",
        "street": "应公开38期：按时1、逾期公开2、未公开35",
    },
    "deliberation_decisions": {
        "district": "通过3项（已落实完成2项），未通过1项",
        "street": "通过2项（已落实完成1项），未通过1项",
    },
    "owners_votes": {
        "district": "通过2项，未通过1项；已公布结果2项",
        "street": "通过1项，未通过1项；已公布结果1项",
    },
    "civic_grants": {"district": "资助社会组织2个", "street": "资助社会组织1个"},
    "civic_grant_yuan": {"district": "立项资助3个项目", "street": "立项资助2个项目"},
    "training_hours": {
        "district": "参训3人次，涉及社区工作者2人",
        "street": "参训2人次，涉及社区工作者1人",
    },
}


@pytest.mark.django_db
@pytest.mark.parametrize("where", ["district", "street"])
@pytest.mark.parametrize("key", KEYS)
def test_each_figure_counts_its_rows_in_scope_and_period(world, key, where):
    result = _values(world, _places(world)[where])[key]
    assert (result.value.current, result.value.previous) == EXPECTED[key][where]
    assert result.value.detail == DETAILS[key][where]


@pytest.mark.django_db
def test_without_a_disclosure_rule_nothing_is_due_and_no_share_is_made_up(world):
    result = world.before_rules["disclosure_on_time"]
    assert (result.value.current, result.value.previous) == (None, None)
    assert result.shown == "—" and result.direction == ""


@pytest.mark.django_db
def test_each_figure_says_what_it_counts_its_unit_and_better_side(world):
    rows = {f.key: f for f in figures.figures()}
    units = {"disclosure_on_time": "%", "deliberation_decisions": "项", "owners_votes": "项",
             "civic_grants": "个", "civic_grant_yuan": "元", "training_hours": "学时"}  # fmt: skip
    for key in KEYS:
        figure = rows[key]
        assert str(figure.unit) == units[key]
        assert figure.compute is not None and not figure.pending_issue
        assert len(str(figure.explanation)) > 20 and str(figure.label)
        assert figure.better == ("" if key == "owners_votes" else "up")


# ---------------------------------------------------------------- the page, for each viewer


@pytest.mark.django_db
@pytest.mark.parametrize("who", VIEWERS)
def test_the_page_shows_each_figure_and_its_list_opens_for_the_role(world, client, who):
    user = world.users[who]
    client.force_login(user)
    response = client.get(reverse("outcomes"))
    assert response.status_code == 200
    html = response.content.decode()
    place = response.context["place"]
    where = "district" if place == world.district else "street"
    assert place == _places(world)[where]
    results = {r.figure.key: r for r in response.context["results"]}
    for key in KEYS:
        result = results[key]
        start = html.index(f'id="figure-{key}"')
        block = html[start : html.index("</article>", start)]
        assert f'<span class="figure-number" data-value>{result.shown}</span>' in block
        assert result.value.current == EXPECTED[key][where][0]
        assert DETAILS[key][where] in block
        assert f'href="{result.url.replace("&", "&amp;")}"' in block
        assert client.get(result.url).status_code == 200, (who, key, result.url)


@pytest.mark.django_db
def test_a_district_officer_picks_a_street_and_sees_its_counts(world, client):
    client.force_login(world.users["coordinator:own"])
    response = client.get(reverse("outcomes"), {"place": world.streets[0].pk})
    assert response.status_code == 200
    results = {r.figure.key: r for r in response.context["results"]}
    for key in KEYS:
        assert results[key].value.current == EXPECTED[key]["street"][0]
    big = client.get(reverse("outcomes_big"), {"place": world.streets[0].pk})
    assert big.status_code == 200
    assert all(f'id="figure-{key}"' in big.content.decode() for key in KEYS)
