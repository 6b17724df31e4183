"""Reads of worker records: who is in post on a day, the files a user may see, and each
worker's grade by the scheme in force (computed in batches: one query per kind of record)."""

import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet

from core.rules import role_places
from core.selectors import subtrees
from workforce import grades, hooks
from workforce.models import Contract, GradeScheme, Post, Posting, Qualification, Term, Worker
from workforce.rules import VIEWERS, record_places

CERTIFICATE_ORDER = ["assistant", "social_worker", "senior"]
# The posts whose holder heads the community (``workforce.rules``): given only by the street or
# the district.
LEADERSHIP = (Post.CHIEF, Post.DEPUTY)


def in_post(day: datetime.date) -> Q:
    """Workers in post on ``day``: a contract or a term covering it, not left before it."""
    contract = Contract.objects.filter(worker=OuterRef("pk"), starts_on__lte=day).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=day),
        Q(exited_on__isnull=True) | Q(exited_on__gt=day),
    )
    term = Term.objects.filter(worker=OuterRef("pk"), starts_on__lte=day, ends_on__gte=day).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gt=day)
    )
    return Q(Exists(contract)) | Q(Exists(term))


def holds_leadership(worker, day: datetime.date) -> bool:
    """The worker holds 正职 or 副职 on ``day`` or from a later day (a post not ended by then)."""
    return (
        Posting.objects.filter(worker=worker, post__in=LEADERSHIP)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=day))
        .exists()
    )


def workers_visible_to(user) -> QuerySet[Worker]:
    """Worker files of the places whose records the user may read (the district, street
    officers, auditors; a community's head for their community): what ``view_worker`` allows
    but the worker's own file, which opens from their own page."""
    workers = Worker.objects.select_related("person", "community", "community__parent")
    if user.is_superuser:
        return workers
    return workers.filter(subtrees(record_places(user), "community__path"))


def workers_counted_for(user) -> QuerySet[Worker]:
    """Worker files of the places whose staffing overview the user sees, for counting only
    (headcounts are not personal: a community worker who is no head sees their community's)."""
    if user.is_superuser:
        return Worker.objects.all()
    return Worker.objects.filter(subtrees(role_places(user, VIEWERS), "community__path"))


def own_record(user) -> Worker | None:
    if not user.is_authenticated:
        return None
    return (
        Worker.objects.select_related("person", "community", "community__parent")
        .filter(person__account=user)
        .first()
    )


@dataclass
class WorkerRow:
    worker: Worker
    posting: Posting | None
    certificate: str | None
    answer: grades.GradeAnswer | None
    in_post: bool = True
    on_probation: bool = False
    on_leave: bool = False

    @property
    def grade(self) -> int | None:
        return self.answer.grade if self.answer else None


def schemes_in_force(district_ids, day: datetime.date) -> dict[int, GradeScheme]:
    found: dict[int, GradeScheme] = {}
    for scheme in GradeScheme.objects.filter(
        district_id__in=set(district_ids), effective_from__lte=day
    ).order_by("district_id", "-effective_from", "-id"):
        found.setdefault(scheme.district_id, scheme)
    return found


def rows_for(workers, day: datetime.date) -> list[WorkerRow]:
    """One row per worker with their current post, best certificate, status and grade."""
    workers = list(workers)
    ids = [w.pk for w in workers]
    postings = {}
    for p in Posting.objects.filter(worker_id__in=ids, starts_on__lte=day).order_by("starts_on"):
        postings[p.worker_id] = p
    certificates: dict[int, str] = {}
    for worker_id, level in Qualification.objects.filter(
        worker_id__in=ids, obtained_on__lte=day
    ).values_list("worker_id", "level"):
        held = certificates.get(worker_id)
        if held is None or CERTIFICATE_ORDER.index(level) > CERTIFICATE_ORDER.index(held):
            certificates[worker_id] = level
    current = set(
        Worker.objects.filter(pk__in=ids).filter(in_post(day)).values_list("pk", flat=True)
    )
    probation = set(Contract.objects.filter(
        worker_id__in=ids, starts_on__lte=day, probation_ends_on__gte=day, exited_on__isnull=True
    ).values_list("worker_id", flat=True))  # fmt: skip
    leave = set(
        Worker.objects.filter(pk__in=ids, leaves__starts_on__lte=day, leaves__ends_on__gte=day)
        .values_list("pk", flat=True)
    )  # fmt: skip
    paused = hooks.paused_years(ids, day.year)
    schemes = schemes_in_force({w.district_id for w in workers}, day)
    rows = []
    for w in workers:
        posting = postings.get(w.pk)
        if posting is not None and posting.ends_on is not None and posting.ends_on <= day:
            posting = None
        scheme = schemes.get(w.district_id)
        answer = None
        if scheme and posting:
            answer = grades.compute(
                scheme, post=posting.post, education=w.education, service_start=w.service_start,
                certificate=certificates.get(w.pk), paused=paused.get(w.pk, {}), day=day,
                grade_fixed=posting.grade_fixed, grade_reason=posting.grade_reason,
            )  # fmt: skip
        rows.append(WorkerRow(w, posting, certificates.get(w.pk), answer, w.pk in current,
                              w.pk in probation, w.pk in leave))  # fmt: skip
    return rows


def in_post_by_community(community_ids, day: datetime.date) -> dict[int, int]:
    from django.db.models import Count

    return dict(
        Worker.objects.filter(community_id__in=community_ids)
        .filter(in_post(day))
        .values("community_id")
        .annotate(n=Count("id"))
        .values_list("community_id", "n")
    )
