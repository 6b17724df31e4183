"""Who may see which admission request: the policy as a pair, a predicate on one request (for
``rules.py``) beside the queryset of every request it allows (for ``selectors.py``); how
policy modules work: docs/architecture.md, "Policies". ``tests/test_policies.py`` checks the
pair agrees for every role × place.

| permission | predicate | queryset |
| --- | --- | --- |
| ``admission.view_request`` | ``can_view_request`` (and superusers) | ``visible_requests(user)`` |

Joint meetings and the admitted catalogue have no object permission: they are public to
everyone who holds a role in their district, and a page reaches one only through
``in_users_districts`` (so what a list shows, its link opens).
"""

import rules
from django.db.models import Q, QuerySet

from admission.models import AdmissionRequest
from admission.offices import acting_units, acts_for
from core.models import Role
from core.rules import assignments_of, holds, role_places

LIST_EDITORS = {Role.ADMIN, Role.COORDINATOR}
REVIEWERS = {Role.COORDINATOR}
DISTRICT_READERS = {Role.ADMIN, Role.COORDINATOR, Role.AUDITOR}


def districts_of_user(user) -> set[int]:
    return {a.place.district_id for a in assignments_of(user)}


def in_users_districts(queryset: QuerySet, user) -> QuerySet:
    """`queryset` narrowed to the districts where the user holds a role (all for a superuser)."""
    if user.is_superuser:
        return queryset
    return queryset.filter(district_id__in=districts_of_user(user))


# ---------------------------------------------------------------- the parts


@rules.predicate
def reads_district(user, request) -> bool:
    """An administrator, coordinator or auditor of the request's district (held at the district
    itself: a street's auditor does not read the district's requests)."""
    return request is not None and holds(user, DISTRICT_READERS, request.district)


def district_reader_q(user) -> Q:
    return Q(
        district__in=[p.pk for p in role_places(user, DISTRICT_READERS) if p.level == "district"]
    )


@rules.predicate
def is_applicant(user, request) -> bool:
    """An officer of the department or street office that applied."""
    return request is not None and acts_for(user, request.department)


def applicant_q(user) -> Q:
    return Q(department__in=acting_units(user))


@rules.predicate
def sees_decision(user, request) -> bool:
    """Decisions and their reasons are public to everyone who holds a role in the district."""
    return (
        request is not None
        and request.status in AdmissionRequest.DECIDED
        and request.district_id in districts_of_user(user)
    )


def decision_q(user) -> Q:
    return Q(district_id__in=districts_of_user(user), status__in=AdmissionRequest.DECIDED)


# ---------------------------------------------------------------- the policy


can_view_request = reads_district | is_applicant | sees_decision


def visible_requests(user) -> QuerySet[AdmissionRequest]:
    """admission.view_request: every request of the district for its coordinators,
    administrators and auditors; a department's officers see their department's; everyone in
    the district sees decided ones."""
    requests = AdmissionRequest.objects.select_related("department", "district")
    if user.is_superuser:
        return requests
    if not getattr(user, "is_authenticated", False):
        return requests.none()
    return requests.filter(district_reader_q(user) | applicant_q(user) | decision_q(user))
