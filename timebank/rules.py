"""Who may do what in the time bank. A role held at a place reaches its whole subtree."""

import rules

from core.models import Role
from core.rules import holds, holds_at, is_superuser

ACCOUNT_ROLES = {Role.ADMIN, Role.STREET_OFFICER, Role.COMMUNITY_WORKER}
RECORD_ROLES = {Role.ADMIN, Role.COMMUNITY_WORKER}
REVERSE_ROLES = {Role.ADMIN, Role.STREET_OFFICER}
RULE_ROLES = {Role.ADMIN, Role.COORDINATOR}
VIEW_ROLES = {
    Role.ADMIN,
    Role.COORDINATOR,
    Role.STREET_OFFICER,
    Role.COMMUNITY_WORKER,
    Role.GRID_WORKER,
    Role.AUDITOR,
}
LEDGER_ROLES = {Role.ADMIN, Role.COORDINATOR, Role.STREET_OFFICER, Role.AUDITOR}


# Open and close accounts in a community.
can_manage_accounts = holds_at(ACCOUNT_ROLES, "can_manage_accounts")
# Approve service, record withdrawals, relative transfers and donations at a place.
can_record = holds_at(RECORD_ROLES, "can_record")
# Correct a transaction by reversal: above the worker who recorded it.
can_reverse = holds_at(REVERSE_ROLES, "can_reverse")
can_edit_rules = holds_at(RULE_ROLES, "can_edit_rules")
# The district ledger, the chain and the reconciliation results.
can_view_ledger = holds_at(LEDGER_ROLES, "can_view_ledger")


@rules.predicate
def owns_account(user, account) -> bool:
    return (
        account is not None
        and account.person_id is not None
        and account.person.account_id is not None
        and account.person.account_id == user.pk
    )


@rules.predicate
def can_view_account(user, account) -> bool:
    """Staff of the account's community; for a member also the grid where the person lives."""
    if account is None:
        return False
    if holds(user, VIEW_ROLES, account.place):
        return True
    person = account.person if account.person_id else None
    return person is not None and person.place is not None and holds(user, VIEW_ROLES, person.place)


rules.add_perm("timebank.manage_accounts", is_superuser | can_manage_accounts)
rules.add_perm("timebank.record", is_superuser | can_record)
rules.add_perm("timebank.reverse", is_superuser | can_reverse)
rules.add_perm("timebank.edit_rules", is_superuser | can_edit_rules)
rules.add_perm("timebank.view_account", is_superuser | owns_account | can_view_account)
rules.add_perm("timebank.use_account", is_superuser | owns_account)
rules.add_perm("timebank.view_ledger", is_superuser | can_view_ledger)


# ---------------------------------------------------------------- an order's parties
# The services check these (and the permissions above); the order's table of steps
# (timebank.steps) lists the steps a user may take by the same functions.


def is_order_volunteer(user, order) -> bool:
    """The volunteer who took the order (their own login)."""
    return order.volunteer.person.account_id == user.pk


def can_confirm_order(user, order) -> bool:
    """The person served (their own login), or the family member who posted the need or was
    named as its contact."""
    listing = order.listing
    if is_order_volunteer(user, order):
        return False
    if user.pk in (listing.poster_id, listing.contact_id):
        return True
    return listing.recipient is not None and listing.recipient.account_id == user.pk


def order_side(user, order) -> str | None:
    """ "volunteer", "served" (the person served or their family), or None."""
    if is_order_volunteer(user, order):
        return "volunteer"
    if can_confirm_order(user, order):
        return "served"
    return None


def is_dispute_party(user, order, dispute) -> bool:
    """Who may not decide a dispute: who raised it, who confirmed or posted the service, and
    either side of it."""
    parties = (dispute.raised_by_id, order.confirmed_by_id, order.listing.poster_id)
    return user.pk in parties or order_side(user, order) is not None


def dispute_perm(order) -> str:
    """The permission that decides a dispute: a community worker's before approval; after it
    the ledger is corrected by reversal, above the worker who recorded it."""
    return "timebank.reverse" if order.status == "approved" else "timebank.record"
