"""The owners' pages through the test client: a worker records a compound and runs a vote, an
owner votes for their own house only, the result is public and masked, bad posts are refused in
words and change nothing."""

import datetime
import json

import pytest
import time_machine

from core.testing import build_small_district
from owners import services, tally
from owners.models import Ballot, Compound, Decision, Part
from owners.testing import build_compound, owner_person

pytestmark = pytest.mark.django_db
DAY = datetime.datetime(2026, 6, 10, 4, tzinfo=datetime.UTC)


@pytest.fixture
def world():
    with time_machine.travel(DAY, tick=False):
        d = build_small_district()
        services.rules_seed(actor=d.root, district=d.district)
        resident = d.users["resident:own"].person
        other = owner_person(actor=d.root, community=d.communities[0], name="欧阳明")
        compound, _parts = build_compound(
            actor=d.root, community=d.communities[0], name="秀水苑", street="中华路249号6幢",
            holdings=[("100", resident), ("90", other), ("80", "developer")],
        )  # fmt: skip
        yield d, compound, resident


def _client(client, user):
    client.force_login(user)
    return client


def test_a_worker_runs_a_vote_and_an_owner_votes_online(world, client):
    d, compound, resident = world
    worker = d.users["community_worker:own"]
    with time_machine.travel(DAY, tick=False):
        c = _client(client, worker)
        assert c.get("/owners/").status_code == 200
        page = c.get(f"/owners/compounds/{compound.pk}/")
        assert page.status_code == 200 and "欧阳明" in page.content.decode()
        c.post(f"/owners/compounds/{compound.pk}/", {
            "action": "decision", "decision-kind": "vote", "decision-matter": "fund_use",
            "decision-title": "使用维修资金更换电梯", "decision-text": "动用专项维修资金更换6幢电梯。",
        })  # fmt: skip
        decision = Decision.objects.get()
        url = f"/owners/decisions/{decision.pk}/"
        # Opening before the roll is frozen is refused in words; nothing changes.
        refused = c.post(url, {"action": "open"}, follow=True).content.decode()
        assert "业主名册冻结前不能开始表决" in refused
        assert Decision.objects.get().state == "draft"
        c.post(url, {"action": "freeze"})
        c.post(url, {"action": "open"})
        assert Decision.objects.get().state == "open"
        # A proxy vote without a proxy on record is refused.
        entries = {e.owner_key: e for e in decision.roll.all()}
        no_proxy = c.post(url, {"action": "ballot", "ballot-entry": entries["developer"].pk,
                                "ballot-choice": "agree", "ballot-channel": "proxy"}).content.decode()  # fmt: skip
        assert "没有该业主的授权委托书记录" in no_proxy and Ballot.objects.count() == 0
        c.post(url, {"action": "ballot", "ballot-entry": entries["developer"].pk,
                     "ballot-choice": "agree", "ballot-channel": "paper"})  # fmt: skip
        twice = c.post(url, {"action": "ballot", "ballot-entry": entries["developer"].pk,
                             "ballot-choice": "agree", "ballot-channel": "paper"}).content.decode()  # fmt: skip
        assert "该房屋已经表决" in twice and Ballot.objects.count() == 1

        owner = _client(client, resident.account)
        page = owner.get(url).content.decode()
        assert "我的表决" in page and "欧阳明" not in page
        mine = entries[f"p{resident.pk}"]
        owner.post(url, {"action": "vote", "entry": mine.pk, "choice": "agree"})
        # Not their house: the form refuses the choice (not on their list); nothing written.
        owner.post(url, {"action": "vote", "entry": entries[next(k for k in entries
                          if k not in ("developer", f"p{resident.pk}"))].pk, "choice": "agree"})  # fmt: skip
        assert Ballot.objects.count() == 2
        assert owner.post(url, {"action": "close"}).status_code == 403

        c = _client(client, worker)
        c.post(url, {"action": "close"})
        c.post(url, {"action": "publish"})
    decision.refresh_from_db()
    assert decision.state == "published"
    # 2 of 3 owners and 180 of 270 m² took part: exactly 2/3 on both ("以上": met); all agree.
    assert decision.tally["result"]["turnout"] == {"area": "2/3", "owners": "2/3"}
    assert decision.tally["result"]["passed"] is True
    client.logout()
    public = client.get(f"/owners/results/{decision.pk}/")
    text = public.content.decode()
    assert public.status_code == 200 and "通过" in text and "2/3" in text
    for secret in ("欧阳明", resident.name, "中华路249号", "101室"):
        assert secret not in text
    data = client.get(f"/owners/results/{decision.pk}.json")
    published = json.loads(data.content)
    # Sums only (owners/tests/test_results.py): they recount to the stored result.
    assert "roll" not in published["data"] and "ballots" not in published["data"]
    assert tally.recount(published["data"]) == published["result"] == decision.tally["result"]


def test_a_resident_who_owns_nothing_here_sees_nothing(world, client):
    d, compound, _resident = world
    stranger = d.users["resident:other"]
    c = _client(client, stranger)
    assert c.get(f"/owners/compounds/{compound.pk}/").status_code == 403
    assert c.get("/owners/").status_code == 403


def test_bad_area_is_refused_in_words(world, client):
    d, compound, _resident = world
    from registry import services as registry_services

    with time_machine.travel(DAY, tick=False):
        building = compound.buildings.get().building
        house = registry_services.house_create(actor=d.root, building=building, number="104")
        c = _client(client, d.users["community_worker:own"])
        before = Part.objects.count()
        for area in ("-3", "12.345", "abc", "0"):
            page = c.post(f"/owners/compounds/{compound.pk}/", {
                "action": "part", "part-house": house.pk, "part-area": area,
                "part-area_basis": "registered", "part-developer_held": "on",
            }).content.decode()  # fmt: skip
            assert "面积应为大于0的平方米数" in page, area
        assert Part.objects.count() == before
        page = c.post("/owners/", {"community": d.communities[0].pk, "name": "秀水苑"})
        assert "已有小区" in page.content.decode() and Compound.objects.count() == 1


def test_a_committee_from_preparation_to_filing_and_a_contract(world, client):
    """Item 4 on the compound page: the worker forms the 筹备组 of owners, records the passed
    election and a property contract; only the street office files the committee."""
    from owners.models import Committee, PropertyContract
    from owners.testing import decide

    d, compound, resident = world
    url = f"/owners/compounds/{compound.pk}/"
    with time_machine.travel(DAY, tick=False):
        c = _client(client, d.users["community_worker:own"])
        stranger = d.users["resident:other"].person
        refused = c.post(url, {"action": "committee", "committee-guidance": "街道党工委",
                               "committee-formed_on": "2026-03-01",
                               "committee-leader": stranger.pk}).content.decode()  # fmt: skip
        assert "committee-leader" in refused and Committee.objects.count() == 0
        c.post(url, {"action": "committee", "committee-guidance": "第1街道党工委、第1社区党委",
                     "committee-formed_on": "2026-03-01", "committee-leader": resident.pk})  # fmt: skip
        committee = Committee.objects.get()
        election = decide(actor=d.root, compound=compound, matter="committee", title="选举业委会")
        c.post(url, {"action": "elect", "elect-election": election.pk, "elect-chair": resident.pk,
                     "elect-term_start": "2026-06-01", "elect-term_end": "2031-05-31"})  # fmt: skip
        committee.refresh_from_db()
        assert committee.stage == "elected"
        assert c.post(url, {"action": "file", "file-filed_on": "2026-06-05"}).status_code == 403
        officer = _client(client, d.users["street_officer:own"])
        officer.post(url, {"action": "file", "file-filed_on": "2026-06-05"})
        committee.refresh_from_db()
        assert committee.stage == "filed"
        c = _client(client, d.users["community_worker:own"])
        bad = c.post(url, {"action": "contract", "contract-company_name": "金陵物业",
                           "contract-uscc": "91320100MA1XXXXXX0", "contract-starts_on": "2026-07-01",
                           "contract-ends_on": "2029-06-30", "contract-fee": "180"}).content.decode()  # fmt: skip
        assert "统一社会信用代码不正确" in bad and PropertyContract.objects.count() == 0
        c.post(url, {"action": "contract", "contract-company_name": "金陵物业",
                     "contract-starts_on": "2026-07-01", "contract-ends_on": "2029-06-30",
                     "contract-fee": "180"})  # fmt: skip
        page = c.get(url).content.decode()
    assert PropertyContract.objects.get().fee == 180
    assert "已备案" in page and "金陵物业" in page and "180分/㎡·月" in page
