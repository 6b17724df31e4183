"""Workbench cards of the time bank: services waiting for a worker's approval, and a
resident's balance with the orders they have taken."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.rules import role_places
from core.workbench import Card, Item
from timebank import selectors, services
from timebank.models import Order
from timebank.rules import RECORD_ROLES


def provider(user) -> list[Card]:
    cards = []
    if role_places(user, RECORD_ROLES):
        waiting = selectors.orders_to_approve(user).select_related("listing", "volunteer")
        count = waiting.count()
        items = [
            Item(
                f"{o.listing.title} · {o.volunteer.name}",
                reverse("timebank:approvals"),
                _("%(m)d分钟") % {"m": o.minutes or 0},
            )
            for o in waiting[:5]
        ]
        cards.append(
            Card(
                _("时间银行待审核"),
                items,
                url=reverse("timebank:approvals"),
                count=count,
                tone="warn" if count else "plain",
                empty_text=_("没有待审核的服务。"),
                order=40,
            )
        )
    account = services.member_account_of(user)
    if account is not None:
        active = Order.objects.filter(
            volunteer=account, status__in=[Order.Status.TAKEN, Order.Status.SIGNED_IN]
        ).select_related("listing")[:5]
        items = [Item(_("余额：%(h)s") % {"h": account.hours}, reverse("timebank:home"))]
        items += [
            Item(o.listing.title, reverse("timebank:home"), o.get_status_display()) for o in active
        ]
        cards.append(Card(_("我的时间银行"), items, url=reverse("timebank:home"), order=45))
    return cards
