"""Who may see staffing and the workforce's records, and who changes them.

Staffing is an overview of places: the district's coordinators and administrators, street
officers for their streets, community workers for their community, auditors; rules (staffing
standards, grade schemes) are the district's to set.

Worker records (the roster, each worker's file: contracts, terms, leave, qualifications, posts;
surge tasks with each worker's hours) are kept by street officers for their streets and by the
district, read by auditors, and kept by a community's head for their own community's staff. A
community head is a community worker whose account is linked to a worker on file in the
community where they hold the role, in post today, whose current post is 正职 or 副职
(``Post.CHIEF``/``Post.DEPUTY``). Any other community worker sees only their own record (their
file and ``/workforce/me/``): not colleagues' files, not the roster, not surge tasks with their
colleagues' hours, not pay or assessment results (those are the district's, the street's and
the auditors', and the worker's own).

What a head may not do, since a head's standing is what grants record keeping:

- Leadership posts are the street's and the district's to give (``workforce.set_leadership``:
  street officers for their streets, coordinators and administrators for their district). A
  head records ordinary posts (委员, 其他) for colleagues, but gives nobody 正职 or 副职
  (enrolment or a new post), and does not change or end a colleague's leadership post (a new
  post, leaving, an early end of a term, for a worker who holds 正职 or 副职 today or from a
  later day: ``workers.holds_leadership``).
- Nobody keeps their own record (``workforce.keep_worker`` is refused on one's own file,
  whatever one's roles): a head reads their file and ``/workforce/me/`` but adds nothing to it;
  the street or the district does. The services check both (``services.checks``) and the pages
  offer only the forms and posts the user may use.

A community worker who is not a head still sees the staffing overview of their community: the
standard headcount, the workers in post, the shortfall and the burden index are counts about a
place, not about a person (the proposal publishes them), and the overview names nobody and
links to no one's file. Names, grades, hours and pay stay behind the roster.

Whether the account is a head is read once per request (one query, cached on the user object
like the role assignments), and only for accounts that hold the community-worker role.
"""

import rules

from core.models import Role
from core.rules import holds, holds_at, is_superuser, role_places

VIEWERS = {Role.ADMIN, Role.COORDINATOR, Role.STREET_OFFICER, Role.COMMUNITY_WORKER, Role.AUDITOR}
RULE_SETTERS = {Role.ADMIN, Role.COORDINATOR}
# Worker records by place: the district, street officers, auditors (read only); a community's
# heads are added by ``record_places`` for their own community.
OFFICE_RECORD_VIEWERS = {Role.ADMIN, Role.COORDINATOR, Role.STREET_OFFICER, Role.AUDITOR}
OFFICE_RECORD_KEEPERS = {Role.ADMIN, Role.COORDINATOR, Role.STREET_OFFICER}


def _standing(user) -> tuple[bool, tuple]:
    """(has a worker record, the communities where the user is a head), cached on the user."""
    from django.db.models import Exists, OuterRef, Q

    from core import clock
    from workforce.models import Post, Posting, Worker
    from workforce.workers import in_post

    # Only community-worker accounts can be either: the others (every page asks, for the
    # menu) are answered from the assignments already read, without a query.
    places = role_places(user, {Role.COMMUNITY_WORKER})
    if not places:
        return False, ()
    cached = getattr(user, "_linli_worker_standing", None)
    if cached is None:
        today = clock.today()
        head_post = Posting.objects.filter(
            worker=OuterRef("pk"), post__in=[Post.CHIEF, Post.DEPUTY], starts_on__lte=today
        ).filter(Q(ends_on__isnull=True) | Q(ends_on__gt=today))
        found = list(
            Worker.objects.filter(person__account=user)
            .annotate(head=Q(Exists(head_post)) & in_post(today))
            .values_list("community_id", "head")[:1]
        )
        heads = tuple(p for p in places for cid, head in found if head and p.pk == cid)
        cached = (bool(found), heads)
        user._linli_worker_standing = cached
    return cached


def forget_standing(user) -> None:
    user.__dict__.pop("_linli_worker_standing", None)


def head_places(user) -> list:
    """The communities whose staff the user keeps as their head (none for most accounts)."""
    return list(_standing(user)[1])


def record_places(user) -> list:
    """The places whose workers' records the user may read."""
    return role_places(user, OFFICE_RECORD_VIEWERS) + head_places(user)


def keeping_places(user) -> list:
    """The places whose workers' records the user may keep (auditors never)."""
    return role_places(user, OFFICE_RECORD_KEEPERS) + head_places(user)


def _within(place, places) -> bool:
    return place is not None and any(place.is_within(p) for p in places)


@rules.predicate
def sees_staffing(user) -> bool:
    return bool(role_places(user, VIEWERS))


@rules.predicate
def sets_rules(user, district) -> bool:
    return district is not None and holds(user, RULE_SETTERS, district)


@rules.predicate
def sees_records(user) -> bool:
    """May open the roster (of some place)."""
    return bool(record_places(user))


@rules.predicate
def sees_worker(user, worker) -> bool:
    return worker is not None and _within(worker.community, record_places(user))


@rules.predicate
def keeps_records(user, community) -> bool:
    return _within(community, keeping_places(user))


@rules.predicate
def is_the_worker(user, worker) -> bool:
    return worker is not None and user.is_authenticated and worker.person.account_id == user.pk


@rules.predicate
def keeps_worker(user, worker) -> bool:
    """Keeps the worker's community's records (their own file excepted, by the permission)."""
    return worker is not None and _within(worker.community, keeping_places(user))


@rules.predicate
def sets_leadership(user, community) -> bool:
    """Gives, changes or ends 正职/副职 posts in the community: the street and the district by
    their roles, never a head by their standing."""
    return _within(community, role_places(user, OFFICE_RECORD_KEEPERS))


@rules.predicate
def has_own_record(user) -> bool:
    return _standing(user)[0]


rules.add_perm("workforce.view_staffing", is_superuser | sees_staffing)
rules.add_perm("workforce.set_staffing_rules", is_superuser | sets_rules)
rules.add_perm("workforce.set_grade_rules", is_superuser | sets_rules)
rules.add_perm("workforce.view_workers", is_superuser | sees_records)
rules.add_perm("workforce.view_worker", is_superuser | sees_worker | is_the_worker)
# On a community: enrol workers there, keep their contracts, terms, leave, posts.
rules.add_perm("workforce.manage_workers", is_superuser | keeps_records)
# On a worker: add to their file. Nobody keeps their own record, whatever their roles.
rules.add_perm("workforce.keep_worker", (is_superuser | keeps_worker) & ~is_the_worker)
# On a community: give, change or end a 正职/副职 post there.
rules.add_perm("workforce.set_leadership", is_superuser | sets_leadership)
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
# Surge work: the community's head (and those above it) records, the street or the district
# approves afterwards; the tasks, with each worker's hours, are seen where records are.
rules.add_perm("workforce.record_surge", is_superuser | keeps_records)
rules.add_perm("workforce.approve_surge", is_superuser | holds_at(ASSESSORS, "approves_surge_work"))
rules.add_perm("workforce.view_surge", is_superuser | sees_records)
