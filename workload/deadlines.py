"""Open community tasks' deadlines follow the working-day calendar (core.deadlines); the moves
are listed in the calendar change's audit event."""

from core.deadlines import Deadline, register
from workload.models import Task

register(
    Deadline(
        label="workload.task.due_at",
        open_objects=lambda: Task.objects.filter(status=Task.Status.OPEN),
        due_field="due_at",
        set_field="created_at",
    )
)
