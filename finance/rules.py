"""The finance app's permissions (the visibility pairs live in policies.py)."""

import rules

from core.models import Role
from core.rules import holds, holds_at, is_superuser
from finance.policies import (
    BOOK_READERS,
    RECORDERS,
    REVIEWERS,
    RULE_SETTERS,
    SUPERVISORS,
    _community,
    can_view_books,
    can_view_disclosure,
)

can_record = holds_at(RECORDERS, "can_record", place_of=_community)
can_supervise = holds_at(SUPERVISORS, "can_supervise", place_of=_community)
can_review = holds_at(REVIEWERS, "can_review", place_of=_community)
can_set_rules = holds_at(RULE_SETTERS, "can_set_rules")


@rules.predicate
def can_approve(user, spending) -> bool:
    """A street officer of the community's street, never the one who recorded it."""
    return (
        spending is not None
        and spending.recorded_by_id != user.pk
        and holds(user, SUPERVISORS, spending.community)
    )


@rules.predicate
def reads_books(user) -> bool:
    from core.rules import role_places

    return bool(role_places(user, BOOK_READERS))


@rules.predicate
def reads_boards(user) -> bool:
    from core.rules import assignments_of

    return bool(assignments_of(user))


rules.add_perm("finance.view_finance", is_superuser | reads_books)
rules.add_perm("finance.view_boards", is_superuser | reads_boards)
rules.add_perm("finance.view_books", is_superuser | can_view_books)
rules.add_perm("finance.record", is_superuser | can_record)
rules.add_perm("finance.set_budget", is_superuser | can_supervise)
rules.add_perm("finance.approve", is_superuser | can_approve)
rules.add_perm("finance.set_rules", is_superuser | can_set_rules)
rules.add_perm("finance.view_disclosure", is_superuser | can_view_disclosure)
rules.add_perm("finance.prepare_disclosure", is_superuser | can_record)
rules.add_perm("finance.review_disclosure", is_superuser | can_review)


@rules.predicate
def supervises_any(user) -> bool:
    from core.rules import role_places

    return bool(role_places(user, SUPERVISORS | RULE_SETTERS | {Role.AUDITOR}))


rules.add_perm("finance.supervise_any", is_superuser | supervises_any)
