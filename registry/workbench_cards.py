"""The registry's cards on the workbench: conflicts to settle, imports waiting."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.models import Role
from core.rules import assignments_of
from core.workbench import Card, Item
from registry import selectors
from registry.models import ImportBatch
from registry.rules import FILL_ROLES


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
    if any(a.role in FILL_ROLES - {Role.ADMIN} for a in assignments_of(user)):
        reports = selectors.reports_visible_to(user).filter(status="kept")
        n = reports.count()
        if n:
            result.append(
                Card(
                    _("一表通：补填缺项"),
                    items=[
                        Item(
                            r.name,
                            reverse("registry:report", args=[r.pk]) + "?missing=1",
                            r.department.name,
                        )
                        for r in reports[:5]
                    ],  # fmt: skip
                    url=reverse("registry:reports"),
                    count=n,
                    empty_text=_("已有的数据系统已自动填写，只需补填缺项。"),
                    order=46,
                )
            )
    return result
