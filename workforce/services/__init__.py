"""Every write of the workforce app, by job: staffing rules, worker records, grade schemes."""

from workforce.services.grades import (  # noqa: F401
    grade_scheme_create,
    grade_schemes_seed,
    posting_start,
    progression_pause_record,
)
from workforce.services.pay import (  # noqa: F401
    average_wage_enter,
    pay_scale_create,
    pay_scales_seed,
    pay_view_record,
)
from workforce.services.staffing import (  # noqa: F401
    staffing_rule_create,
    staffing_rules_seed,
)
from workforce.services.workers import (  # noqa: F401
    contract_add,
    contract_exit,
    leave_add,
    qualification_add,
    term_add,
    term_end,
    worker_enrol,
)
