"""Open community tasks' deadlines follow the working-day calendar (core.deadlines); the moves
are listed in the calendar change's audit event."""

from core import deadlines
from workload.models import Task

deadlines.register(
    "workload.task.due_at",
    lambda: Task.objects.filter(status=Task.Status.OPEN),
    due="due_at",
    since="created_at",
)
