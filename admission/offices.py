"""The bodies that push work onto communities: the district's functional departments and its
street offices (街道办事处).

A street office is a ``core.Department`` row with its ``street`` set, so an admission request,
an admitted item, a task, a trace and a refusal of un-admitted work name either kind of body
through the same column, and the burden page and the refusal ranking count both. A street
office's officers are the street officers (街道工作人员) of that street; it may reach only the
communities of its own street, and what it applies for is checked against the street power list
(街道办事处权力清单) in force.
"""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.models import Department, Place, PlaceLevel, Role
from core.rules import assignments_of, officer_departments
from core.selectors import role_holders


def officer_streets(user, district=None) -> list[Place]:
    """The streets where the user is a street officer (in `district` if given)."""
    return [
        a.place
        for a in assignments_of(user)
        if a.role == Role.STREET_OFFICER
        and a.place.level == PlaceLevel.STREET
        and (district is None or a.place.district_id == district.pk)
    ]


def street_office(street: Place) -> Department:
    """The street's office, created the first time it is needed (inside the caller's
    transaction: only services call this)."""
    office = Department.objects.filter(street=street).first()
    if office is not None:
        return office
    return Department.objects.create(
        district_id=street.district_id,
        street=street,
        name=_("%(street)s办事处") % {"street": street.name},
        short_code=f"street-{street.code}"[:32],
    )


def acting_units(user, district=None) -> list[Department]:
    """The bodies the user may act for: their departments, and the offices of the streets where
    they are a street officer (those already recorded)."""
    streets = [s.pk for s in officer_streets(user, district)]
    offices = list(Department.objects.filter(street_id__in=streets)) if streets else []
    return officer_departments(user, district) + offices


def acts_for(user, department: Department | None) -> bool:
    """True if the user is an officer of `department`: a department officer of it, or a street
    officer of the street a street office stands for."""
    if department is None:
        return False
    if department.street_id is not None:
        return any(s.pk == department.street_id for s in officer_streets(user))
    return any(
        a.role == Role.DEPARTMENT_OFFICER
        and a.department_id == department.pk
        and a.place_id == department.district_id
        for a in assignments_of(user)
    )


def unit_officers(department: Department) -> QuerySet:
    """Who hears about a body's requests and items: its department officers, or the street
    officers of a street office's street."""
    if department.street_id is not None:
        return role_holders({Role.STREET_OFFICER}, places=[department.street_id])
    return role_holders({Role.DEPARTMENT_OFFICER}, department=department)


def pushers_of(community: Place) -> list[tuple[str, str]]:
    """The bodies that may push work onto `community`, as (value, label) choices for a form:
    the district's active departments, and the community's own street office ("street:<pk>"
    when it has no row yet). Services turn the value back with ``pusher_from``."""
    departments = Department.objects.filter(
        district_id=community.district_id, is_active=True, street__isnull=True
    ).order_by("name")
    choices = [(str(d.pk), d.name) for d in departments]
    street = community.parent
    if street is not None and street.level == PlaceLevel.STREET:
        office = Department.objects.filter(street=street).first()
        label = office.name if office else _("%(street)s办事处") % {"street": street.name}
        choices.append((str(office.pk) if office else f"street:{street.pk}", label))
    return choices


def pusher_from(community: Place, value) -> Department | None:
    """The body a form's choice (``pushers_of``) names, creating the community's street office
    when it is named for the first time; None when the choice is not one of them."""
    value = str(value or "").strip()
    street = community.parent
    if value.startswith("street:"):
        if street is None or value != f"street:{street.pk}":
            return None
        return street_office(street)
    if not value.isdigit():
        return None
    department = Department.objects.filter(pk=int(value), district_id=community.district_id).first()
    if department is None or not department.is_active:
        return None
    if department.street_id is not None and department.street_id != community.parent_id:
        return None
    return department
