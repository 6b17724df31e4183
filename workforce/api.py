"""The workforce JSON API (reads), mounted at /api/workforce/: the roster the caller may see
(identifiers masked, no pay, no assessment results), the caller's own record (their grade
explained rule by rule, pay standard, next step, training hours, assessments) and the surge
tasks the caller may see with their approval."""

import datetime

from django.http import Http404
from ninja import Router, Schema
from ninja.pagination import paginate

from core import clock
from core.api import AUTH, Page, errors
from workforce import assessment, careers, pay, surge, workers

router = Router(auth=AUTH, tags=["workforce"])


class WorkerOut(Schema):
    id: int
    community_id: int
    name: str
    id_number_masked: str
    kind: str
    post: str | None
    title: str | None
    grade: int | None
    in_post: bool


@router.get("/workers", response={200: list[WorkerOut], **errors(422)}, summary="The roster")
@paginate(Page)
def worker_list(request):
    """Workers of the communities the caller may see; ID numbers masked, no pay or results."""
    qs = workers.workers_visible_to(request.auth).order_by("community__code", "id")
    return _Rows(qs)


class _Rows:
    """A queryset whose page is turned into rows with grades (one batch per page)."""

    def __init__(self, qs):
        self.qs = qs

    def count(self):
        return self.qs.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, key):
        return [_worker_out(r) for r in workers.rows_for(self.qs[key], clock.today())]


def _worker_out(row) -> dict:
    w = row.worker
    return {
        "id": w.pk, "community_id": w.community_id, "name": w.person.name,
        "id_number_masked": w.person.id_number_masked or "", "kind": w.kind,
        "post": row.posting.post if row.posting else None,
        "title": row.posting.title if row.posting else None, "grade": row.grade,
        "in_post": row.in_post,
    }  # fmt: skip


class StepOut(Schema):
    rule: str
    detail: str
    change: str


class CheckOut(Schema):
    label: str
    met: bool
    detail: str


class WorkerAssessmentOut(Schema):
    year: int
    result: str
    performance_pay_fen: int | None


class OwnOut(WorkerOut):
    grade_steps: list[StepOut]
    next_grade_on: datetime.date | None
    monthly_pay_fen: int | None
    monthly_floor_fen: int | None
    next_post: str
    eligible: bool
    checks: list[CheckOut]
    training_hours: int
    training_hours_due: int
    assessments: list[WorkerAssessmentOut]


@router.get("/me", response={200: OwnOut, **errors(404)}, summary="The caller's own record")
def own_record(request):
    record = workers.own_record(request.auth)
    if record is None:
        raise Http404
    today = clock.today()
    row = workers.rows_for([record], today)[0]
    _scale, own = pay.own_pay(record, today)
    career = careers.career_of(record, row, today)
    return {
        **_worker_out(row),
        "grade_steps": [vars(s) for s in row.answer.steps] if row.answer else [],
        "next_grade_on": row.answer.next_grade_on if row.answer else None,
        "monthly_pay_fen": own.monthly_fen, "monthly_floor_fen": own.floor_monthly_fen,
        "next_post": str(career.next_post), "eligible": career.eligible,
        "checks": [vars(c) for c in career.checks], "training_hours": career.training_done,
        "training_hours_due": career.training_due,
        "assessments": [
            {"year": r.year, "result": r.result, "performance_pay_fen": assessment.performance_pay_fen(r)}
            for r in assessment.own_results(record)
        ],
    }  # fmt: skip


class SurgeOut(Schema):
    id: int
    community_id: int
    kind: str
    reason: str
    instruction: str
    started_on: datetime.date
    ended_on: datetime.date
    state: str
    minutes: int
    subsidy_fen: int | None


@router.get("/surge", response={200: list[SurgeOut], **errors(422)}, summary="Surge tasks")
@paginate(Page)
def surge_list(request):
    """Every surge task the caller may see (the district: all of its own) and its approval."""
    return surge.tasks_visible_to(request.auth).order_by("-started_on", "-id")
