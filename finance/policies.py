"""Who may see and do what in a community's books and boards: each predicate beside its
queryset (docs/architecture.md, "Policies"); ``tests/test_policies.py`` checks they agree.

| permission | predicate | queryset |
| --- | --- | --- |
| ``finance.view_books`` (a community) | ``can_view_books`` | ``book_communities(user)`` |
| ``finance.view_disclosure`` (a board) | ``can_view_disclosure`` | ``visible_disclosures(user)`` |

Street officers supervise their communities' books (居账街管) and approve payments; community
workers record; the 居务监督委员会 member reviews boards before they are published; residents
read published boards only.
"""

import rules
from django.db.models import Q, QuerySet

from core.models import Place, PlaceLevel, Role
from core.rules import holds, holds_at, role_places
from core.selectors import subtrees
from finance.models import Disclosure

RECORDERS = {Role.COMMUNITY_WORKER}
SUPERVISORS = {Role.STREET_OFFICER}
REVIEWERS = {Role.SUPERVISION_MEMBER}
RULE_SETTERS = {Role.ADMIN, Role.COORDINATOR}
# Who reads a community's books and its boards before they are published.
BOOK_READERS = RECORDERS | SUPERVISORS | REVIEWERS | RULE_SETTERS | {Role.AUDITOR}
# Who reads a published board: everyone whose role lies in the community (its residents and
# grid workers, at a grid) or above it.
BOARD_READERS = set(Role)


def _community(obj) -> Place | None:
    if obj is None:
        return None
    return obj if isinstance(obj, Place) else obj.community


# ---------------------------------------------------------------- the books

can_view_books = holds_at(BOOK_READERS, "can_view_books", place_of=_community)


def book_communities(user) -> QuerySet[Place]:
    communities = Place.objects.filter(level=PlaceLevel.COMMUNITY)
    if user.is_superuser:
        return communities
    return communities.filter(subtrees(role_places(user, BOOK_READERS)))


def in_books(queryset: QuerySet, user) -> QuerySet:
    """Rows with a community, narrowed to the communities whose books the user reads."""
    if user.is_superuser:
        return queryset
    return queryset.filter(subtrees(role_places(user, BOOK_READERS), "community__path"))


# ---------------------------------------------------------------- the boards


def _lies_in(user, community: Place) -> bool:
    """The user holds a role inside the community (a grid's residents) or above it."""
    return any(
        p.is_within(community) or community.is_within(p) for p in role_places(user, BOARD_READERS)
    )


@rules.predicate
def can_view_disclosure(user, disclosure) -> bool:
    if disclosure is None:
        return False
    if holds(user, BOOK_READERS, disclosure.community):
        return True
    return disclosure.status == Disclosure.Status.PUBLISHED and _lies_in(user, disclosure.community)


def visible_disclosures(user) -> QuerySet[Disclosure]:
    boards = Disclosure.objects.all()
    if user.is_superuser:
        return boards
    readers = subtrees(role_places(user, BOOK_READERS), "community__path")
    places = role_places(user, BOARD_READERS)
    inside = Q(pk__in=[])
    for place in places:
        # The community lies above the user's place (a grid), or within it.
        inside |= Q(community__path__startswith=place.path)
        ids = [int(pid) for pid in place.path.strip("/").split("/")]
        inside |= Q(community_id__in=ids)
    return boards.filter(readers | (Q(status=Disclosure.Status.PUBLISHED) & inside))
