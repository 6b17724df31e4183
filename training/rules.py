"""Who manages training and who sees it.

The district's organisation and civil-affairs staff (administrators, the coordinating office,
organisation officers) set the rules and content areas, run needs surveys and keep the district's
plans and courses; street officers keep their street's plans and courses and the enrolment,
attendance and certificates of their streets' workers; auditors read; a community worker sees
their own training only and answers surveys for themselves.
"""

import rules

from core.models import Role
from core.rules import holds, holds_at, is_superuser, role_places

MANAGERS = {Role.ADMIN, Role.COORDINATOR, Role.OVERSIGHT_OFFICER}
KEEPERS = MANAGERS | {Role.STREET_OFFICER}
VIEWERS = KEEPERS | {Role.AUDITOR}


@rules.predicate
def sees_training(user) -> bool:
    return bool(role_places(user, VIEWERS))


@rules.predicate
def is_the_worker(user, worker) -> bool:
    return worker is not None and user.is_authenticated and worker.person.account_id == user.pk


@rules.predicate
def sees_worker(user, worker) -> bool:
    return worker is not None and holds(user, VIEWERS, worker.community)


@rules.predicate
def keeps_worker(user, worker) -> bool:
    return worker is not None and holds(user, KEEPERS, worker.community)


@rules.predicate
def is_community_worker(user) -> bool:
    return bool(role_places(user, {Role.COMMUNITY_WORKER}))


rules.add_perm("training.view", is_superuser | sees_training)
# On a district: the rule table, content areas, needs surveys.
rules.add_perm("training.set_rules", is_superuser | holds_at(MANAGERS, "sets_training_rules"))
# On a plan's place (the district, or a street): its plans and courses.
rules.add_perm("training.keep_plans", is_superuser | holds_at(KEEPERS, "keeps_training_plans"))
# On a worker: enrol, record attendance, issue certificates.
rules.add_perm("training.keep_worker", is_superuser | keeps_worker)
rules.add_perm("training.view_worker", is_superuser | sees_worker | is_the_worker)
rules.add_perm("training.answer_survey", is_superuser | is_the_worker | keeps_worker)
rules.add_perm("training.view_own", is_community_worker)
