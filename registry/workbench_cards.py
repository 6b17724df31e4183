"""The registry's cards on the workbench: conflicts to settle, imports waiting."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.workbench import Card, Item
from registry import selectors
from registry.models import ImportBatch


def cards(user) -> list[Card]:
    result = []
    conflicts = selectors.conflicts_for(user)
    count = conflicts.count()
    if count:
        result.append(
            Card(
                _("数据冲突待核定"),
                items=[
                    Item(
                        f"{c.person.name} · {c.field.label}",
                        reverse("registry:conflicts"),
                        c.opened_at.strftime("%m-%d"),
                    )
                    for c in conflicts[:5]
                ],  # fmt: skip
                url=reverse("registry:conflicts"),
                count=count,
                tone="warn",
                order=40,
            )
        )
    waiting = selectors.batches_visible_to(user).filter(
        status__in=[ImportBatch.Status.CHECKED, ImportBatch.Status.CHECKING]
    )
    n = waiting.count()
    if n:
        result.append(
            Card(
                _("导入待处理"),
                items=[
                    Item(b.filename, reverse("registry:batch", args=[b.pk]), b.get_status_display())
                    for b in waiting[:5]
                ],
                url=reverse("registry:imports"),
                count=n,
                order=45,
            )
        )
    return result
