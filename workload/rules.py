"""Who may do what with work in communities. Object permissions take a Task, an AdmittedItem
or a community Place."""

import rules

from core.models import Role
from core.rules import holds, holds_at, is_superuser, officer_departments, role_places

WORKERS = {Role.COMMUNITY_WORKER}
# Who may read a community's tasks, ledger and burden: those who work there or oversee it.
OVERSEERS = {Role.STREET_OFFICER, Role.COORDINATOR, Role.ADMIN, Role.AUDITOR}


@rules.predicate
def can_dispatch(user, item) -> bool:
    """An officer of the department whose work was admitted."""
    return item is not None and item.department in officer_departments(user, item.district)


can_work_task = holds_at(WORKERS, "can_work_task", place_of=lambda task: task.community)


@rules.predicate
def can_view_task(user, task) -> bool:
    if task is None:
        return False
    if holds(user, WORKERS | OVERSEERS, task.community):
        return True
    return task.department in officer_departments(user, task.district)


can_refuse_unadmitted = holds_at(WORKERS, "can_refuse_unadmitted")
can_view_community_work = holds_at(WORKERS | OVERSEERS, "can_view_community_work")


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
