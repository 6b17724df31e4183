"""What the notify pages list: only the reader's own messages, choices and sends."""

from django.db.models import QuerySet

from core.models import Notification, Role
from notify import kinds
from notify.models import Channel, Delivery, Preference


def notifications_of(user) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def deliveries_of(user) -> QuerySet[Delivery]:
    return Delivery.objects.filter(user=user).exclude(channel=Channel.INAPP).order_by("-pk")


def preference_of(user) -> Preference:
    """The account's saved choices, or the defaults (unsaved) when it has none."""
    return Preference.objects.filter(user=user).first() or Preference(user=user)


def reachable(user, pref: Preference) -> dict[str, bool]:
    person = getattr(user, "person", None)
    return {
        Channel.SMS: bool(person is not None and person.mobile_enc) or has_signup_mobile(user),
        Channel.EMAIL: bool(user.email),
        Channel.WECHAT: bool(pref.wechat_openid),
    }


def kinds_for(user) -> list[kinds.Kind]:
    """The kinds of message this account may receive: residents' and members' for everyone
    (anyone may file or follow a request), a staff kind only to the roles it goes to
    (notify.catalogue.STAFF_ROLES_BY_KIND), every kind to a superuser."""
    from core.rules import assignments_of
    from notify.catalogue import staff_roles_for

    if user.is_superuser:
        return kinds.all_kinds()
    held = {a.role for a in assignments_of(user)} - {Role.RESIDENT}

    def fits(kind) -> bool:
        if kind.audience != kinds.STAFF:
            return True
        wanted = staff_roles_for(kind.key)
        return bool(held) and (wanted is None or bool(held & set(wanted)))

    return [k for k in kinds.all_kinds() if fits(k)]


def has_signup_mobile(user) -> bool:
    return hasattr(user, "signup_mobile")
