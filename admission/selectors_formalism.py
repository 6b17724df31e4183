"""Reads of inspections, plans, ratings, meetings and documents (issue #13 items 4 and 5).

Plans, inspections and their ratings, meetings and documents are public to everyone who holds
a role in their district (``in_users_districts``), like the catalogue and the joint meetings:
the ratings of inspections are meant to be seen by the departments rated (基层评机关).
"""

import datetime
from collections import defaultdict

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import TruncMonth

from admission.models import (
    AdmittedScope,
    Inspection,
    InspectionPlan,
    SentDown,
    WorkKind,
)
from admission.policies import in_users_districts


def plans_visible_to(user) -> QuerySet[InspectionPlan]:
    return in_users_districts(InspectionPlan.objects.select_related("department"), user)


def inspections_visible_to(user) -> QuerySet[Inspection]:
    return in_users_districts(
        Inspection.objects.select_related("community", "rating").prefetch_related(
            "items__department"
        ),
        user,
    )


def sent_down_visible_to(user) -> QuerySet[SentDown]:
    return in_users_districts(
        SentDown.objects.select_related("department").annotate(reach=Count("communities")), user
    )


def merge_proposals(community_ids, day: datetime.date) -> list[dict]:
    """Communities that active inspection items of two or more bodies reach over periods that
    overlap `day`'s year: each should be inspected once, jointly (联合检查, 综合查一次).
    [{"community": Place, "items": [AdmittedItem, ...]}], busiest first."""
    first, last = datetime.date(day.year, 1, 1), datetime.date(day.year, 12, 31)
    scopes = (
        AdmittedScope.objects.filter(
            community_id__in=community_ids,
            item__kind=WorkKind.INSPECTION,
            item__status="active",
            item__period_start__lte=last,
            item__period_end__gte=first,
        )
        .select_related("community", "item__department")
        .order_by("community__code", "item__period_start")
    )
    grouped: dict[int, dict] = {}
    for scope in scopes:
        entry = grouped.setdefault(scope.community_id, {"community": scope.community, "items": []})
        entry["items"].append(scope.item)
    proposals = [
        entry
        for entry in grouped.values()
        if len({item.department_id for item in entry["items"]}) > 1
    ]
    proposals.sort(key=lambda e: (-len(e["items"]), e["community"].code))
    return proposals


def gate_load_by_month(community_ids, start: datetime.date, end: datetime.date) -> dict:
    """Inspections held and meetings and documents received per community and local month
    in [`start`, `end`): {(community_id, month): {"inspections", "meetings", "documents"}}.
    A joint inspection counts once: merging is what lowers the count."""
    load: dict = defaultdict(lambda: {"inspections": 0, "meetings": 0, "documents": 0})
    for row in (
        Inspection.objects.filter(
            community_id__in=community_ids, held_on__gte=start, held_on__lt=end
        )
        .annotate(month=TruncMonth("held_on"))
        .values("community_id", "month")
        .annotate(n=Count("id"))
        .order_by()
    ):
        load[(row["community_id"], row["month"])]["inspections"] += row["n"]
    for row in (
        SentDown.communities.through.objects.filter(
            place_id__in=community_ids, sentdown__day__gte=start, sentdown__day__lt=end
        )
        .annotate(month=TruncMonth("sentdown__day"))
        .values("place_id", "month", "sentdown__kind")
        .annotate(n=Count("id"))
        .order_by()
    ):
        name = "meetings" if row["sentdown__kind"] == SentDown.Kind.MEETING else "documents"
        load[(row["place_id"], row["month"])][name] += row["n"]
    return dict(load)


def meeting_minutes_by_month(community_ids, start: datetime.date, end: datetime.date):
    """(community_id, month, minutes) of the meetings communities were called to."""
    for row in (
        SentDown.communities.through.objects.filter(
            place_id__in=community_ids,
            sentdown__kind=SentDown.Kind.MEETING,
            sentdown__day__gte=start,
            sentdown__day__lt=end,
        )
        .annotate(month=TruncMonth("sentdown__day"))
        .values("place_id", "month")
        .annotate(minutes=Sum("sentdown__minutes"))
        .order_by()
    ):
        yield row["place_id"], row["month"], row["minutes"] or 0


def inspection_minutes_by_month(community_ids, start: datetime.date, end: datetime.date):
    """(community_id, month, minutes) of inspections held: one visit takes the longest of its
    items' admitted minutes per community (a joint inspection is not the sum of its items)."""
    longest: dict = defaultdict(int)
    for inspection in Inspection.objects.filter(
        community_id__in=community_ids, held_on__gte=start, held_on__lt=end
    ).prefetch_related("items"):
        minutes = max((i.minutes_per_community for i in inspection.items.all()), default=0)
        longest[(inspection.community_id, inspection.held_on.replace(day=1))] += minutes
    for (community_id, month), minutes in longest.items():
        yield community_id, month, minutes
