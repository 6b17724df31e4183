"""Owners' decisions counted twice (Civil Code art. 278; 法释〔2009〕7号 arts. 8–9): by owners and
by exclusive floor area, exact fractions, a frozen roll, proxies on record, one ballot a part."""

import datetime
import json
from fractions import Fraction

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent
from core.testing import build_small_district
from owners import services, tally
from owners.models import Ballot, Decision, Proxy, RollEntry
from owners.testing import build_compound, owner_person

pytestmark = pytest.mark.django_db
MIDDAY = datetime.datetime(2026, 6, 10, 4, tzinfo=datetime.UTC)  # 12:00 in Beijing


@pytest.fixture
def world():
    with time_machine.travel(MIDDAY, tick=False):
        d = build_small_district()
        root, community = d.root, d.communities[0]
        services.rules_seed(actor=root, district=d.district)
        people = {
            n: owner_person(actor=root, community=community, name=n)
            for n in ("王甲", "李乙", "张丙")
        }  # fmt: skip
        # 王甲 holds two parts (one owner by number); the developer two unsold parts (one owner).
        compound, parts = build_compound(
            actor=root, community=community, name="秀水苑", street="中华路249号6幢",
            holdings=[("100", people["王甲"]), ("50", people["王甲"]), ("90", people["李乙"]),
                      ("60.50", people["张丙"]), ("80", "developer"), ("19.50", "developer")],
        )  # fmt: skip
        yield d, compound, parts, people


def _open(d, compound, matter="fund_use", kind="vote"):
    decision = services.decision_create(
        actor=d.root, compound=compound, matter=matter, title="使用维修资金更换电梯",
        text="动用专项维修资金更换6幢电梯。", kind=kind,
    )  # fmt: skip
    services.roll_freeze(actor=d.root, decision=decision)
    return services.decision_open(actor=d.root, decision=decision)


def _entries(decision):
    return list(RollEntry.objects.filter(decision=decision).order_by("part__house__number"))


def _cast(d, decision, entry, choice, channel="paper"):
    return services.ballot_cast(actor=d.root, decision=decision, entry=entry, choice=choice,
                                channel=channel)  # fmt: skip


def test_counted_by_owner_and_area_as_the_interpretation_says(world):
    d, compound, _parts, _people = world
    with time_machine.travel(MIDDAY, tick=False):
        decision = _open(d, compound)
        e = _entries(decision)
        for entry in e[:4]:  # 王甲's two parts, 李乙, 张丙 agree; the developer does not vote
            _cast(d, decision, entry, "agree")
        result = services.decision_close(actor=d.root, decision=decision)
    # Total: 400 m² and 4 owners (王甲 once, the developer once); took part 300.50 m², 3 owners.
    assert result["total"] == {"area": "400", "owners": 4, "parts": 6}
    assert result["took_part"] == {"area": "601/2", "owners": 3, "parts": 4}
    assert Fraction(result["turnout"]["area"]) == Fraction(601, 800)
    assert Fraction(result["turnout"]["owners"]) == Fraction(3, 4)
    assert result["turnout_met"] == {"area": True, "owners": True}
    assert result["approval"] == {"area": "1/1", "owners": "1/1"}
    assert result["passed"] is True


def test_at_exactly_three_quarters_a_fund_matter_passes(world):
    """ "四分之三以上" includes three quarters (Civil Code art. 1259)."""
    d, compound, _parts, people = world
    with time_machine.travel(MIDDAY, tick=False):
        decision = _open(d, compound, matter="fund_use")
        e = _entries(decision)
        # Everyone takes part (400 m², 4 owners); 王甲 (two parts), 李乙 and 张丙 agree: exactly
        # 3 of 4 owners, and 300.50 of 400 m²; the developer's two parts disagree.
        for entry, choice in zip(
            e, ["agree", "agree", "agree", "agree", "disagree", "disagree"], strict=True
        ):
            _cast(d, decision, entry, choice)
        result = services.decision_close(actor=d.root, decision=decision)
    assert Fraction(result["approval"]["owners"]) == Fraction(3, 4)
    assert Fraction(result["approval"]["area"]) == Fraction(601, 800)
    assert result["approval_met"] == {"area": True, "owners": True}
    assert tally.meets(Fraction(3, 4), 3, 4, True) is True
    assert tally.meets(Fraction(1, 2), 1, 2, False) is False  # "过半数" is more than half


def test_at_exactly_half_an_ordinary_matter_fails(world):
    """ "过半数" does not include half: 2 of 4 owners agree → refused on the owners' count."""
    d, compound, _parts, _people = world
    with time_machine.travel(MIDDAY, tick=False):
        decision = _open(d, compound, matter="property")
        e = _entries(decision)
        # agree: 王甲 (2 parts, 150 m²) + developer (99.50 m²); disagree: 李乙, 张丙.
        for entry, choice in zip(
            e, ["agree", "agree", "disagree", "disagree", "agree", "agree"], strict=True
        ):
            _cast(d, decision, entry, choice)
        result = services.decision_close(actor=d.root, decision=decision)
    assert Fraction(result["approval"]["owners"]) == Fraction(1, 2)
    assert Fraction(result["approval"]["area"]) == Fraction(499, 800)
    assert result["approval_met"] == {"area": True, "owners": False}
    assert result["passed"] is False


def test_the_published_data_recomputes_to_the_same_result_and_names_no_one(world, tmp_path):
    d, compound, _parts, people = world
    with time_machine.travel(MIDDAY, tick=False):
        decision = _open(d, compound)
        e = _entries(decision)
        for entry, choice in zip(
            e[:5], ["agree", "agree", "disagree", "abstain", "agree"], strict=True
        ):
            _cast(d, decision, entry, choice)
        services.decision_close(actor=d.root, decision=decision)
        services.decision_publish(actor=d.root, decision=decision)
    decision.refresh_from_db()
    published = decision.tally
    assert tally.count(published["data"]) == published["result"]
    assert tally.digest(published["data"]) == published["digest"] == decision.tally_digest
    text = json.dumps(published, ensure_ascii=False)
    for name in (*people, "中华路", "101室"):
        assert name not in text
    # Owners share one token across their parts: 6 parts, 4 owner tokens.
    assert len({row["owner"] for row in published["data"]["roll"]}) == 4
    # Anyone can recompute from the file: the module's command line says 一致.
    path = tmp_path / "tally.json"
    path.write_text(json.dumps(published, ensure_ascii=False), encoding="utf-8")
    assert tally.main(["tally", str(path)]) == 0
    # Any changed ballot is caught: a different result, or an owner with two choices.
    for index in range(len(published["data"]["ballots"])):
        changed = json.loads(json.dumps(published))
        ballot = changed["data"]["ballots"][index]
        ballot["choice"] = "disagree" if ballot["choice"] != "disagree" else "agree"
        path.write_text(json.dumps(changed, ensure_ascii=False), encoding="utf-8")
        assert tally.main(["tally", str(path)]) == 1


def _counts():
    return [AuditEvent.objects.count(), Ballot.objects.count(), Proxy.objects.count(),
            RollEntry.objects.count(), Decision.objects.filter(state="open").count()]  # fmt: skip


def test_refusals_write_nothing(world):
    d, compound, _parts, people = world
    with time_machine.travel(MIDDAY, tick=False):
        draft = services.decision_create(actor=d.root, compound=compound, matter="fund_use",
                                         title="草案", text="内容")  # fmt: skip
        decision = _open(d, compound)
        e = _entries(decision)
        _cast(d, decision, e[0], "agree")
        before = _counts()
        refusals = [
            (lambda: services.decision_open(actor=d.root, decision=draft), "roll_not_frozen"),
            (lambda: services.decision_close(actor=d.root, decision=draft), "not_open"),
            (lambda: _cast(d, decision, e[0], "agree"), "twice"),
            (lambda: _cast(d, decision, e[2], "agree", channel="proxy"), "no_proxy"),
            (lambda: _cast(d, decision, e[1], "disagree"), "split_owner"),
            (lambda: _cast(d, decision, e[3], "maybe"), "choice"),
            (lambda: services.proxy_record(actor=d.root, decision=decision, entry=e[2],
                                           agent_name="王某", document_no="WT-1",
                                           signed_on=datetime.date(2027, 1, 1)), "signed_on"),
        ]  # fmt: skip
        for call, code in refusals:
            with pytest.raises(ValidationError) as refused:
                call()
            assert refused.value.code == code, code
            assert str(refused.value.messages[0])  # said in words
            assert _counts() == before, code
        assert _entries(draft) == []
        # A part of another decision's roll is not on this roll.
        second = _open(d, compound, matter="rebuild")
        with pytest.raises(ValidationError):
            _cast(d, decision, _entries(second)[0], "agree")


def test_a_proxy_on_record_votes_and_an_owner_votes_only_for_their_own_part(world):
    d, compound, _parts, _people = world
    community = d.communities[0]
    with time_machine.travel(MIDDAY, tick=False):
        owner = owner_person(actor=d.root, community=community, name="赵丁",
                             mobile="13912345678", resident=True)  # fmt: skip
        house_part = compound.parts.order_by("house__number").last()
        services.part_set(actor=d.root, compound=compound, house=house_part.house, area="19.50",
                          area_basis="surveyed", owner=owner)  # fmt: skip
        decision = _open(d, compound)
        e = _entries(decision)
        mine = next(x for x in e if x.owner_id == owner.pk)
        with pytest.raises(PermissionDenied):
            services.ballot_cast(actor=owner.account, decision=decision, entry=e[0],
                                 choice="agree", channel="online")  # fmt: skip
        ballot = services.ballot_cast(actor=owner.account, decision=decision, entry=mine,
                                      choice="agree", channel="online")  # fmt: skip
        assert ballot.channel == "online"
        proxy = services.proxy_record(actor=d.root, decision=decision, entry=e[2],
                                      agent_name="李某", document_no="WT-2026-01",
                                      signed_on=datetime.date(2026, 6, 9))  # fmt: skip
        cast = _cast(d, decision, e[2], "disagree", channel="proxy")
        assert cast.proxy == proxy


def test_the_roll_is_frozen_and_the_rule_is_the_one_in_force(world):
    d, compound, parts, _people = world
    with time_machine.travel(MIDDAY, tick=False):
        later = services.rule_create(
            actor=d.root, district=d.district, matter="fund_use", turnout=(2, 3, True),
            approval=(4, 5, True), source="测试：地方更严的规定", effective_from=datetime.date(2026, 7, 1),
        )  # fmt: skip
        decision = _open(d, compound)
        services.part_set(actor=d.root, compound=compound, house=parts[0].house, area="120",
                          area_basis="registered", owner=parts[0].owner)  # fmt: skip
        assert _entries(decision)[0].area == 10000  # the roll kept the area it was frozen with
        assert decision.thresholds["approval"] == [3, 4, True]
    with time_machine.travel(MIDDAY + datetime.timedelta(days=30), tick=False):
        second = _open(d, compound)
        assert second.rule == later
        assert second.thresholds["approval"] == [4, 5, True]


def test_a_consultation_decides_nothing(world):
    d, compound, _parts, _people = world
    with time_machine.travel(MIDDAY, tick=False):
        decision = _open(d, compound, matter="other", kind="consultation")
        for entry in _entries(decision):
            _cast(d, decision, entry, "agree")
        result = services.decision_close(actor=d.root, decision=decision)
    assert result["passed"] is None
    assert tally.count(Decision.objects.get(pk=decision.pk).tally["data"]) == result


def test_a_committee_member_in_office_runs_votes_of_their_compound_only(world):
    d, compound, parts, people = world
    community = d.communities[0]
    with time_machine.travel(MIDDAY, tick=False):
        chair = owner_person(actor=d.root, community=community, name="钱主任",
                             mobile="13912345670", resident=True)  # fmt: skip
        services.part_set(actor=d.root, compound=compound, house=parts[5].house, area="19.50",
                          area_basis="registered", owner=chair)  # fmt: skip
        neighbour, _ = build_compound(actor=d.root, community=community, name="邻苑",
                                      street="中华路251号1幢", holdings=[("80", people["李乙"])])  # fmt: skip
        with pytest.raises(PermissionDenied):  # an owner, not yet on a committee
            services.decision_create(actor=chair.account, compound=compound, matter="other",
                                     title="征询", text="征询")  # fmt: skip
        from owners.testing import elected_committee

        elected_committee(actor=d.root, compound=compound, chair=chair,
                          formed_on=datetime.date(2026, 3, 1), term_start=datetime.date(2026, 5, 1))  # fmt: skip
        assert services.decision_create(actor=chair.account, compound=compound, matter="other",
                                        title="征询", text="征询").pk  # fmt: skip
        with pytest.raises(PermissionDenied):
            services.decision_create(actor=chair.account, compound=neighbour, matter="other",
                                     title="征询", text="征询")  # fmt: skip
