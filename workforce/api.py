"""The workforce JSON API, mounted at /api/workforce/: the roster the caller may see
(identifiers masked, no pay, no assessment results) and one file of it, the caller's own record
(their grade explained rule by rule, pay standard, next step, training hours, assessments), and
surge work: the tasks the caller may see with their approval, recording one with its reason,
the district's instruction and each worker's hours, and its approval afterwards (one operation
per row of ``workforce.steps``). The same rules as the pages: a community worker who is not
their community's head sees their own record only (``workforce.rules``)."""

import datetime
from decimal import Decimal
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from pydantic import AfterValidator

from core import clock
from core import steps as core_steps
from core.api import AUTH, IdempotencyKey, Page, errors, idempotent, visible_place
from core.api_schemas import MAX_ID, Input, PathId, _no_nul
from workforce import assessment, careers, pay, services, steps, surge, workers
from workforce.models import SurgeTask, Worker

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


@router.get(
    "/workers/{worker_id}", response={200: WorkerOut, **errors(403, 404)}, summary="One worker"
)
def worker_detail(request, worker_id: PathId):
    """One worker of the roster, or the caller's own record; a colleague's file is refused to
    a community worker who is not their community's head (403), as on the page."""
    record = get_object_or_404(
        Worker.objects.select_related("person", "community", "community__parent"), pk=worker_id
    )
    if not request.auth.has_perm("workforce.view_worker", record):
        raise PermissionDenied(_("您无权查看该社区工作者的档案。"))
    return _worker_out(workers.rows_for([record], clock.today())[0])


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


Text = Annotated[str, AfterValidator(_no_nul)]


class SurgeHoursIn(Input):
    worker_id: int = Field(..., ge=1, le=MAX_ID, description="社区工作者")
    hours: Decimal = Field(..., max_digits=6, decimal_places=1, description="工作时长（小时）")


class SurgeIn(Input):
    """A surge task of one community; the reason and the district's instruction are checked by
    the service (a task without an instruction is refused, with the reason)."""

    community_id: int = Field(..., ge=1, le=MAX_ID)
    kind: str = Field(..., max_length=10, description="epidemic, flood, cold, fire, other")
    reason: Text = Field("", max_length=300, description="事由")
    instruction: Text = Field("", max_length=300, description="区级指令（发文或通知的名称、文号）")
    started_on: datetime.date
    ended_on: datetime.date
    hours: list[SurgeHoursIn] = Field(..., max_length=500, description="每人工作时长")


class SurgeHoursOut(Schema):
    worker_id: int
    name: str
    minutes: int
    subsidy_fen: int | None


class SurgeTaskOut(SurgeOut):
    decision_note: str
    hours: list[SurgeHoursOut]


def _task_out(task: SurgeTask) -> dict:
    return {
        **{name: getattr(task, name) for name in SurgeOut.model_fields},
        "decision_note": task.decision_note,
        "hours": [
            {"worker_id": h.worker_id, "name": h.worker.person.name, "minutes": h.minutes,
             "subsidy_fen": surge.worker_subsidy_fen(task, h)}
            for h in task.hours.all()
        ],
    }  # fmt: skip


def _visible_task(user, task_id: int) -> SurgeTask:
    return get_object_or_404(surge.tasks_visible_to(user), pk=task_id)


@router.get(
    "/surge/{task_id}", response={200: SurgeTaskOut, **errors(404)}, summary="One surge task"
)
def surge_detail(request, task_id: PathId):
    """A surge task with each worker's hours and subsidy (where worker records are seen)."""
    return _task_out(_visible_task(request.auth, task_id))


@router.post(
    "/surge",
    response={201: SurgeTaskOut, **errors(400, 403, 404, 409, 422)},
    summary="Record a surge task",
)
def surge_record(
    request, response: HttpResponse, data: SurgeIn, idempotency_key: IdempotencyKey = None
):
    """An emergency task and each worker's hours, waiting for the street's or the district's
    approval (``workforce.surge_task_record``, as the page records it)."""
    community = visible_place(request.auth, data.community_id)
    values = data.dict(exclude={"community_id", "hours"})
    hours = {row.worker_id: row.hours for row in data.hours}

    def run():
        task = services.surge_task_record(
            actor=request.auth, community=community, hours=hours, **values
        )
        return 201, _task_out(_visible_task(request.auth, task.pk))

    return idempotent(
        request, response, key=idempotency_key, operation=f"workforce.surge:{community.pk}",
        payload=data.dict(), run=run,
    )  # fmt: skip


def _step_body(spec: steps.Input):
    text = Annotated[str, AfterValidator(_no_nul)]
    required = ... if spec.required else ""
    return text, Field(required, max_length=spec.max_length, description=str(spec.label))


def _step_take(user, task_id: int, step, raw: dict) -> dict:
    task = _visible_task(user, task_id)
    step.run(actor=user, task=task, data=core_steps.clean_input(step, raw, {}))
    return _task_out(_visible_task(user, task_id))


core_steps.add_step_operations(
    router, steps.STEPS, collection="/surge", id_name="task_id", out=SurgeTaskOut,
    body_field=_step_body, take=_step_take, prefix="workforce", model_prefix="WorkforceSurge",
    model_base=Input,
)  # fmt: skip
