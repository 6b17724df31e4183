"""Who may see what of oversight: each predicate beside the queryset that answers the same
question (architecture: policies).

Accountability records are personal data: only the district's oversight officers and the person
concerned see a reminder or a case. Assessment results are the district's business: its
administrators, coordinators, oversight officers and auditors, street officers for their
streets' communities, community workers for their own community.
"""

import rules
from django.db.models import Q, QuerySet

from core.models import Role
from core.rules import assignments_of, holds

OFFICERS = {Role.OVERSIGHT_OFFICER}
RESULT_READERS = {
    Role.ADMIN, Role.COORDINATOR, Role.OVERSIGHT_OFFICER, Role.AUDITOR, Role.STREET_OFFICER,
    Role.COMMUNITY_WORKER,
}  # fmt: skip
SCHEME_APPROVERS = {Role.ADMIN, Role.COORDINATOR}


def _own_person_id(user):
    person = getattr(user, "person", None) if getattr(user, "is_authenticated", False) else None
    return person.pk if person else None


def _officer_districts(user) -> list[int]:
    return [a.place_id for a in assignments_of(user) if a.role in OFFICERS]


# ---------------------------------------------------------------- reminders and cases


@rules.predicate
def sees_record(user, record) -> bool:
    """A reminder or a case: an oversight officer of its district, or the person concerned."""
    if record is None:
        return False
    return record.district_id in _officer_districts(user) or (
        record.person_id is not None and record.person_id == _own_person_id(user)
    )


def records_q(user) -> Q:
    if user.is_superuser:
        return Q()
    query = Q(district_id__in=_officer_districts(user))
    person_id = _own_person_id(user)
    return query | Q(person_id=person_id) if person_id else query


@rules.predicate
def runs_chain(user, record) -> bool:
    """An oversight officer of the record's district (or of the district given)."""
    if record is None:
        return False
    district_id = getattr(record, "district_id", None) or record.pk
    return district_id in _officer_districts(user)


@rules.predicate
def is_concerned(user, record) -> bool:
    return record is not None and record.person_id == _own_person_id(user)


# ---------------------------------------------------------------- assessment results


@rules.predicate
def sees_result(user, result) -> bool:
    return result is not None and holds(user, RESULT_READERS, result.community)


def results_of(user, queryset: QuerySet) -> QuerySet:
    if user.is_superuser:
        return queryset
    places = [a.place for a in assignments_of(user) if a.role in RESULT_READERS]
    query = Q(pk__in=[])
    for place in places:
        query |= Q(community__path__startswith=place.path)
    return queryset.filter(query)


@rules.predicate
def objects_for(user, result) -> bool:
    """A community worker of the result's community."""
    return result is not None and holds(user, {Role.COMMUNITY_WORKER}, result.community)


@rules.predicate
def approves_schemes(user, scheme) -> bool:
    return scheme is not None and holds(user, SCHEME_APPROVERS, scheme.district)


@rules.predicate
def uses_oversight(user) -> bool:
    return any(a.role in RESULT_READERS for a in assignments_of(user))


# ---------------------------------------------------------------- residents' surveys

SURVEY_SENDERS = {Role.OVERSIGHT_OFFICER, Role.STREET_OFFICER}


@rules.predicate
def sends_survey(user, community) -> bool:
    """An oversight officer of the community's district or a street officer of its street."""
    return community is not None and holds(user, SURVEY_SENDERS, community)


@rules.predicate
def answers_survey(user, survey) -> bool:
    """A resident of the survey's community (held there or at one of its grids)."""
    if survey is None:
        return False
    path = survey.community.path
    return any(
        a.role == Role.RESIDENT and a.place.path.startswith(path) for a in assignments_of(user)
    )
