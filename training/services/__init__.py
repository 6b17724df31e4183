"""Every write of the training app, by job: rules and surveys; plans, courses and records."""

from training.services.courses import (  # noqa: F401
    attendance_record,
    certificate_issue,
    course_create,
    enrol,
    plan_create,
)
from training.services.setup import (  # noqa: F401
    area_create,
    defaults_seed,
    rule_create,
    survey_answer,
    survey_create,
)
