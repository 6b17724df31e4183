"""Every write of the workforce app, by job: staffing rules, worker records, grade schemes."""

from workforce.services.assessment import (  # noqa: F401
    assessment_record,
    assessment_rule_create,
    assessment_rules_seed,
)
from workforce.services.careers import (  # noqa: F401
    career_rule_create,
    career_rules_seed,
)
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
from workforce.services.surge import (  # noqa: F401
    surge_rate_create,
    surge_rates_seed,
    surge_task_approve,
    surge_task_record,
    surge_task_refuse,
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
