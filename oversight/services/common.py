"""What the oversight services share: the officers of a district, notices, state checks."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.models import STAFF_ROLES, Person, Place, PlaceLevel, Role, RoleAssignment
from notify import services as notify


def district_of(place: Place) -> Place:
    if place is None or place.level != PlaceLevel.DISTRICT:
        raise ValidationError(_("请选择区。"), code="not_a_district")
    return place


def officers(district: Place) -> list[int]:
    """The accounts holding the oversight officer role at the district now."""
    return list(
        RoleAssignment.objects.active()
        .filter(role=Role.OVERSIGHT_OFFICER, place=district)
        .values_list("user_id", flat=True)
        .distinct()
    )


def community_workers(community: Place) -> list[int]:
    return list(
        RoleAssignment.objects.active()
        .filter(role=Role.COMMUNITY_WORKER, place=community)
        .values_list("user_id", flat=True)
        .distinct()
    )


def staff_person(person, district: Place) -> Person:
    """A person with a staff account at a place of the district (who the chain is about)."""
    if not isinstance(person, Person) or person.account_id is None:
        raise ValidationError(_("问责和提醒只针对有工作账号的工作人员。"), code="not_staff")
    places = (
        RoleAssignment.objects.active()
        .filter(user_id=person.account_id, role__in=STAFF_ROLES - {Role.AUDITOR})
        .select_related("place")
    )
    if not any(a.place.is_within(district) for a in places):
        raise ValidationError(
            _("%(name)s不是本区的工作人员。"), params={"name": person.name}, code="not_staff"
        )
    return person


def require_state(obj, states, message: str) -> None:
    if obj.state not in states:
        raise ValidationError(message, code="bad_state")


def tell(kind: str, recipients, *, actor, url: str, subject, **params) -> None:
    notify.send(kind=kind, recipients=recipients, params=params, url=url, subject=subject,
                actor=actor)  # fmt: skip
