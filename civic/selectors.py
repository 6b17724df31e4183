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


def contracts_visible_to(user):
    """Purchase-of-service contracts the user may read (civic.policies.contracts_q)."""
    from civic.models import ServiceContract

    qs = ServiceContract.objects.select_related("organisation", "community", "scope__item")
    if user.is_superuser:
        return qs
    return qs.filter(policies.contracts_q(user)).distinct()


def transfers_in(community_ids, first_day, last_day) -> list[dict]:
    """Admitted work moved to organisations by contracts in force at some day of
    [first_day, last_day] (workload.hooks transfer source): an ended contract counts until the
    day before it ended (the work is the community's again that day). One query."""
    import datetime

    from django.urls import reverse
    from django.utils import timezone

    from civic.models import ServiceContract

    rows = ServiceContract.objects.filter(
        Q(status=ServiceContract.Status.ACTIVE) | Q(ended_at__date__gte=first_day),
        community_id__in=community_ids, starts_on__lte=last_day, ends_on__gte=first_day,
    ).select_related("organisation", "scope__item")  # fmt: skip
    found = []
    for contract in rows:
        ends_on = contract.ends_on
        if contract.ended_at is not None:  # the work returned the day it ended
            ended = timezone.localtime(contract.ended_at).date() - datetime.timedelta(days=1)
            ends_on = min(ends_on, ended)
        if ends_on < max(first_day, contract.starts_on):
            continue
        item = contract.scope.item
        found.append({
            "community_id": contract.community_id, "item_id": item.pk,
            "item_number": item.number, "item_title": item.title,
            "organisation": contract.organisation.name, "starts_on": contract.starts_on,
            "ends_on": ends_on, "url": reverse("civic:contract", args=[contract.pk]),
        })  # fmt: skip
    return found
