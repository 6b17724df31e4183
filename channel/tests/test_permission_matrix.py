"""Every role × the channel's actions × own place / other place (core.tests.matrix).

"Own" targets are in the first community (where every community- and grid-level role of the
test world serves); "other" targets are in a second district (district roles) or in a community
of the second street (street and lower roles). Reading what is published needs no role at all
(test_posts); here ``view_unpublished`` is the staff side. A refused write writes nothing."""

import datetime

import pytest
import time_machine

from channel import selectors, services
from channel.models import ChannelRule, Post, Signup
from channel.testing import event_fields, published_post
from core.models import Role
from core.testing import ROLE_HOME_LEVEL, attempt_allowed
from core.tests.matrix import matrix_tests, two_districts
from core.tests.modules import rolled_back_after

R = Role
WRITERS = {R.ADMIN, R.STREET_OFFICER, R.COMMUNITY_WORKER}
EXPECTED = {
    "write_post": WRITERS,
    "review_post": WRITERS,
    "withdraw_post": WRITERS,
    "view_unpublished": WRITERS | {R.AUDITOR},
    "set_rules": {R.ADMIN, R.COORDINATOR},
    # The channel is public: every account but the read-only auditor signs up, for an event of
    # its own community or of any other. The matrix's shape expects the other side refused, so
    # ``attempt`` checks that side allowed itself and answers the matrix's False.
    "sign_up": set(Role) - {R.AUDITOR},
}
READS = {"view_unpublished"}
DAY = datetime.datetime(2026, 6, 10, 2, tzinfo=datetime.UTC)
COUNTED = [Post.objects.all(), Signup.objects.all(), ChannelRule.objects.all()]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with rolled_back_after(django_db_blocker), time_machine.travel(DAY, tick=False):
        own, other = two_districts()
        targets = {}
        for key, d, community in (("own", own, own.communities[0]),
                                  ("street2", own, own.communities[3]),
                                  ("district2", other, other.communities[0])):  # fmt: skip
            services.rules_seed(actor=d.root, district=d.district)
            author = d.root  # every role is a second staff member to this draft
            draft = services.post_create(actor=author, community=community, kind="notice",
                                         title=f"{key}通知", body="x")  # fmt: skip
            services.post_submit(actor=author, post=draft)
            event = published_post(author=d.root, reviewer=d.users["admin:own"],
                                   community=community, kind="event",
                                   **event_fields(capacity=50))  # fmt: skip
            targets[key] = (community, draft, event)
        yield own, other, targets


def _target(world, role, side):
    _own, _other, targets = world
    if side == "own":
        return targets["own"]
    return targets["district2" if ROLE_HOME_LEVEL[role] == "district" else "street2"]


def attempt(world, role, side, action) -> bool:
    own, _other, _targets = world
    user = own.users[f"{role}:own"]
    community, draft, event = _target(world, role, side)
    label = f"{role} {side} {action}"
    if action == "view_unpublished":
        seen = selectors.posts_managed_by(user).filter(pk=draft.pk).exists()
        assert seen == (selectors.post_for(user, draft.pk) is not None), label
        return seen
    calls = {
        "write_post": lambda: services.post_create(
            actor=user, community=community, kind="notice", title="新通知", body="x"),
        "review_post": lambda: services.post_approve(actor=user, post=draft),
        "withdraw_post": lambda: services.post_withdraw(actor=user, post=event, note="取消"),
        "set_rules": lambda: services.rule_create(
            actor=user, district=community.district, max_capacity=10, cancel_hours=1,
            source="测试", effective_from=datetime.date(2030, 1, 1)),
        "sign_up": lambda: services.signup_create(actor=user, post=event),
    }  # fmt: skip
    if action == "sign_up" and side == "other":
        with time_machine.travel(DAY, tick=False):
            allowed = attempt_allowed(calls[action], label=label, counted=COUNTED)
        assert allowed is (role != R.AUDITOR), label
        return False
    with time_machine.travel(DAY, tick=False):
        return attempt_allowed(calls[action], label=label, counted=COUNTED)


test_matrix, test_auditor_writes_nothing = matrix_tests(EXPECTED, READS, attempt)
