"""Who may do what in admission. Object permissions take the district (a Place) or a request."""

import rules

from admission.offices import acts_for, officer_streets

# Who may see a request (a predicate and, beside it, the queryset of what it allows) lives in
# admission.policies; these names stay importable from here.
from admission.policies import (  # noqa: F401 - re-exported
    DISTRICT_READERS,
    LIST_EDITORS,
    REVIEWERS,
    can_view_request,
    districts_of_user,
)
from core.models import STAFF_ROLES, Role
from core.rules import assignments_of, holds_at, is_superuser, officer_departments, role_places

can_edit_lists = holds_at(LIST_EDITORS, "can_edit_lists")


@rules.predicate
def is_logged_in(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


@rules.predicate
def can_apply(user, district) -> bool:
    """A department officer of the district, or a street officer of one of its streets (for
    that street's communities)."""
    return district is not None and bool(
        officer_departments(user, district) or officer_streets(user, district)
    )


can_review = holds_at(REVIEWERS, "can_review")


@rules.predicate
def can_amend_request(user, request) -> bool:
    return request is not None and acts_for(user, request.department)


can_withdraw_item = holds_at(REVIEWERS, "can_withdraw_item", place_of=lambda item: item.district)


rules.add_perm("admission.view_lists", is_superuser | is_logged_in)
rules.add_perm("admission.edit_lists", is_superuser | can_edit_lists)
rules.add_perm("admission.apply", can_apply)
rules.add_perm("admission.review", can_review)
rules.add_perm("admission.view_request", is_superuser | can_view_request)
rules.add_perm("admission.amend_request", can_amend_request)
rules.add_perm("admission.withdraw_item", can_withdraw_item)
# The community inspected rates the inspection (基层评机关): its community workers.
rules.add_perm(
    "admission.rate_inspection", holds_at({Role.COMMUNITY_WORKER}, "can_rate_inspection")
)


@rules.predicate
def uses_requests(user) -> bool:
    """Department and street officers, coordinators, admins and auditors work with admission
    requests."""
    return (
        bool(officer_departments(user))
        or bool(officer_streets(user))
        or bool(role_places(user, DISTRICT_READERS))
    )


rules.add_perm("admission.use_requests", is_superuser | uses_requests)


def certificate_communities(user) -> list:
    """Communities where the user may ask for a certificate: a worker's community, or the
    community a resident lives in (a resident's role sits at a grid or community)."""
    places = []
    for a in assignments_of(user):
        if a.role == Role.COMMUNITY_WORKER:
            places.append(a.place)
        elif a.role == Role.RESIDENT:
            places.append(a.place if a.place.level == "community" else a.place.parent)
    return list({p.pk: p for p in places if p is not None}.values())


@rules.predicate
def can_ask_certificate(user, community) -> bool:
    return community is not None and community.pk in {p.pk for p in certificate_communities(user)}


can_issue_certificate = holds_at({Role.COMMUNITY_WORKER}, "can_issue_certificate")


rules.add_perm("admission.ask_certificate", can_ask_certificate)
rules.add_perm("admission.issue_certificate", can_issue_certificate)


@rules.predicate
def works_with_lists(user) -> bool:
    return any(a.role in STAFF_ROLES for a in assignments_of(user))


@rules.predicate
def asks_certificates(user) -> bool:
    return bool(certificate_communities(user))


# The lists' section of the menu (事项清单: lists, requests, meetings, the catalogue) is the
# staff's; a resident asks for certificates (开证明) from an entry of its own.
rules.add_perm("admission.browse_lists", is_superuser | works_with_lists)
rules.add_perm("admission.ask_certificates", asks_certificates)
