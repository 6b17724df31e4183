"""The 居务监督委员会 member's workbench card: boards submitted for their review. Only members run
a query here (the card is built from the user's cached role assignments first)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.models import Role
from core.rules import assignments_of
from core.workbench import Card, Item
from finance.models import Disclosure


def cards(user) -> list:
    communities = [a.place_id for a in assignments_of(user) if a.role == Role.SUPERVISION_MEMBER]
    if not communities:
        return []
    waiting = Disclosure.objects.filter(
        community_id__in=communities, status=Disclosure.Status.SUBMITTED
    )
    rows = list(waiting.select_related("community").order_by("period_start", "pk")[:8])
    return [
        Card(
            _("待审核的公开栏"),
            [
                Item(
                    f"{d.community.name} · {d.get_board_display()}",
                    reverse("finance:board", args=[d.pk]),
                    f"{d.period_start:%Y-%m} — {d.period_end:%Y-%m}",
                )
                for d in rows
            ],
            url=reverse("finance:boards"),
            count=waiting.count() if len(rows) == 8 else len(rows),
            tone="warn" if rows else "plain",
            empty_text=_("没有待审核的公开栏。"),
            order=30,
        )
    ]
