"""The workbench (工作台) lists what waits for the user. Each app contributes cards.

An app registers a provider in its AppConfig.ready(): a function taking the user and returning
cards. Providers must use scoped selectors and stay cheap (a few indexed queries each): the
workbench is the page every user opens first.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock


@dataclass
class Item:
    text: str
    url: str = ""
    meta: str = ""


@dataclass
class Card:
    title: str
    items: list[Item] = field(default_factory=list)
    url: str = ""
    count: int | None = None
    tone: str = "plain"  # plain | warn | alert
    empty_text: str = ""
    order: int = 50


Provider = Callable[[object], list[Card]]
_providers: list[Provider] = []


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def cards_for(user) -> list[Card]:
    cards: list[Card] = []
    for provider in _providers:
        cards.extend(provider(user))
    return sorted(cards, key=lambda card: card.order)


# ---------------------------------------------------------------- core's own cards


def notifications_card(user) -> list[Card]:
    from core.selectors import unread_notifications

    unread = unread_notifications(user)
    from core.inbox import shown

    # Through notify's "open": following the link marks the message read.
    items = [
        Item(n.shown_title, reverse("notify:open", args=[n.pk]), clock.shown(n.created_at))
        for n in shown(unread[:8])
    ]
    return [
        Card(
            _("待阅消息"),
            items,
            count=unread.count(),
            empty_text=_("没有未读消息。"),
            url=reverse("notifications"),
            order=10,
        )
    ]


def calendar_card(user) -> list[Card]:
    if not user.has_perm("core.manage_calendar"):
        return []
    from core.calendar import years_needing_schedule

    missing = years_needing_schedule()
    if not missing:
        return []
    items = [
        Item(
            _("%(year)s年法定节假日安排尚未录入，期限暂按周一至周五计算。") % {"year": year},
            reverse("calendar") + f"?year={year}",
        )
        for year in missing
    ]
    return [Card(_("工作日历提醒"), items, tone="warn", url=reverse("calendar"), order=5)]


def places_card(user) -> list[Card]:
    from core.rules import assignments_of

    items = [
        Item(a.place.name, reverse("place_detail", args=[a.place_id]), a.get_role_display())
        for a in assignments_of(user)
    ]
    return [Card(_("我的岗位与辖区"), items, empty_text=_("尚未分配角色。"), order=90)]


def audit_card(user) -> list[Card]:
    if not user.has_perm("core.view_audit_log"):
        return []
    from core.selectors import audit_events_visible_to

    events = audit_events_visible_to(user).select_related("actor")[:6]
    items = [Item(f"{e.actor_name} · {e.action_label}", "", clock.shown(e.at)) for e in events]
    return [Card(_("最近操作记录"), items, url=reverse("audit_log"), order=60)]


for _provider in (notifications_card, calendar_card, places_card, audit_card):
    register(_provider)
