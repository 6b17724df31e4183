"""Every read of deliberation that a page, the API or another app lists, scoped by policies.py."""

from django.db.models import Q, QuerySet

from core import clock
from core.models import Person, Place, PlaceLevel
from core.rules import role_places
from core.selectors import subtrees
from deliberation import policies
from deliberation.models import (
    Decision,
    Document,
    Meeting,
    MeetingRule,
    Proposal,
    Representative,
    SupportRule,
)
from owners.selectors import mask_name  # noqa: F401 - the lists mask names as owners does


def meetings_visible_to(user) -> QuerySet[Meeting]:
    return Meeting.objects.filter(policies.meetings_q(user)).select_related("community")


def proposals_visible_to(user) -> QuerySet[Proposal]:
    return Proposal.objects.filter(policies.proposals_q(user)).select_related("community")


def decisions_visible_to(user) -> QuerySet[Decision]:
    return Decision.objects.filter(policies.decisions_q(user)).select_related(
        "community", "meeting"
    )


def communities_of(user) -> QuerySet[Place]:
    """The communities whose deliberation the user sees (staff above them, their residents)."""
    communities = Place.objects.filter(level=PlaceLevel.COMMUNITY, is_active=True)
    if user.is_superuser:
        return communities.order_by("code")
    staff = subtrees(role_places(user, policies.VIEWERS))
    return communities.filter(staff | Q(pk__in=policies.resident_communities(user))).order_by(
        "code"
    )


def people_of(community: Place) -> QuerySet[Person]:
    """Who lives in the community (representatives and participants are chosen from them)."""
    return Person.objects.filter(place__path__startswith=community.path).order_by("name", "pk")


def representatives_of(community: Place) -> QuerySet[Representative]:
    return Representative.objects.filter(community=community, ended_at=None).select_related(
        "person"
    )


def documents_of(community: Place) -> QuerySet[Document]:
    return Document.objects.filter(community=community).prefetch_related("versions")


def meeting_rules(district: Place) -> QuerySet[MeetingRule]:
    return MeetingRule.objects.filter(district=district)


def support_rules(district: Place) -> QuerySet[SupportRule]:
    return SupportRule.objects.filter(district=district)


# ---------------------------------------------------------------- the public page (no login)


def published_decisions(community: Place | None = None) -> QuerySet[Decision]:
    decisions = Decision.objects.filter(published_at__isnull=False).select_related(
        "community", "meeting"
    )
    return decisions.filter(community=community) if community is not None else decisions


def published_meetings() -> QuerySet[Meeting]:
    return Meeting.objects.filter(state=Meeting.State.PUBLISHED).select_related("community")


ANNOUNCED = (Meeting.State.NOTICED, Meeting.State.HELD, Meeting.State.PUBLISHED)


def announced_meetings() -> QuerySet[Meeting]:
    """Meetings whose notice is public: announced, held (minutes not yet public) or published."""
    return Meeting.objects.filter(state__in=ANNOUNCED).select_related("community")


def upcoming_meetings() -> QuerySet[Meeting]:
    """Announced meetings still to come, soonest first (the public page's 会议公告)."""
    return (
        Meeting.objects.filter(state=Meeting.State.NOTICED, starts_at__gte=clock.now())
        .select_related("community")
        .order_by("starts_at", "pk")
    )


def public_documents() -> QuerySet[Document]:
    return Document.objects.filter(versions__isnull=False).distinct().select_related("community")


def meetings_visible_to_convener(community: Place) -> QuerySet[Meeting]:
    """The community's meetings being prepared, onto whose agenda a proposal may go."""
    return Meeting.objects.filter(community=community, state=Meeting.State.DRAFT).order_by(
        "starts_at"
    )
