"""What the order pages show beside an order's steps (timebank.views): where a need's order
stands, the minutes that differ from the agreed ones, and who else approves a service the
viewer confirmed. Reads only."""

from django.db.models import OuterRef, QuerySet, Subquery

from core.models import Role, RoleAssignment
from timebank import defaults, services
from timebank.models import Listing, Order


def with_order_states(listings: QuerySet[Listing], limit: int) -> list[Listing]:
    """The needs, each with ``state``: as its poster follows it, a taken need shows where its
    order stands (服务中, 待确认, 待审核), not 已接单 until the approval. In the same query."""
    live = Order.objects.filter(listing=OuterRef("pk")).exclude(
        status__in=[Order.Status.CANCELLED, Order.Status.REJECTED]
    )
    listings = list(listings.annotate(order_status=Subquery(live.values("status")[:1]))[:limit])
    for need in listings:
        taken = need.status == Listing.Status.TAKEN and need.order_status
        need.state = Order.Status(need.order_status).label if taken else need.get_status_display()
    return listings


def flag_mismatches(orders) -> list[Order]:
    """Mark each order whose minutes differ from the agreed ones beyond its district's rule
    (``order.mismatch``: the minutes, or None); one read of the rule per district."""
    orders, percents = list(orders), {}
    for order in orders:
        if order.district_id not in percents:
            percents[order.district_id] = services.rule_value(
                defaults.MINUTES_MISMATCH, order.district_id
            )
        order.mismatch = services.order_mismatch(order, percents[order.district_id])
    return orders


def approvers(order: Order, user) -> list[str]:
    """Who else may approve a confirmed order: the community workers of its community (the
    district's administrators may too), never who confirmed it."""
    return _approvers_at([order.place_id], {user.pk, order.confirmed_by_id}).get(order.place_id, [])


def _approvers_at(places, excluded) -> dict[int, list[str]]:
    """The community workers of each place (at most five names), but the `excluded` users; in
    one query."""
    names: dict[int, list[str]] = {}
    assignments = (
        RoleAssignment.objects.active()
        .filter(role=Role.COMMUNITY_WORKER, place__in=places, user__is_active=True)
        .exclude(user__in=excluded - {None})
        .select_related("user__person")
        .order_by("place_id", "user_id")
    )
    for assignment in assignments:
        if len(names.setdefault(assignment.place_id, [])) < 5:
            names[assignment.place_id].append(str(assignment.user))
    return names


def awaiting_other_worker(user) -> list[Order]:
    """The services this worker confirmed (for a resident without a phone) that wait for
    another worker's approval — who confirmed a service does not approve it — each with the
    colleagues who may (``approvers``)."""
    orders = list(
        Order.objects.filter(confirmed_by=user, status=Order.Status.CONFIRMED)
        .select_related("listing", "volunteer", "place")
        .order_by("confirmed_at")[:10]
    )
    names = _approvers_at({o.place_id for o in orders}, {user.pk}) if orders else {}
    for order in orders:
        order.approvers = names.get(order.place_id, [])
    return orders
