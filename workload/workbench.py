"""Workbench card of a community worker: the tasks waiting, soonest deadline first."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.workbench import Card, Item
from workload import selectors


def cards(user) -> list:
    from core.rules import role_places
    from workload.rules import WORKERS

    if not role_places(user, WORKERS):
        return []
    tasks = selectors.my_open_tasks(user)
    rows = list(tasks[:8])
    now = timezone.now()
    overdue = any(t.due_at < now for t in rows)
    return [
        Card(
            _("待办的社区任务"),
            [
                Item(
                    f"{t.title} · {t.department.name}",
                    reverse("workload:task_detail", args=[t.pk]),
                    _("%(d)s前") % {"d": timezone.localtime(t.due_at).strftime("%m-%d")},
                )
                for t in rows
            ],
            url=reverse("workload:task_list"),
            count=tasks.count(),
            tone="alert" if overdue else ("warn" if rows else "plain"),
            empty_text=_("没有待办任务。未经准入的派活，社区有权拒绝。"),
            order=15,
        )
    ]
