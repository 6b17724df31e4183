"""The oversight officers' workbench card: 容错 applications to judge and cases waiting for 销号.
Nobody else's workbench runs a query here (the person concerned is told through notify)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.models import Role
from core.rules import assignments_of
from core.workbench import Card, Item
from oversight.models import Case


def cards(user) -> list:
    districts = [a.place_id for a in assignments_of(user) if a.role == Role.OVERSIGHT_OFFICER]
    if not districts:
        return []
    waiting = Case.objects.filter(
        district_id__in=districts, state__in=[Case.State.TOLERANCE_ASKED, Case.State.RECTIFIED]
    ).select_related("person")
    rows = list(waiting.order_by("pk")[:8])
    return [
        Card(
            _("待认定容错与待销号"),
            [
                Item(
                    f"{c.person.name} · {c.get_state_display()}",
                    reverse("oversight:case", args=[c.pk]),
                    c.decided_on.isoformat(),
                )
                for c in rows
            ],  # fmt: skip
            url=reverse("oversight:chain"),
            count=waiting.count(),
            tone="warn" if rows else "plain",
            empty_text=_("没有待办的问责事项。"),
            order=30,
        )
    ]
