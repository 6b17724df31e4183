"""Scoped reads of civic: every list a page shows, already limited to the user."""

from django.db.models import Avg, Count, Q

from civic import policies
from civic.models import Application, GrantCall, IncubationBase, SocialOrganisation
from core.selectors import subtrees


def orgs_visible_to(user):
    qs = SocialOrganisation.objects.select_related("community", "street")
    if user.is_superuser:
        return qs
    return qs.filter(policies.orgs_q(user)).distinct()


def orgs_acted_for(user):
    """Organisations the user acts for (a member, still filed)."""
    return SocialOrganisation.objects.filter(
        policies.member_orgs_q(user), status=SocialOrganisation.Status.ACTIVE
    ).distinct()


def bases_visible_to(user):
    qs = IncubationBase.objects.select_related("street")
    if user.is_superuser:
        return qs
    places = policies.role_places(user, policies.ORG_VIEWERS)
    return qs.filter(subtrees(places, "street__path")).distinct()


def calls_visible_to(user):
    qs = GrantCall.objects.select_related("fund", "fund__street", "fund__district")
    if user.is_superuser:
        return qs
    return qs.filter(policies.calls_q(user)).distinct()


def applications_visible_to(user):
    qs = Application.objects.select_related("organisation", "call")
    if user.is_superuser:
        return qs
    return qs.filter(policies.applications_q(user)).distinct()


def applications_of_call(user, call):
    """The call's applications the user may see, with their counted scores' average."""
    counted = Q(scores__seat__ended_at__isnull=True)
    visible = applications_visible_to(user).filter(call=call).values("pk")
    return (
        Application.objects.filter(pk__in=visible)
        .select_related("organisation", "call")
        .annotate(
            average=Avg("scores__points", filter=counted),
            scored=Count("scores", filter=counted),
        )
        .order_by("-average", "submitted_at")
    )
