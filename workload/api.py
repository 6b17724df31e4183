"""The workload router of the JSON API, mounted at /api/workload/.

Writes only for now (see admission/api.py): a community's own tools may complete tasks here,
through the same service as the page, so the trace is written the same way.
"""

import datetime
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, Path, Router, Schema
from pydantic import AfterValidator

from core.api import AUTH, errors
from core.api_schemas import MAX_ID, Input, _no_nul
from workload import selectors, services

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
