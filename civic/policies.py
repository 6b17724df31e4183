"""Who may see and do what in civic, each rule as a predicate on one object beside the queryset
of every object it allows (the page lists and the permission checks answer the same question).

- Organisations: the street office files them (street officers of the community's street); the
  staff of the community's chain (administrators, coordinators, street officers, community
  workers, auditors) see them; an organisation's members — accounts added to it that hold the
  社会组织成员 role where it is filed — see and act for it (reports, applications, milestones).
- Funds and calls: a district fund is run by the district's administrators and coordinators, a
  street fund also by that street's officers; everyone whose place lies in the fund's place (or
  above it) sees its calls. Reviewers see the calls they sit on.
"""

from django.db.models import Q

from core.models import Role
from core.rules import acting_assignments, assignments_of, holds, role_places
from core.selectors import subtrees

R = Role
ORG_VIEWERS = {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER, R.COMMUNITY_WORKER, R.AUDITOR}
FILERS = {R.STREET_OFFICER}
BASE_MANAGERS = {R.STREET_OFFICER}
FUND_MANAGERS = {R.ADMIN, R.COORDINATOR, R.STREET_OFFICER}


# ---------------------------------------------------------------- organisations


def member_orgs_q(user, path: str = "") -> Q:
    """Organisations the user acts for: a member, holding the role where it is filed."""
    prefix = f"{path}__" if path else ""
    places = [a.place for a in acting_assignments(user) if a.role == R.SOCIAL_ORG_MEMBER]
    if not places:
        return Q(pk__in=[])
    return Q(**{f"{prefix}members__user": user}) & subtrees(places, f"{prefix}community__path")


def is_member(user, org) -> bool:
    if org is None or not getattr(user, "is_authenticated", False):
        return False
    if not holds(user, {R.SOCIAL_ORG_MEMBER}, org.community):
        return False
    return org.members.filter(user=user).exists()


def orgs_q(user) -> Q:
    return subtrees(role_places(user, ORG_VIEWERS), "community__path") | member_orgs_q(user)


def sees_org(user, org) -> bool:
    return org is not None and (holds(user, ORG_VIEWERS, org.community) or is_member(user, org))


def acts_for_org(user, org) -> bool:
    """May write for the organisation: a member, and the organisation still filed."""
    return org is not None and org.status == org.Status.ACTIVE and is_member(user, org)


def files_at(user, community) -> bool:
    return (
        community is not None and community.level == "community" and holds(user, FILERS, community)
    )


def manages_org(user, org) -> bool:
    """The street office's side: members, incubation, revocation."""
    return org is not None and holds(user, FILERS, org.community)


def runs_bases_in(user, street) -> bool:
    return street is not None and holds(user, BASE_MANAGERS, street)


def runs_base(user, base) -> bool:
    return base is not None and runs_bases_in(user, base.street)


# ---------------------------------------------------------------- funds and calls


def runs_fund(user, fund) -> bool:
    return fund is not None and holds(user, FUND_MANAGERS, fund.place)


def funds_run_q(user, path: str = "") -> Q:
    """Funds (through ``path``) the user runs: a district fund by district managers, a street
    fund also by the street's officers."""
    prefix = f"{path}__" if path else ""
    query = Q(pk__in=[])
    for a in assignments_of(user):
        if a.role not in FUND_MANAGERS:
            continue
        if a.place.level == "district":
            query |= Q(**{f"{prefix}district": a.place})
        else:
            query |= Q(**{f"{prefix}street": a.place})
    return query


def sees_call(user, call) -> bool:
    place = call.place if call is not None else None
    if place is None:
        return False
    if any(place.is_within(a.place) or a.place.is_within(place) for a in assignments_of(user)):
        return True
    return call.seats.filter(user=user, ended_at__isnull=True).exists()


def calls_q(user) -> Q:
    """Calls of funds whose place lies on the way to one of the user's places, or below it."""
    query = Q(seats__user=user, seats__ended_at__isnull=True)
    for a in assignments_of(user):
        # The fund's place is the street when set, else the district.
        below = Q(fund__street__path__startswith=a.place.path) | Q(
            fund__street__isnull=True, fund__district__path__startswith=a.place.path
        )
        above_street = Q(fund__street__isnull=False) & Q(
            fund__street__pk__in=[int(p) for p in a.place.path.strip("/").split("/")]
        )
        above_district = Q(
            fund__street__isnull=True, fund__district=a.place.district_id or a.place.pk
        )
        query |= below | above_street | above_district
    return query


def active_seat(user, call):
    if call is None or not getattr(user, "is_authenticated", False):
        return None
    return call.seats.filter(user=user, ended_at__isnull=True).first()


def sees_application(user, application) -> bool:
    if application is None:
        return False
    org, call = application.organisation, application.call
    return (
        holds(user, ORG_VIEWERS, org.community)
        or is_member(user, org)
        or runs_fund(user, call.fund)
        or active_seat(user, call) is not None
    )


def applications_q(user) -> Q:
    return (
        subtrees(role_places(user, ORG_VIEWERS), "organisation__community__path")
        | member_orgs_q(user, "organisation")
        | funds_run_q(user, "call__fund")
        | Q(call__seats__user=user, call__seats__ended_at__isnull=True)
    )


# ---------------------------------------------------------------- purchase-of-service contracts


def _resident_communities(user) -> list[int]:
    """The communities where the user is a resident (at the community or one of its grids)."""
    found = []
    for a in acting_assignments(user):
        if a.role == R.RESIDENT:
            found.append(a.place_id if a.place.level == "community" else a.place.parent_id)
    return found


def _signing_units(user) -> list[int]:
    from admission.offices import acting_units

    return [unit.pk for unit in acting_units(user)]


def contracts_q(user) -> Q:
    """Contracts the user may read: the community chain's staff, the organisation's members,
    the signing body's officers, and the community's residents (who rate the service)."""
    return (
        subtrees(role_places(user, ORG_VIEWERS), "community__path")
        | member_orgs_q(user, "organisation")
        | Q(scope__item__department_id__in=_signing_units(user))
        | Q(community_id__in=_resident_communities(user))
    )


def sees_contract(user, contract) -> bool:
    if contract is None:
        return False
    return (
        holds(user, ORG_VIEWERS, contract.community)
        or is_member(user, contract.organisation)
        or contract.scope.item.department_id in _signing_units(user)
        or contract.community_id in _resident_communities(user)
    )


def delivers(user, contract) -> bool:
    """The organisation's members record its delivery while the contract is active."""
    return (
        contract is not None
        and contract.status == contract.Status.ACTIVE
        and acts_for_org(user, contract.organisation)
    )


def rates_contract(user, contract) -> bool:
    """A resident of the contract's community rates the service it receives."""
    return contract is not None and contract.community_id in _resident_communities(user)


def signs_for(user, contract) -> bool:
    """The body the contracted item belongs to (its department or street office) ends it."""
    return contract is not None and contract.scope.item.department_id in _signing_units(user)
