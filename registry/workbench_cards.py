"""The registry's cards on the workbench: conflicts to settle, imports waiting."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from core.models import Role
from core.rules import assignments_of
from core.workbench import Card, Item
from registry import selectors
from registry.models import ImportBatch
from registry.rules import FILL_ROLES


def _card(title, queryset, item, **card) -> list[Card]:
    """A card of the first five of `queryset` (each shown by `item`), if it has any."""
    count = queryset.count()
    if not count:
        return []
    return [Card(title, items=[item(obj) for obj in queryset[:5]], count=count, **card)]


def cards(user) -> list[Card]:
    result = _card(
        _("数据冲突待核定"), selectors.conflicts_for(user),
        lambda c: Item(f"{c.person.name} · {c.field.label}", reverse("registry:conflicts"),
                       clock.shown(c.opened_at, "%m-%d")),
        url=reverse("registry:conflicts"), tone="warn", order=40,
    )  # fmt: skip
    waiting = selectors.batches_visible_to(user).filter(
        status__in=[ImportBatch.Status.CHECKED, ImportBatch.Status.CHECKING]
    )
    result += _card(
        _("导入待处理"), waiting,
        lambda b: Item(b.filename, reverse("registry:batch", args=[b.pk]),
                       b.get_status_display()),
        url=reverse("registry:imports"), order=45,
    )  # fmt: skip
    if any(a.role in FILL_ROLES - {Role.ADMIN} for a in assignments_of(user)):
        result += _card(
            _("一表通：补填缺项"), selectors.reports_visible_to(user).filter(status="kept"),
            lambda r: Item(r.name, reverse("registry:report", args=[r.pk]) + "?missing=1",
                           r.department.name),
            url=reverse("registry:reports"), order=46,
            empty_text=_("已有的数据系统已自动填写，只需补填缺项。"),
        )  # fmt: skip
    return result
