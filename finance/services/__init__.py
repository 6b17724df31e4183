"""Every write of the finance app (one module per job; callers import this package)."""

from finance.services.books import (
    approval_rule_create,
    budget_set,
    clean_receipt,
    disclosure_rule_create,
    income_record,
    item_funding_pay,
    receipt_attach,
    rules_seed,
    shares,
    spending_approve,
    spending_record,
    spending_reject,
)
from finance.services.disclosure import (
    disclosure_prepare,
    disclosure_publish,
    disclosure_refresh,
    disclosure_return,
    disclosure_submit,
)
from finance.services.funding import assessment_grants_pay, funding_rule_create

__all__ = [
    "assessment_grants_pay",
    "funding_rule_create",
    "approval_rule_create",
    "budget_set",
    "clean_receipt",
    "disclosure_prepare",
    "disclosure_publish",
    "disclosure_rule_create",
    "disclosure_refresh",
    "disclosure_return",
    "disclosure_submit",
    "income_record",
    "item_funding_pay",
    "receipt_attach",
    "rules_seed",
    "shares",
    "spending_approve",
    "spending_record",
    "spending_reject",
]
