"""The workload router of the JSON API, mounted at /api/workload/.

A community's own tools may list and complete tasks here, through the same selectors and
service as the pages, so the trace is written the same way.
"""

import datetime
from typing import Annotated, Literal

from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema
from ninja.pagination import paginate
from pydantic import AfterValidator

from core.api import AUTH, Page, errors
from core.api_schemas import MAX_ID, Input, _no_nul
from workload import selectors, services
from workload.models import Task

router = Router(auth=AUTH, tags=["workload"])


class CompleteIn(Input):
    minutes_spent: Annotated[int, Field(ge=0, le=services.MAX_MINUTES)]
    result: Annotated[str, Field(max_length=5000), AfterValidator(_no_nul)] = ""


class TaskOut(Schema):
    id: int
    title: str
    status: str
    community_id: int
    item_id: int
    due_at: datetime.datetime
    closed_at: datetime.datetime | None
    minutes_spent: int


@router.post(
    "/tasks/{task_id}/complete",
    response={200: TaskOut, **errors(403, 404, 422)},
    summary="Complete a task of one's community (the trace is written automatically)",
)
def task_complete(request, task_id: Annotated[int, Path(ge=1, le=MAX_ID)], data: CompleteIn):
    task = get_object_or_404(selectors.tasks_visible_to(request.auth), pk=task_id)
    return services.task_complete(
        actor=request.auth, task=task, minutes_spent=data.minutes_spent, result=data.result
    )


@router.get("/tasks", response={200: list[TaskOut], **errors(422)})
@paginate(Page)
def task_list(request, status: Literal[tuple(Task.Status.values)] | None = None):  # type: ignore[valid-type]
    """Tasks the user may see: their community's, their department's, or those they oversee."""
    tasks = selectors.tasks_visible_to(request.auth)
    if status:
        tasks = tasks.filter(status=status)
    return tasks.order_by("due_at", "pk")
