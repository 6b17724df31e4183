"""Who may do what with the community channel.

Anyone, signed in or not, reads what is published. A community's workers, its street's officers
and the district's administrators write posts and review them; the reviewer is never the author
(the step's guard and the service both check it). Any signed-in account but an auditor's signs
up for a published event (the channel is public). The district's administrators and coordinators set
the sign-up rules. Auditors read the staff side and change nothing.
"""

import rules

from core.models import Role
from core.rules import acting_assignments, assignments_of, holds, is_superuser, role_places

WRITERS = {Role.ADMIN, Role.STREET_OFFICER, Role.COMMUNITY_WORKER}
READERS = WRITERS | {Role.AUDITOR}
RULE_SETTERS = {Role.ADMIN, Role.COORDINATOR}


def _community(obj):
    """The community of a post or a sign-up, or the place itself."""
    return getattr(obj, "community", None) if not hasattr(obj, "path") else obj


@rules.predicate
def writes_in(user, obj) -> bool:
    place = _community(obj)
    return place is not None and holds(user, WRITERS, place)


@rules.predicate
def reads_staff_side(user, obj) -> bool:
    place = _community(obj)
    return place is not None and holds(user, READERS, place)


@rules.predicate
def is_second_staff(user, post) -> bool:
    return getattr(post, "author_id", None) != user.pk


@rules.predicate
def signed_in(user, obj=None) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


@rules.predicate
def only_reads(user, obj=None) -> bool:
    """An account whose every role is read-only (an auditor) changes nothing, here either; an
    account with no role yet (a resident who signed up by mobile) may sign up for events."""
    return bool(assignments_of(user)) and not acting_assignments(user)


@rules.predicate
def sets_rules(user, district) -> bool:
    return district is not None and holds(user, RULE_SETTERS, district)


@rules.predicate
def manages_some_channel(user) -> bool:
    return bool(role_places(user, READERS))


rules.add_perm("channel.manage", is_superuser | manages_some_channel)
rules.add_perm("channel.write_post", is_superuser | writes_in)
rules.add_perm("channel.view_unpublished", is_superuser | reads_staff_side)
rules.add_perm("channel.review_post", (is_superuser | writes_in) & is_second_staff)
rules.add_perm("channel.sign_up", signed_in & ~only_reads)
rules.add_perm("channel.set_rules", is_superuser | sets_rules)
