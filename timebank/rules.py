"""Who may do what in the time bank. A role held at a place reaches its whole subtree."""

import rules

from core.rules import holds_at, is_superuser

# Who may see an account, an order, a need or a dispute (a predicate and, beside it, the
# queryset of what it allows) lives in timebank.policies; these names stay importable from here.
from timebank.policies import (  # noqa: F401 - re-exported
    ACCOUNT_ROLES,
    LEDGER_ROLES,
    RECORD_ROLES,
    REVERSE_ROLES,
    RULE_ROLES,
    VIEW_ROLES,
    can_confirm_order,
    can_open_need,
    can_resolve_dispute,
    can_view_account,
    can_view_order,
    dispute_perm,
    is_dispute_party,
    is_order_volunteer,
    order_side,
    owns_account,
    serves_account,
)

# Open and close accounts in a community.
can_manage_accounts = holds_at(ACCOUNT_ROLES, "can_manage_accounts")
# Approve service, record withdrawals, relative transfers and donations at a place.
can_record = holds_at(RECORD_ROLES, "can_record")
# Correct a transaction by reversal: above the worker who recorded it.
can_reverse = holds_at(REVERSE_ROLES, "can_reverse")
can_edit_rules = holds_at(RULE_ROLES, "can_edit_rules")
# The district ledger, the chain and the reconciliation results.
can_view_ledger = holds_at(LEDGER_ROLES, "can_view_ledger")


rules.add_perm("timebank.manage_accounts", is_superuser | can_manage_accounts)
rules.add_perm("timebank.record", is_superuser | can_record)
rules.add_perm("timebank.reverse", is_superuser | can_reverse)
rules.add_perm("timebank.edit_rules", is_superuser | can_edit_rules)
rules.add_perm("timebank.view_account", is_superuser | can_view_account)
rules.add_perm("timebank.use_account", is_superuser | owns_account)
rules.add_perm("timebank.view_ledger", is_superuser | can_view_ledger)
# An order's page, a need's page (with its suggestions), deciding a dispute: what the pages'
# lists show (timebank.policies' querysets) and what their links open.
rules.add_perm("timebank.view_order", is_superuser | can_view_order)
rules.add_perm("timebank.open_need", can_open_need)
rules.add_perm("timebank.resolve_dispute", is_superuser | can_resolve_dispute)
