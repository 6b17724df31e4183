"""Scoped reads of the admission gate: every list a page or API shows comes from here."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils import timezone

from admission.models import (
    AdmissionRequest,
    AdmittedItem,
    AdmittedScope,
    JointMeeting,
    ListEntry,
    ListKind,
    ListVersion,
)
from admission.models import Frequency as Frequency  # for other apps
from admission.models import WorkKind as WorkKind  # for other apps
from admission.policies import REVIEWERS, in_users_districts, visible_requests
from core import selectors as core_selectors
from core.models import Place
from core.rules import role_places
from core.selectors import subtrees


def user_districts(user) -> QuerySet[Place]:
    """The districts where the user holds any role (every user reads their district's lists)."""
    return core_selectors.districts_of(user)


def list_versions(user, district: Place, kind: str) -> QuerySet[ListVersion]:
    """Published versions for everyone in the district; drafts only for list editors."""
    versions = ListVersion.objects.filter(district=district, kind=kind)
    if not user.has_perm("admission.edit_lists", district):
        versions = versions.filter(status=ListVersion.Status.PUBLISHED)
    return versions.order_by("-number")


@dataclass
class VersionDiff:
    added: list[ListEntry] = field(default_factory=list)
    removed: list[ListEntry] = field(default_factory=list)
    changed: list[tuple[ListEntry, ListEntry, list[str]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)


FIELD_LABELS = {
    "title": "事项名称",
    "category": "类别",
    "legal_basis": "法律政策依据",
    "department_id": "责任部门",
    "handled_by": "办理机关",
    "keywords": "匹配关键词",
}


def diff_versions(old: ListVersion, new: ListVersion) -> VersionDiff:
    """What changed from `old` to `new`, matching entries by their key."""
    before = {e.key: e for e in old.entries.select_related("department")}
    after = {e.key: e for e in new.entries.select_related("department")}
    result = VersionDiff()
    for key, entry in after.items():
        if key not in before:
            result.added.append(entry)
            continue
        fields = [
            FIELD_LABELS[name]
            for name in ListEntry.COMPARED
            if getattr(before[key], name) != getattr(entry, name)
        ]
        if fields:
            result.changed.append((before[key], entry, fields))
    result.removed = [entry for key, entry in before.items() if key not in after]
    return result


def requests_visible_to(user) -> QuerySet[AdmissionRequest]:
    """All requests for the district's coordinators, admins and auditors; a department's
    officers see their department's; everyone in the district sees decided ones (the
    admission.view_request policy: admission.policies.visible_requests)."""
    return visible_requests(user)


def decisions_visible_to(user) -> QuerySet[AdmissionRequest]:
    """Decisions and their reasons, public to every community of the district."""
    return requests_visible_to(user).filter(status__in=AdmissionRequest.DECIDED)


def reviews_waiting_for(user) -> QuerySet[AdmissionRequest]:
    districts = [p.district_id for p in role_places(user, REVIEWERS)]
    return AdmissionRequest.objects.filter(
        district_id__in=districts, status__in=AdmissionRequest.IN_REVIEW
    ).select_related("department")


def review_districts(user) -> list[Place]:
    """The districts where the user reviews admission requests."""
    return [p for p in role_places(user, REVIEWERS) if p.level == "district"]


def meetings_visible_to(user) -> QuerySet[JointMeeting]:
    """Joint meetings of the user's districts: their decisions are public to every community."""
    return in_users_districts(JointMeeting.objects.select_related("district", "recorded_by"), user)


def awaiting_meeting(user) -> QuerySet[AdmissionRequest]:
    """Prepared requests waiting for a joint meeting, for the district's reviewers."""
    districts = [p.district_id for p in role_places(user, REVIEWERS)]
    if user.is_superuser:
        districts = list(Place.objects.filter(level="district").values_list("pk", flat=True))
    return (
        AdmissionRequest.objects.filter(
            district_id__in=districts, status=AdmissionRequest.Status.PREPARED
        )
        .select_related("department")
        .order_by("review_due_at", "pk")
    )


def admitted_items_visible_to(user) -> QuerySet[AdmittedItem]:
    """The admitted catalogue of the user's districts (public within the district)."""
    return in_users_districts(
        AdmittedItem.objects.select_related("department", "request", "district"), user
    )


def certificate_scope(user) -> QuerySet[Place]:
    """Communities whose certificate answers a street officer, coordinator, admin or auditor
    may read (workers and residents read their own community's)."""
    from core.models import Role

    places = role_places(user, {Role.STREET_OFFICER, Role.COORDINATOR, Role.ADMIN, Role.AUDITOR})
    return Place.objects.filter(subtrees(places), level="community")


def citable_entries(district: Place, *, street_office: bool = False) -> QuerySet[ListEntry]:
    """Entries an application may cite: the duty and assistance lists in force in `district`;
    for a street office, the powers of the street power list in force it still holds."""
    from admission.models import PowerCategory
    from admission.services.lists import version_in_force

    if street_office:
        version = version_in_force(district, ListKind.POWER)
        return ListEntry.objects.filter(
            version_id=version.pk if version else None,
            category__in=[PowerCategory.BASIC, PowerCategory.COOPERATIVE],
        ).order_by("position", "key")
    ids = []
    for kind in (ListKind.DUTY, ListKind.ASSISTANCE):
        version = version_in_force(district, kind)
        if version:
            ids.append(version.pk)
    return ListEntry.objects.filter(version_id__in=ids).order_by("kind", "position")


def list_entry_in(district: Place, pk) -> ListEntry | None:
    """An entry of any list version of `district` (the services say whether it is in force)."""
    if not str(pk).isdigit():
        return None
    return ListEntry.objects.filter(pk=int(pk), district=district).first()


# ---------------------------------------------------------------- for other apps
# Workload reaches admitted items through these (never through admission's models); the
# frequencies and kinds of work an item may have are part of this door.


def admitted_item_for_update(item) -> AdmittedItem:
    """The admitted item again, its row locked until the caller's transaction ends."""
    return AdmittedItem.objects.select_for_update().select_related("department").get(pk=item.pk)


def active_items(district: Place) -> QuerySet[AdmittedItem]:
    """The district's items in the catalogue (not withdrawn), with their department."""
    return AdmittedItem.objects.filter(
        district=district, status=AdmittedItem.Status.ACTIVE
    ).select_related("department")


def admitted_periods(community_ids, start: datetime.date, end: datetime.date):
    """Per community, the admission periods of the items reaching it that overlap
    [`start`, `end`), each with how many items share it: rows of ``community_id``,
    ``item__period_start``, ``item__period_end`` and ``n``."""
    return (
        AdmittedScope.objects.filter(
            community_id__in=community_ids, item__period_start__lt=end, item__period_end__gte=start
        )
        .values("community_id", "item__period_start", "item__period_end")
        .annotate(n=Count("id"))
    )


# ---------------------------------------------------------------- the district's one page


def decisions_reaching(community_ids, start: datetime.datetime, end: datetime.datetime) -> dict:
    """Admission requests decided in [`start`, `end`) that name any of these communities:
    {"admitted": n, "refused": n} (refused at review or against the negative list)."""
    refused = (AdmissionRequest.Status.REFUSED, AdmissionRequest.Status.REFUSED_NEGATIVE)
    rows = (
        AdmissionRequest.objects.filter(
            communities__in=community_ids,
            decided_at__gte=start,
            decided_at__lt=end,
            status__in=AdmissionRequest.DECIDED,
        )
        .values("status")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    counts = {"admitted": 0, "refused": 0}
    for row in rows:
        counts["refused" if row["status"] in refused else "admitted"] += row["n"]
    return counts


def items_in_force(community_ids, day: datetime.date, kinds) -> dict[str, int]:
    """Admitted items of these kinds that reached any of these communities on `day` (admitted
    by then, their period covering it, not withdrawn before it), counted per kind."""
    end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min)
    end = timezone.make_aware(end)
    rows = (
        AdmittedItem.objects.filter(
            scopes__community_id__in=community_ids,
            kind__in=kinds,
            admitted_at__lt=end,
            period_start__lte=day,
            period_end__gte=day,
        )
        .exclude(withdrawn_at__lt=end)
        .values("kind")
        .annotate(n=Count("id", distinct=True))
        .order_by()
    )
    counts = dict.fromkeys(kinds, 0)
    counts.update({row["kind"]: row["n"] for row in rows})
    return counts


# ---------------------------------------------------------------- forms through admission


def form_items_usable(*, departments=None, districts=None) -> QuerySet[AdmittedItem]:
    """Admitted items of kind form usable today (in the catalogue and in their period) of these
    departments or districts: what a report form may be registered or kept under."""
    from admission.models import WorkKind
    from admission.services import local_today

    today = local_today()
    items = AdmittedItem.objects.filter(
        kind=WorkKind.FORM, status=AdmittedItem.Status.ACTIVE, period_start__lte=today,
        period_end__gte=today,
    ).select_related("department")  # fmt: skip
    if departments is not None:
        items = items.filter(department__in=list(departments))
    if districts is not None:
        items = items.filter(district__in=list(districts))
    return items.order_by("number")


def form_admissions(report_ids) -> dict:
    """{report id: its AdmittedForm (with the item)} for the forms ledger."""
    from admission.models import AdmittedForm

    rows = AdmittedForm.objects.filter(report_id__in=list(report_ids)).select_related("item")
    return {row.report_id: row for row in rows}


def with_admission(reports: list, items) -> list:
    """The forms ledger's rows: each report with ``admitted`` (its AdmittedForm or None) and
    ``items`` (the usable form items of its department, to keep one registered before the
    gate)."""
    admissions = form_admissions(r.pk for r in reports)
    items = list(items)
    for report in reports:
        report.admitted = admissions.get(report.pk)
        report.items = [i for i in items if i.department_id == report.department_id]
    return reports


def certificates_answered(community_ids, start, end) -> list[tuple]:
    """Certificates asked for at these communities between the dates ``start`` and ``end``
    (excluded), as (community_id, asked_at, outcome, asked_by_id): the burden index's service
    time (workload.sources). One query."""
    from admission.models import CertificateAnswer

    return list(
        CertificateAnswer.objects.filter(
            community_id__in=community_ids, asked_at__date__gte=start, asked_at__date__lt=end
        ).values_list("community_id", "asked_at", "outcome", "asked_by_id")
    )
