"""Every role × the purchase-of-service contract's actions × own place / other place
(core.tests.matrix; issue #18 item 3).

"Own": the contract in the first community of district 320104 (its organisation's member is
the own social-organisation account, its residents include the own resident, its item belongs
to the own department). "Other": for district roles the same contract in district 320105; for
the others the contract of the second street's community. A refused write writes nothing;
reads are checked on the predicate and on the page's queryset, which must agree.
"""

import pytest

from civic import selectors, services
from civic.models import ContractDelivery, ContractRating, ServiceContract
from civic.tests import contract_world
from core.models import Role
from core.testing import ROLE_HOME_LEVEL, attempt_allowed, deny_unless
from core.tests.matrix import matrix_tests, two_districts
from core.tests.modules import rolled_back_after

R = Role
EXPECTED = {
    "view_contract": {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER, R.COMMUNITY_WORKER, R.AUDITOR,
                      R.SOCIAL_ORG_MEMBER, R.DEPARTMENT_OFFICER, R.RESIDENT},
    "deliver": {R.SOCIAL_ORG_MEMBER},
    "rate": {R.RESIDENT},
    "end": {R.DEPARTMENT_OFFICER},
}  # fmt: skip
READS = {"view_contract"}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker):
        own, other = two_districts()
        yield own, contract_world.build(own), contract_world.build(other)


def _contract(world, role, side) -> ServiceContract:
    _own, here, far = world
    if side == "own":
        found = here["own"]
    else:
        found = far["own"] if ROLE_HOME_LEVEL[role] == "district" else here["other"]
    return ServiceContract.objects.get(pk=found.pk)  # fresh: an earlier cell was rolled back


def attempt(world, role, side, action) -> bool:
    own = world[0]
    user = own.users[f"{role}:own"]
    contract = _contract(world, role, side)
    label = f"{role} {side} {action}"
    if action == "view_contract":
        seen = user.has_perm("civic.view_contract", contract)
        assert seen == selectors.contracts_visible_to(user).filter(pk=contract.pk).exists(), label
        return attempt_allowed(lambda: deny_unless(seen), label=label)
    if action == "deliver":
        return attempt_allowed(lambda: services.contract_deliver(
            actor=user, contract=contract, day=contract.starts_on, content="上门服务",
            served=3, submit_token=f"matrix-{role}-{side}",
        ), label=label, counted=[ContractDelivery.objects.all()])  # fmt: skip
    if action == "rate":
        return attempt_allowed(
            lambda: services.contract_rate(actor=user, contract=contract, score=5),
            label=label, counted=[ContractRating.objects.all()],
        )  # fmt: skip
    return attempt_allowed(
        lambda: services.contract_end(actor=user, contract=contract, reason="服务调整"),
        label=label, counted=[ServiceContract.objects.filter(status="ended")],
    )  # fmt: skip


test_matrix, test_auditor_writes_nothing = matrix_tests(EXPECTED, READS, attempt)
