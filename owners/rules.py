"""Who may do what with compounds and owners' decisions.

Community workers, street officers and administrators keep a compound's books and run its
decisions; an owners' committee member in office (an owner with an account) may run its
compound's decisions too. Owners see their own compound and vote for their own parts, nowhere
else. The street office files owners' committees (备案); the district sets the thresholds.
"""

import rules

from core.models import Role
from core.rules import holds, is_superuser, role_places

KEEPERS = {Role.ADMIN, Role.STREET_OFFICER, Role.COMMUNITY_WORKER}
VIEWERS = KEEPERS | {Role.COORDINATOR, Role.AUDITOR, Role.SUPERVISION_MEMBER}
FILERS = {Role.ADMIN, Role.STREET_OFFICER}
RULE_SETTERS = {Role.ADMIN, Role.COORDINATOR}
# Who says which property-staff account acts for which company (owners.CompanyStaff).
STAFF_GRANTERS = {Role.ADMIN, Role.COORDINATOR, Role.STREET_OFFICER}
# Who reads the yearly evaluation of the property companies (besides the owners' committee).
EVALUATORS = {Role.ADMIN, Role.COORDINATOR, Role.STREET_OFFICER, Role.COMMUNITY_WORKER,
              Role.AUDITOR}  # fmt: skip


def _compound(obj):
    """The compound of a compound, a decision or a part (None for anything else)."""
    from owners.models import Compound

    if isinstance(obj, Compound):
        return obj
    return getattr(obj, "compound", None)


def owns_in(user, compound) -> bool:
    from owners.models import Part

    if not getattr(user, "is_authenticated", False) or compound is None:
        return False
    return Part.objects.filter(compound=compound, owner__account=user).exists()


def sits_on_committee(user, compound) -> bool:
    """A member of the compound's owners' committee in office (elected or filed)."""
    from owners.models import Committee, CommitteeMember

    if not getattr(user, "is_authenticated", False) or compound is None:
        return False
    return CommitteeMember.objects.filter(
        committee__compound=compound,
        committee__stage__in=[Committee.Stage.ELECTED, Committee.Stage.FILED],
        position__in=["chair", "vice_chair", "member"],
        person__account=user,
    ).exists()


@rules.predicate
def views_compound(user, obj) -> bool:
    compound = _compound(obj)
    if compound is None:
        return False
    return holds(user, VIEWERS, compound.community) or owns_in(user, compound)


@rules.predicate
def keeps_place(user, obj) -> bool:
    """Keeps the books of a community's compounds (obj: the community, or a compound)."""
    compound = _compound(obj)
    place = compound.community if compound is not None else obj
    return place is not None and hasattr(place, "path") and holds(user, KEEPERS, place)


@rules.predicate
def runs_decisions(user, obj) -> bool:
    compound = _compound(obj)
    if compound is None:
        return False
    return holds(user, KEEPERS, compound.community) or sits_on_committee(user, compound)


@rules.predicate
def sees_ballots(user, decision) -> bool:
    """The per-ballot data of a counted decision (areas beside choices): the compound's owners,
    now or on the decision's frozen roll; those who run it pass runs_decisions."""
    compound = _compound(decision)
    if compound is None or not getattr(user, "is_authenticated", False):
        return False
    if owns_in(user, compound):
        return True
    return hasattr(decision, "roll") and decision.roll.filter(owner__account=user).exists()


@rules.predicate
def files_committee(user, obj) -> bool:
    compound = _compound(obj)
    return compound is not None and holds(user, FILERS, compound.community)


@rules.predicate
def sets_rules(user, district) -> bool:
    return district is not None and holds(user, RULE_SETTERS, district)


@rules.predicate
def sees_compounds(user) -> bool:
    from owners.models import Part

    if role_places(user, VIEWERS):
        return True
    # Owners sign in as residents: other accounts (every page asks, for the menu) are answered
    # from the assignments already read, without a query.
    if not role_places(user, {Role.RESIDENT}):
        return False
    cached = getattr(user, "_linli_owns_a_part", None)
    if cached is None:
        cached = Part.objects.filter(owner__account=user).exists()
        user._linli_owns_a_part = cached
    return cached


@rules.predicate
def grants_staff(user, place) -> bool:
    """The place (community) of a property-staff account is in the user's street or district."""
    return place is not None and hasattr(place, "path") and holds(user, STAFF_GRANTERS, place)


@rules.predicate
def evaluates_companies(user, compound) -> bool:
    """Community workers, street officers and the district for the compound's community; the
    members of its owners' committee in office."""
    compound = _compound(compound)
    if compound is None:
        return False
    return holds(user, EVALUATORS, compound.community) or sits_on_committee(user, compound)


rules.add_perm("owners.grant_staff", is_superuser | grants_staff)
rules.add_perm("owners.evaluate", is_superuser | evaluates_companies)
rules.add_perm("owners.view", is_superuser | sees_compounds)
rules.add_perm("owners.view_compound", is_superuser | views_compound)
rules.add_perm("owners.keep_compound", is_superuser | keeps_place)
rules.add_perm("owners.run_decision", is_superuser | runs_decisions)
rules.add_perm("owners.see_ballots", is_superuser | runs_decisions | sees_ballots)
rules.add_perm("owners.file_committee", is_superuser | files_committee)
rules.add_perm("owners.set_rules", is_superuser | sets_rules)
