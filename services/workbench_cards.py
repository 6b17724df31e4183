"""Workbench cards: what waits for each user in the services app (a few indexed queries)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
from core.models import Role
from core.rules import assignments_of
from core.workbench import Card, Item, register
from services import selectors
from services.models import OPEN_STATES
from services.rules import officer_departments


def _items(requests, meta):
    return [
        Item(f"{r.number} {r.title}", reverse("services:request_detail", args=[r.pk]), meta(r))
        for r in requests
    ]


def services_cards(user) -> list:
    cards = []
    now = timezone.now()
    mine = selectors.my_requests(user)
    mine_list = list(mine.order_by("-updated_at")[:5])
    waiting = mine.filter(state__in=OPEN_STATES | {"closed", "visited"})
    if mine_list or any(a.role == Role.RESIDENT for a in assignments_of(user)):
        cards.append(
            Card(
                _("我的诉求"),
                _items(mine_list, lambda r: r.get_state_display()),
                url=reverse("services:home"),
                count=waiting.count(),
                empty_text=_("有事找政府：点这里反映问题。"),
                order=20,
            )
        )
    if selectors.is_dispatcher(user):
        queues = selectors.dispatch_queues(user)
        waiting = list(queues["submitted"][:5]) + list(queues["accepted"][:3])
        late = selectors.dispatchable(user).filter(
            state__in=["dispatched", "handling"], due_at__lt=now
        )
        late_count = late.count()
        count = queues["submitted"].count() + queues["accepted"].count()
        cards.append(
            Card(
                _("待受理和派单的诉求"),
                _items(waiting, lambda r: r.get_state_display()),
                url=reverse("services:dispatch"),
                count=count,
                tone="alert" if late_count else "warn" if count else "plain",
                empty_text=_("没有待派的诉求。"),
                order=15,
            )
        )
    if officer_departments(user):
        queue = selectors.department_queue(user)
        rows = list(queue[:6])
        late = sum(1 for r in rows if r.due_at and r.due_at < now)
        cards.append(
            Card(
                _("部门诉求工单"),
                _items(
                    rows,
                    lambda r: (
                        f"{r.get_state_display()} · {clock.shown(r.due_at, '%m-%d')}"
                        if r.due_at
                        else ""
                    ),
                ),
                url=reverse("services:department"),
                count=queue.count(),
                tone="alert" if late else "plain",
                empty_text=_("没有待办工单。"),
                order=15,
            )
        )
    grid = selectors.grid_queue(user)
    if selectors.patrol_places(user).exists():
        cards.append(
            Card(
                _("网格工单"),
                _items(grid[:5], lambda r: r.get_state_display()),
                url=reverse("services:grid"),
                count=grid.count(),
                empty_text=_("本网格暂无在办诉求。"),
                order=25,
            )
        )
    return cards


register(services_cards)
