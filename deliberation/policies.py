"""Who may see and do what in deliberation: each predicate beside the queryset that answers the
same question (docs/architecture.md, "Policies").

The community's workers convene meetings, keep its representatives and follow its decisions up;
the street's officers see their communities' (and auditors what their place shows, reading only);
residents act only in their own community (the community of the place where they hold the
resident role): they propose, support, sign up and read what has been announced. The district's
administrators and coordinators set the rules. Anyone reads what was published.
"""

import rules
from django.db.models import Q

from core.models import Place, Role
from core.rules import holds, role_places
from core.selectors import subtrees

CONVENERS = {Role.COMMUNITY_WORKER}
VIEWERS = CONVENERS | {Role.STREET_OFFICER, Role.AUDITOR}
RULE_SETTERS = {Role.ADMIN, Role.COORDINATOR}


def community_of(obj) -> Place | None:
    """The community of a community (a Place) or of a record that has one."""
    if obj is None:
        return None
    if isinstance(obj, Place):
        return obj
    return getattr(obj, "community", None)


def resident_communities(user) -> set[int]:
    """The communities where the user holds the resident role (at the community or a grid)."""
    ids = set()
    for place in role_places(user, {Role.RESIDENT}):
        parts = place.path.strip("/").split("/")
        if len(parts) >= 3:
            ids.add(int(parts[2]))  # district / street / community / grid
    return ids


def _state(obj) -> str:
    return getattr(obj, "state", "")


@rules.predicate
def convenes(user, obj) -> bool:
    community = community_of(obj)
    return community is not None and holds(user, CONVENERS, community)


@rules.predicate
def lives_in(user, obj) -> bool:
    community = community_of(obj)
    return community is not None and community.pk in resident_communities(user)


@rules.predicate
def sets_rules(user, district) -> bool:
    return isinstance(district, Place) and holds(user, RULE_SETTERS, district)


def _staff_sees(user, community) -> bool:
    return community is not None and holds(user, VIEWERS, community)


@rules.predicate
def staff_sees(user, obj) -> bool:
    """The community's staff and those above it: who registered, representatives' names."""
    return _staff_sees(user, community_of(obj))


# ---------------------------------------------------------------- meetings


@rules.predicate
def sees_meeting(user, meeting) -> bool:
    if meeting is None:
        return False
    if _staff_sees(user, meeting.community):
        return True
    return meeting.state != "draft" and meeting.community_id in resident_communities(user)


def meetings_q(user) -> Q:
    if user.is_superuser:
        return Q()
    staff = subtrees(role_places(user, VIEWERS), "community__path")
    return staff | (Q(community_id__in=resident_communities(user)) & ~Q(state="draft"))


# ---------------------------------------------------------------- proposals


@rules.predicate
def sees_proposal(user, proposal) -> bool:
    if proposal is None:
        return False
    return _staff_sees(user, proposal.community) or lives_in(user, proposal)


def proposals_q(user) -> Q:
    if user.is_superuser:
        return Q()
    staff = subtrees(role_places(user, VIEWERS), "community__path")
    return staff | Q(community_id__in=resident_communities(user))


@rules.predicate
def proposed(user, proposal) -> bool:
    person = getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None
    return proposal is not None and person is not None and proposal.proposer_id == person.pk


# ---------------------------------------------------------------- decisions


@rules.predicate
def sees_decision(user, decision) -> bool:
    """Staff of the community (and above) while recorded; its residents once published (and
    everyone, on the public page)."""
    if decision is None:
        return False
    if _staff_sees(user, decision.community):
        return True
    return decision.published_at is not None and lives_in(user, decision)


def decisions_q(user) -> Q:
    if user.is_superuser:
        return Q()
    staff = subtrees(role_places(user, VIEWERS), "community__path")
    residents = Q(community_id__in=resident_communities(user), published_at__isnull=False)
    return staff | residents


@rules.predicate
def uses_deliberation(user) -> bool:
    return bool(role_places(user, VIEWERS | {Role.RESIDENT}))


@rules.predicate
def sets_rules_somewhere(user) -> bool:
    return bool(role_places(user, RULE_SETTERS))


@rules.predicate
def sees_community(user, community) -> bool:
    return _staff_sees(user, community_of(community)) or lives_in(user, community)
