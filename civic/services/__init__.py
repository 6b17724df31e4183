"""Every write of civic; callers write ``from civic import services``."""

from civic.services.contracts import (  # noqa: F401
    contract_deliver,
    contract_end,
    contract_rate,
    contract_sign,
)
from civic.services.fund import (  # noqa: F401
    application_submit,
    balance,
    call_close,
    call_open,
    call_review,
    conflict_declare,
    conflicted_seats,
    counted_scores,
    fund_create,
    fund_deposit,
    fund_pay,
    grant_award,
    milestone_accept,
    milestone_add,
    milestone_report,
    score_give,
    seat_add,
    seat_withdraw,
)
from civic.services.orgs import (  # noqa: F401
    base_create,
    clean_uscc,
    incubation_stage,
    incubation_start,
    org_file,
    org_member_add,
    org_revoke,
    report_submit,
)
