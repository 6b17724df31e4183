"""Issue #18: the public tally masks owners' names and areas. The public page and its data carry
only sums (per choice: owners and exact area; the roll's totals; the rule), which recompute to
the published result; the per-ballot data (each part's token, area and choice) goes only to the
compound's owners and to those who run the vote, logged in, each download audited; an owner finds
their own parts' tokens on their decision page and their ballot in that file."""

import datetime
import json
from fractions import Fraction

import pytest
import time_machine

from core.models import AuditEvent
from core.testing import build_small_district
from core.tests.modules import rolled_back_after
from owners import services, tally
from owners.models import RollEntry
from owners.testing import build_compound, owner_person

pytestmark = pytest.mark.django_db
DAY = datetime.datetime(2026, 6, 10, 4, tzinfo=datetime.UTC)
# Areas chosen so that no choice's sum equals any one house's area: a choice made by a single
# house would publish that house's area as its sum (the law wants the sums), and this test is
# about the page adding nothing beyond the sums.
HOLDINGS = [("100.10", "resident"), ("50.20", "resident"), ("90.30", "欧阳明"),
            ("60.40", "张丙"), ("70.70", "李丁"), ("80.80", "developer"), ("19.90", "developer")]  # fmt: skip
CHOICE_OF = {"resident": "agree", "欧阳明": "agree", "张丙": "disagree", "李丁": "disagree",
             "developer": "abstain"}  # fmt: skip


@pytest.fixture(scope="module")
def counted(django_db_setup, django_db_blocker):
    """A published vote of the compound 秀水苑 in which every house voted (paper ballots, and
    the resident online for their two houses); built once for the module."""
    with rolled_back_after(django_db_blocker), time_machine.travel(DAY, tick=False):
        d = build_small_district()
        services.rules_seed(actor=d.root, district=d.district)
        people = {"resident": d.users["resident:own"].person}
        for name in ("欧阳明", "张丙", "李丁"):
            people[name] = owner_person(actor=d.root, community=d.communities[0], name=name)
        compound, _parts = build_compound(
            actor=d.root, community=d.communities[0], name="秀水苑", street="中华路249号6幢",
            holdings=[(area, "developer" if who == "developer" else people[who])
                      for area, who in HOLDINGS],
        )  # fmt: skip
        decision = services.decision_create(actor=d.root, compound=compound, matter="fund_use",
                                            title="更换电梯", text="动用维修资金更换电梯。")  # fmt: skip
        services.roll_freeze(actor=d.root, decision=decision)
        services.decision_open(actor=d.root, decision=decision)
        resident = people["resident"]
        for entry in RollEntry.objects.filter(decision=decision).order_by("label"):
            who = next(k for k, p in people.items() if entry.owner_id == p.pk) if entry.owner_id else "developer"  # fmt: skip
            online = who == "resident"
            services.ballot_cast(actor=resident.account if online else d.root, decision=decision,
                                 entry=entry, choice=CHOICE_OF[who],
                                 channel="online" if online else "paper")  # fmt: skip
        services.decision_close(actor=d.root, decision=decision)
        services.decision_publish(actor=d.root, decision=decision)
        decision.refresh_from_db()
        yield d, decision, people


def _area_forms(area: str) -> set[str]:
    """How one house's area could appear: 100.10, 100.1, 1001/10."""
    value = Fraction(area)
    return {area, area.rstrip("0").rstrip("."), f"{value.numerator}/{value.denominator}"}


def _secrets(decision, people) -> set[str]:
    """Every single house's area in each form, every owner's name, the addresses, and every part's
    and owner's token in the per-ballot data."""
    found = {form for area, _who in HOLDINGS for form in _area_forms(area)}
    found |= {p.name for p in people.values()} | {"中华路", "101室", "107室"}
    found |= {row["part"] for row in decision.tally["data"]["roll"]}
    found |= {row["owner"] for row in decision.tally["data"]["roll"]}
    return found


def test_the_public_page_and_data_carry_sums_only(counted, client):
    d, decision, people = counted
    result = decision.tally["result"]
    # agree: 100.10 + 50.20 + 90.30; disagree: 60.40 + 70.70; abstain: 80.80 + 19.90 (m²)
    assert result["by_choice"]["agree"] == {"area": "1203/5", "owners": 2, "parts": 3}
    assert result["by_choice"]["disagree"]["area"] == "1311/10"
    assert result["total"] == {"area": "2362/5", "owners": 5, "parts": 7}
    page = client.get(f"/owners/results/{decision.pk}/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "240.60" in text and "1203/5" in text and "131.10" in text and "472.40" in text
    for secret in _secrets(decision, people):
        assert secret not in text, secret
    # Anonymous: no per-ballot link, only the way to log in for it.
    assert "ballots.json" not in text and "本小区业主请登录后下载逐票数据" in text

    response = client.get(f"/owners/results/{decision.pk}.json")
    raw = response.content.decode()
    for secret in _secrets(decision, people):
        assert secret not in raw, secret
    public = json.loads(raw)
    assert set(public["data"]) == {"decision", "compound", "title", "matter", "kind", "rule",
                                   "total", "by_choice", "ballots_digest"}  # fmt: skip
    assert public["data"]["ballots_digest"] == decision.tally_digest
    assert tally.recount(public["data"]) == public["result"] == result


def _main(tmp_path, *files) -> int:
    paths = []
    for index, content in enumerate(files):
        path = tmp_path / f"file{index}.json"
        path.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
        paths.append(str(path))
    return tally.main(["tally", *paths])


def test_the_public_file_recomputes_and_a_tampered_one_does_not(counted, client, tmp_path, capsys):
    _d, decision, _people = counted
    public = json.loads(client.get(f"/owners/results/{decision.pk}.json").content)
    assert _main(tmp_path, public) == 0 and capsys.readouterr().out.strip().endswith("一致")
    tampered = [
        ("by_choice", "agree", "area", "1202/5"),  # less area agreeing
        ("by_choice", "disagree", "owners", 1),
        ("total", None, "owners", 6),  # a bigger roll
    ]
    for top, choice, key, value in tampered:
        changed = json.loads(json.dumps(public))
        (changed["data"][top][choice] if choice else changed["data"][top])[key] = value
        assert _main(tmp_path, changed) == 1, (top, choice, key)
        assert capsys.readouterr().out.strip().endswith("不一致")
    # Sums that cannot be (more owners voted than are on the roll) are refused as invalid, even
    # with the digest redone.
    impossible = json.loads(json.dumps(public))
    impossible["data"]["by_choice"]["agree"]["owners"] = 9
    impossible["digest"] = tally.digest(impossible["data"])
    assert _main(tmp_path, impossible) == 1 and "数据无效" in capsys.readouterr().out
    # A result that does not follow from the sums (claimed passed though it failed, or the other
    # way round) is caught even with the right digest.
    claimed = json.loads(json.dumps(public))
    claimed["result"]["passed"] = not claimed["result"]["passed"]
    assert _main(tmp_path, claimed) == 1


def test_an_owner_downloads_the_ballots_finds_their_own_and_it_is_audited(
    counted, client, tmp_path, capsys
):
    d, decision, people = counted
    resident = people["resident"]
    client.force_login(resident.account)
    url = f"/owners/results/{decision.pk}/ballots.json"
    assert f'href="{url}"' in client.get(f"/owners/results/{decision.pk}/").content.decode()
    # Their own decision page shows their houses' tokens, and links the file.
    mine = list(decision.roll.filter(owner=resident).order_by("label"))
    tokens = services.my_tokens(decision, mine)
    page = client.get(f"/owners/decisions/{decision.pk}/").content.decode()
    assert all(token in page for token in tokens.values()) and url in page

    before = AuditEvent.objects.filter(action="owners.ballots_read").count()
    response = client.get(url)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    ballots = json.loads(response.content)
    assert ballots == decision.tally
    event = AuditEvent.objects.filter(action="owners.ballots_read").latest("id")
    assert AuditEvent.objects.filter(action="owners.ballots_read").count() == before + 1
    assert event.actor_id == resident.account_id and event.object_id == str(decision.pk)
    # Individual verifiability: each of their tokens is in the file with the choice they cast.
    cast = {b["part"]: b["choice"] for b in ballots["data"]["ballots"]}
    assert [cast[t] for t in tokens.values()] == ["agree", "agree"]
    # No name or address in it either: tokens only.
    raw = response.content.decode()
    for secret in ("欧阳明", "张丙", "李丁", resident.name, "中华路"):
        assert secret not in raw
    # The owners' file recomputes to 一致, and its sums are the public page's.
    public = json.loads(client.get(f"/owners/results/{decision.pk}.json").content)
    assert _main(tmp_path, ballots) == 0 and capsys.readouterr().out.strip().endswith("一致")
    assert _main(tmp_path, ballots, public) == 0
    # A tampered file does not: one ballot changed, the result kept.
    for index in range(len(ballots["data"]["ballots"])):
        changed = json.loads(json.dumps(ballots))
        ballot = changed["data"]["ballots"][index]
        ballot["choice"] = "disagree" if ballot["choice"] != "disagree" else "agree"
        assert _main(tmp_path, changed) == 1
        changed["digest"] = tally.digest(changed["data"])
        assert _main(tmp_path, changed) == 1  # the result no longer follows
    # An area moved between two houses keeps the totals but not the file's digest, nor the
    # public sums once the digest is redone.
    moved = json.loads(json.dumps(ballots))
    moved["data"]["roll"][0]["area"], moved["data"]["roll"][1]["area"] = (
        moved["data"]["roll"][1]["area"], moved["data"]["roll"][0]["area"])  # fmt: skip
    assert _main(tmp_path, moved, public) == 1
    moved["digest"] = tally.digest(moved["data"])
    moved["result"] = tally.count(moved["data"])
    assert _main(tmp_path, moved, public) == 1
    capsys.readouterr()


@pytest.mark.parametrize(
    ("user_key", "status"),
    [
        ("resident:own", 200),  # an owner in the compound
        ("community_worker:own", 200),  # runs the compound's votes
        ("street_officer:own", 200),
        ("admin:own", 200),
        ("resident:other", 403),  # owns nothing here
        ("community_worker:other", 403),
        ("street_officer:other", 403),
        ("coordinator:own", 403),  # sees the compound, does not run its votes
        ("auditor:own", 403),
        ("supervision_member:own", 403),
        ("grid_worker:own", 403),
        ("department_officer:own", 403),
        ("social_org_member:own", 403),
        ("property_staff:own", 403),
        ("oversight_officer:own", 403),
    ],
)
def test_who_may_read_the_per_ballot_file(counted, client, user_key, status):
    d, decision, _people = counted
    client.force_login(d.users[user_key])
    before = AuditEvent.objects.count()
    response = client.get(f"/owners/results/{decision.pk}/ballots.json")
    assert response.status_code == status, user_key
    assert AuditEvent.objects.count() == before + (1 if status == 200 else 0)
    if status == 403:
        assert "逐票计票数据只向本小区业主和组织表决的工作人员提供" in response.content.decode()
        assert "area" not in response.content.decode()
    # The public page offers the file only to those it is for.
    page = client.get(f"/owners/results/{decision.pk}/").content.decode()
    assert ("ballots.json" in page) == (status == 200)


def test_no_per_ballot_file_before_counting_nor_without_logging_in(counted, client):
    d, decision, _people = counted
    url = f"/owners/results/{decision.pk}/ballots.json"
    response = client.get(url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    with time_machine.travel(DAY, tick=False):
        draft = services.decision_create(actor=d.root, compound=decision.compound,
                                         matter="other", title="征询", text="征询意见")  # fmt: skip
    client.force_login(d.users["community_worker:own"])
    before = AuditEvent.objects.count()
    assert client.get(f"/owners/results/{draft.pk}/ballots.json").status_code == 404
    assert client.get(f"/owners/results/{draft.pk}/").status_code == 404
    assert AuditEvent.objects.count() == before
