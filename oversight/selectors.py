"""Every read of oversight that a page, the API or another app lists, scoped by policies.py."""

import datetime

from django.db.models import Q, QuerySet

from core.models import Person, Place, PlaceLevel, Role
from core.rules import assignments_of, role_places
from oversight import policies
from oversight.models import Case, CaseEvent, Reminder, Result, SanctionRule, Scheme, Survey


def sanctioned_people(on_date: datetime.date, district: Place | None = None) -> QuerySet[Person]:
    """The people under a sanction in force on ``on_date`` (decided on or before it, its period
    not over, 容错 not granted): what pauses workforce grade progression, awards and promotion."""
    cases = Case.objects.filter(decided_on__lte=on_date, in_force_until__gt=on_date).exclude(
        tolerance_granted=True
    )
    if district is not None:
        cases = cases.filter(district=district)
    return Person.objects.filter(pk__in=cases.values("person_id"))


def cases_visible_to(user) -> QuerySet[Case]:
    return Case.objects.filter(policies.records_q(user)).select_related("person", "district")


def reminders_visible_to(user) -> QuerySet[Reminder]:
    return Reminder.objects.filter(policies.records_q(user)).select_related("person", "district")


def own_cases(user) -> QuerySet[Case]:
    person = getattr(user, "person", None)
    return (
        Case.objects.filter(person=person).select_related("district")
        if person
        else Case.objects.none()
    )


def own_reminders(user) -> QuerySet[Reminder]:
    person = getattr(user, "person", None)
    return Reminder.objects.filter(person=person) if person else Reminder.objects.none()


def events_of(case: Case) -> QuerySet[CaseEvent]:
    return case.events.select_related("by__person")


def sanction_rules(district: Place) -> QuerySet[SanctionRule]:
    return SanctionRule.objects.filter(district=district)


def schemes_of(district: Place) -> QuerySet[Scheme]:
    return Scheme.objects.filter(district=district)


def results_visible_to(user, scheme: Scheme | None = None) -> QuerySet[Result]:
    queryset = Result.objects.select_related("community__parent", "scheme")
    if scheme is not None:
        queryset = queryset.filter(scheme=scheme)
    return policies.results_of(user, queryset)


def latest_results(place: Place) -> tuple[Scheme | None, list[Result]]:
    """The latest computed scheme of the place's district and its results inside the place."""
    district_id = place.district_id or place.pk
    scheme = (
        Scheme.objects.filter(district_id=district_id, state=Scheme.State.COMPUTED)
        .order_by("-year")
        .first()
    )
    if scheme is None:
        return None, []
    return scheme, list(
        Result.objects.filter(scheme=scheme, community__path__startswith=place.path).select_related(
            "community"
        )
    )


def community_result(community: Place, year: int) -> Result | None:
    """The community's assessment result for ``year`` (its district's computed scheme of that
    year), or None before the results are computed. ``result.score`` is the final score (the
    district's adjusted score where an objection changed it); ``result.rank`` its place."""
    return (
        Result.objects.filter(
            community=community, scheme__year=year, scheme__state=Scheme.State.COMPUTED
        )
        .select_related("scheme")
        .first()
    )


def democratic_review_score(community: Place, year: int) -> float | None:
    """The residents' 民主评议 of the community's committee and workers for ``year``: a score out
    of 100 (oversight.surveys.FORMULA), or None when no review was sent or too few residents
    answered (the survey rule's fewest answers)."""
    from oversight import surveys

    found = surveys.score_of(community.pk, Survey.Kind.REVIEW, year)
    return None if found is None else found.score


def satisfaction_survey_score(community: Place, year: int) -> float | None:
    """As democratic_review_score, for the residents' satisfaction survey."""
    from oversight import surveys

    found = surveys.score_of(community.pk, Survey.Kind.SATISFACTION, year)
    return None if found is None else found.score


def surveys_of(community: Place) -> QuerySet[Survey]:
    return Survey.objects.filter(community=community)


def surveys_visible_to(user) -> QuerySet[Survey]:
    """Surveys (their counts, never who answered) for the assessment's readers of the place."""
    return policies.results_of(user, Survey.objects.select_related("community__parent"))


def survey_communities(user) -> QuerySet[Place]:
    """The communities the user may send a survey to (policies.SURVEY_SENDERS' places)."""
    communities = Place.objects.filter(level=PlaceLevel.COMMUNITY, is_active=True)
    if user.is_superuser:
        return communities.order_by("code")
    query = Q(pk__in=[])
    for place in role_places(user, policies.SURVEY_SENDERS):
        query |= Q(path__startswith=place.path)
    return communities.filter(query).order_by("code")


def open_surveys_for(user, today: datetime.date) -> QuerySet[Survey]:
    """The open surveys of the communities where the user is a resident, not yet answered."""
    communities = [
        a.place_id if a.place.level == PlaceLevel.COMMUNITY else a.place.parent_id
        for a in assignments_of(user)
        if a.role == Role.RESIDENT
    ]
    return (
        Survey.objects.filter(community_id__in=communities, closes_on__gte=today)
        .exclude(answers__respondent=user)
        .select_related("community")
    )


def results_of_year(district: Place, year: int) -> QuerySet[Result]:
    """Every community's result of the district's computed scheme for ``year`` (what finance's
    funding rule pays from); empty before the results are computed."""
    return Result.objects.filter(
        scheme__district=district, scheme__year=year, scheme__state=Scheme.State.COMPUTED
    ).select_related("community", "scheme")
