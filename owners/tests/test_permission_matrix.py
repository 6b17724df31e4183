"""Every role × the owners actions × own place / other place (core.tests.matrix).

"Own" targets are a compound in the first community (where the resident of the test world owns
a part); "other" targets are a compound in a second district (district roles) or in a community
of the second street (street and lower roles). A refused write writes nothing."""

import datetime

import pytest
import time_machine

from core.models import Role
from core.testing import ROLE_HOME_LEVEL, attempt_allowed
from core.tests.matrix import matrix_tests, two_districts
from core.tests.modules import rolled_back_after
from owners import selectors, services
from owners.models import (
    Ballot,
    Committee,
    CompanyStaff,
    Compound,
    Decision,
    DecisionRule,
    Part,
    PropertyCompany,
    RollEntry,
)
from owners.services.property import staff_grant
from owners.testing import build_compound, elected_committee, owner_person

R = Role
KEEPERS = {R.ADMIN, R.STREET_OFFICER, R.COMMUNITY_WORKER}
EXPECTED = {
    "keep_compound": KEEPERS,
    "run_decision": KEEPERS,
    "cast_own_ballot": {R.RESIDENT},
    "file_committee": {R.ADMIN, R.STREET_OFFICER},
    "set_rules": {R.ADMIN, R.COORDINATOR},
    "view_compound": KEEPERS | {R.COORDINATOR, R.AUDITOR, R.SUPERVISION_MEMBER, R.RESIDENT},
    # Property companies: who acts for one (street, district), the yearly evaluation (the
    # community, street, district and auditors; an owner only as a committee member in office).
    "grant_staff": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER},
    "evaluate": KEEPERS | {R.COORDINATOR, R.AUDITOR},
}
READS = {"view_compound", "evaluate"}
DAY = datetime.datetime(2026, 6, 10, 4, tzinfo=datetime.UTC)
COUNTED = [Compound.objects.all(), Part.objects.all(), Decision.objects.all(),
           Ballot.objects.all(), DecisionRule.objects.all(), CompanyStaff.objects.all()]  # fmt: skip


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker), time_machine.travel(DAY, tick=False):
        own, other = two_districts()
        compounds = {}
        for key, d, community in (("own", own, own.communities[0]),
                                  ("street2", own, own.communities[3]),
                                  ("district2", other, other.communities[0])):  # fmt: skip
            services.rules_seed(actor=d.root, district=d.district)
            chair = owner_person(actor=d.root, community=community, name=f"{key}主任")
            holder = own.users["resident:own"].person if key == "own" else chair
            compound, _parts = build_compound(
                actor=d.root, community=community, name=f"{key}苑",
                street=f"{key}路{len(compounds) + 1}号1幢", holdings=[("88.5", holder), ("70", chair)],
            )  # fmt: skip
            elected_committee(actor=d.root, compound=compound, chair=chair,
                              formed_on=datetime.date(2026, 3, 1),
                              term_start=datetime.date(2026, 5, 1))  # fmt: skip
            decision = services.decision_create(actor=d.root, compound=compound,
                                                matter="fund_use", title="更换电梯", text="更换")  # fmt: skip
            services.roll_freeze(actor=d.root, decision=decision)
            services.decision_open(actor=d.root, decision=decision)
            # Its company serves the compound (a street officer registers only the staff of a
            # company serving a compound of the officer's street: staff_grant).
            services.contract_record(actor=d.root, compound=compound, company_name=f"{key}物业",
                                     starts_on=datetime.date(2026, 1, 1),
                                     ends_on=datetime.date(2028, 12, 31), fee=150)  # fmt: skip
            compounds[key] = (compound, decision)
        yield own, other, compounds


def _target(world, role, side):
    own, other, compounds = world
    if side == "own":
        return compounds["own"]
    return compounds["district2" if ROLE_HOME_LEVEL[role] == "district" else "street2"]


def _key(world, compound) -> str:
    return next(key for key, (c, _d) in world[2].items() if c.pk == compound.pk)


def attempt(world, role, side, action) -> bool:
    own, other, _compounds = world
    user = own.users[f"{role}:own"]
    compound, decision = _target(world, role, side)
    label = f"{role} {side} {action}"
    if action == "view_compound":
        seen = selectors.compounds_visible_to(user).filter(pk=compound.pk).exists()
        assert seen == user.has_perm("owners.view_compound", compound), label
        return seen
    if action == "evaluate":
        return user.has_perm("owners.evaluate", compound)
    # A property-staff account of the target's community side (own, second street, district 2).
    staff = {"own": own.users["property_staff:own"], "street2": own.users["property_staff:other"]}
    staff = staff.get(side if side == "own" else "street2")
    if side != "own" and ROLE_HOME_LEVEL[role] == "district":
        staff = other.users["property_staff:own"]
    calls = {
        "keep_compound": lambda: services.compound_create(
            actor=user, community=compound.community, name="新登记小区"),
        "run_decision": lambda: services.decision_create(
            actor=user, compound=compound, matter="other", title="征询", text="征询意见"),
        "cast_own_ballot": lambda: services.ballot_cast(
            actor=user, decision=decision, choice="agree", channel="online",
            entry=RollEntry.objects.filter(decision=decision).order_by("label").first()),
        "file_committee": lambda: services.committee_file(
            actor=user, committee=Committee.objects.get(compound=compound),
            filed_on=datetime.date(2026, 6, 1)),
        "set_rules": lambda: services.rule_create(
            actor=user, district=compound.district, matter="other", turnout=(2, 3, True),
            approval=(1, 2, False), source="测试", effective_from=datetime.date(2030, 1, 1)),
        "grant_staff": lambda: staff_grant(
            actor=user, company=PropertyCompany.objects.get(name=f"{_key(world, compound)}物业"),
            account=staff),
    }  # fmt: skip
    with time_machine.travel(DAY, tick=False):
        return attempt_allowed(calls[action], label=label, counted=COUNTED)


test_matrix, test_auditor_writes_nothing = matrix_tests(EXPECTED, READS, attempt)
