"""Who may do what with work in communities. Object permissions take a Task, an AdmittedItem
or a community Place."""

import rules

from admission.offices import acts_for
from core.rules import holds_at, is_superuser, officer_departments, role_places

# Who may see a task or a community's work (a predicate and, beside it, the queryset of what it
# allows) lives in workload.policies; these names stay importable from here.
from workload.policies import (  # noqa: F401 - re-exported
    OVERSEERS,
    WORKERS,
    can_view_community_work,
    can_view_task,
)


@rules.predicate
def can_dispatch(user, item) -> bool:
    """An officer of the department (or street office) whose work was admitted."""
    return item is not None and acts_for(user, item.department)


can_work_task = holds_at(WORKERS, "can_work_task", place_of=lambda task: task.community)


can_refuse_unadmitted = holds_at(WORKERS, "can_refuse_unadmitted")


@rules.predicate
def sees_work(user) -> bool:
    return bool(role_places(user, WORKERS | OVERSEERS)) or bool(officer_departments(user))


@rules.predicate
def sees_burden(user) -> bool:
    return bool(role_places(user, WORKERS | OVERSEERS))


rules.add_perm("workload.dispatch", can_dispatch)
rules.add_perm("workload.work_task", can_work_task)
rules.add_perm("workload.view_task", is_superuser | can_view_task)
rules.add_perm("workload.refuse_unadmitted", can_refuse_unadmitted)
rules.add_perm("workload.log_time", can_refuse_unadmitted)  # the community's own workers
rules.add_perm("workload.view_community_work", is_superuser | can_view_community_work)
rules.add_perm("workload.use_tasks", is_superuser | sees_work)
rules.add_perm("workload.view_burden", is_superuser | sees_burden)
