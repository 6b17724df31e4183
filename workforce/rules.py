"""Who may see staffing and the workforce's records, and who changes them.

Staffing is an overview of places: the district's coordinators and administrators, street
officers for their streets, community workers for their community, auditors; rules (staffing
standards, grade schemes) are the district's to set. Worker records are kept by the community's
workers for their own community, street officers for their streets and the district; auditors
read them. A worker whose account is linked to their record sees their own record and grade.
"""

import rules

from core.models import Role
from core.rules import holds, holds_at, is_superuser, role_places

VIEWERS = {Role.ADMIN, Role.COORDINATOR, Role.STREET_OFFICER, Role.COMMUNITY_WORKER, Role.AUDITOR}
RULE_SETTERS = {Role.ADMIN, Role.COORDINATOR}
RECORD_KEEPERS = {Role.ADMIN, Role.COORDINATOR, Role.STREET_OFFICER, Role.COMMUNITY_WORKER}


@rules.predicate
def sees_staffing(user) -> bool:
    return bool(role_places(user, VIEWERS))


@rules.predicate
def sets_rules(user, district) -> bool:
    return district is not None and holds(user, RULE_SETTERS, district)


@rules.predicate
def sees_worker(user, worker) -> bool:
    return worker is not None and holds(user, VIEWERS, worker.community)


@rules.predicate
def is_the_worker(user, worker) -> bool:
    return worker is not None and user.is_authenticated and worker.person.account_id == user.pk


@rules.predicate
def has_own_record(user) -> bool:
    from workforce.models import Worker

    # A worker's account holds the community-worker role: other accounts (every page asks, for
    # the menu) are answered from the assignments already read, without a query.
    if not role_places(user, {Role.COMMUNITY_WORKER}):
        return False
    cached = getattr(user, "_linli_has_worker_record", None)
    if cached is None:
        cached = Worker.objects.filter(person__account=user).exists()
        user._linli_has_worker_record = cached
    return cached


rules.add_perm("workforce.view_staffing", is_superuser | sees_staffing)
rules.add_perm("workforce.set_staffing_rules", is_superuser | sets_rules)
rules.add_perm("workforce.set_grade_rules", is_superuser | sets_rules)
rules.add_perm("workforce.view_workers", is_superuser | sees_staffing)
rules.add_perm("workforce.view_worker", is_superuser | sees_worker | is_the_worker)
# On a community: enrol workers there, keep their contracts, terms, leave, posts.
rules.add_perm(
    "workforce.manage_workers", is_superuser | holds_at(RECORD_KEEPERS, "keeps_worker_records")
)
# On a community: a year that does not count towards a worker's progression.
rules.add_perm("workforce.record_pause", is_superuser | holds_at(RULE_SETTERS, "records_pauses"))
rules.add_perm("workforce.view_own_record", has_own_record)
# Pay standards are personal: the district, street officers for their streets, auditors; a
# worker sees their own on their own page. On a district (the page) or a community (a row).
PAY_VIEWERS = {Role.ADMIN, Role.COORDINATOR, Role.STREET_OFFICER, Role.AUDITOR}


@rules.predicate
def sees_pay(user, place) -> bool:
    if place is None:
        return bool(role_places(user, PAY_VIEWERS))
    return any(place.is_within(a) or a.is_within(place) for a in role_places(user, PAY_VIEWERS))


rules.add_perm("workforce.view_pay", is_superuser | sees_pay)
rules.add_perm("workforce.set_pay", is_superuser | sets_rules)

# The annual assessment is decided by the street (its streets' communities) or the district;
# the results are personal, seen where pay is (PAY_VIEWERS) and by the worker themselves.
ASSESSORS = {Role.ADMIN, Role.COORDINATOR, Role.STREET_OFFICER}
rules.add_perm("workforce.assess", is_superuser | holds_at(ASSESSORS, "assesses_workers"))
rules.add_perm("workforce.view_assessments", is_superuser | sees_pay)
# Surge work: the community (and those above it) records, the street or the district approves
# afterwards; every viewer of staffing sees the tasks of their places.
rules.add_perm(
    "workforce.record_surge", is_superuser | holds_at(RECORD_KEEPERS, "records_surge_work")
)
rules.add_perm("workforce.approve_surge", is_superuser | holds_at(ASSESSORS, "approves_surge_work"))
rules.add_perm("workforce.view_surge", is_superuser | sees_staffing)
