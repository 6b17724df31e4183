"""What each app's ``tests/test_policies.py`` shares. A policy is written once as a predicate on
one object and once as the queryset of all the objects it allows (``<app>/policies.py``); the
tests check, for every role × place of two small districts (own and far), their superusers and
an anonymous visitor, that ``obj in queryset(user)`` ⇔ ``user.has_perm(permission, obj)``.

A module names its policies (``{permission: (queryset, model)}``), builds a world fixture that
yields a ``PolicyWorld`` and takes the shared test:
``test_queryset_and_predicate_agree = agreement_test(POLICIES)``.
"""

from dataclasses import dataclass, field

import pytest
from django.contrib.auth.models import AnonymousUser

from core.models import User
from core.testing import ROLE_HOME_LEVEL, SmallDistrict

USERS = [
    f"{district}:{role}:{side}"
    for district in ("own", "far")
    for role, level in ROLE_HOME_LEVEL.items()
    for side in ("own", "other")
    if not (level == "district" and side == "other")
] + ["own:root", "far:root", "anonymous"]


@dataclass
class PolicyWorld:
    objects: dict[str, list[int]]  # permission -> the ids of the objects it is checked on
    users: dict[str, int]  # key of USERS (and the module's own) -> user id
    named: dict[str, int] = field(default_factory=dict)  # the objects a module's asserts name


def user_ids(own: SmallDistrict, far: SmallDistrict) -> dict[str, int]:
    """The id of each user of ``USERS`` (but the anonymous visitor)."""
    ids = {"own:root": own.root.pk, "far:root": far.root.pk}
    for name, district in (("own", own), ("far", far)):
        ids |= {f"{name}:{key}": user.pk for key, user in district.users.items()}
    return ids


def fresh_user(ids: dict[str, int], key: str):
    """The user as a new page view loads it: nothing cached from an earlier check."""
    return AnonymousUser() if key == "anonymous" else User.objects.get(pk=ids[key])


def listed_and_permitted(user, permission: str, queryset, objects) -> tuple[set, set]:
    """The ids of ``objects`` that ``queryset`` lists, and of those ``user.has_perm(permission,
    obj)`` allows: a policy's two forms agree when the sets are equal."""
    listed = queryset.filter(pk__in=[obj.pk for obj in objects]).values_list("pk", flat=True)
    return set(listed), {obj.pk for obj in objects if user.has_perm(permission, obj)}


def allowed(world: PolicyWorld, policies: dict, key: str, permission: str) -> tuple[set, set]:
    """For the user ``key`` of the world: what the policy's queryset lists and what its
    predicate allows, among the world's objects for ``permission``."""
    user = fresh_user(world.users, key)
    queryset, model = policies[permission]
    found = list(model.objects.filter(pk__in=world.objects[permission]))
    return listed_and_permitted(user, permission, queryset(user), found)


def agreement_test(policies: dict, users=USERS):
    """The test every policy module takes: each policy's two forms agree for each user."""

    @pytest.mark.django_db
    @pytest.mark.parametrize("key", users)
    @pytest.mark.parametrize("permission", sorted(policies))
    def test_queryset_and_predicate_agree(world, permission, key):
        listed, permitted = allowed(world, policies, key, permission)
        assert listed == permitted

    return test_queryset_and_predicate_agree
