"""Workbench card of a community worker: the tasks waiting, soonest deadline first."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
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
                    _("%(d)s前") % {"d": clock.shown(t.due_at, "%m-%d")},
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


def burden_card(user) -> list:
    """Coordinators and street officers: this month's heaviest-loaded communities."""
    from core import calendar as workcal
    from core.models import Role
    from core.rules import role_places

    if not role_places(user, {Role.COORDINATOR, Role.STREET_OFFICER}):
        return []
    month = workcal.local_today().replace(day=1)
    communities = {c.pk: c for c in selectors.communities_watched_by(user)[:500]}
    rows = selectors.burden(list(communities), month, month)
    top = sorted(rows.values(), key=lambda r: -r.burden_minutes)[:5]
    refused = sum(r.refused_unadmitted for r in rows.values())
    items = [
        Item(
            communities[r.community_id].name,
            reverse("workload:burden") + f"?community={r.community_id}",
            _("%(h)s 小时 · %(n)d 项任务") % {"h": r.index_hours, "n": r.tasks},
        )
        for r in top
    ]
    if refused:
        items.append(
            Item(_("本月拒绝未准入事项 %(n)d 次") % {"n": refused}, reverse("workload:refusals"))
        )
    return [
        Card(
            _("本月社区负担"),
            items,
            url=reverse("workload:burden"),
            empty_text=_("本月尚无下达到社区的任务。"),
            order=40,
        )
    ]
