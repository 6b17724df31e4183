"""The burden index's time shares from what Linli already records (issue #13 item 6), so the
shares of administration, services and self-government are not typed by hand:

| source | category | minutes |
| --- | --- | --- |
| ``services`` | 为民服务 | each step a community or grid worker took on a resident's request (受理, 签收, 进展, 答复, 办结, 回访 …), and each local step (属地受理, 进展, 答复, 上报) on a request held at the grid or community: the time since the request's previous step, at least ``STEP_FLOOR`` and at most ``STEP_CAP`` minutes |
| ``certificates`` | 为民服务 | each certificate a community worker answered for a resident (开具证明): ``CERTIFICATE_MINUTES`` issued, ``REDIRECT_MINUTES`` redirected to its authority |
| ``timebank`` | 居民自治 | each time-bank service record a community worker checked and approved: ``APPROVAL_MINUTES`` |
| ``meetings`` | 行政事务 | the length of each meeting a community was called to (admission.SentDown) |
| ``inspections`` | 行政事务 | each inspection held: the longest admitted minutes of its items (a joint inspection counts once) |
| ``registry`` | 行政事务 | registry work typed by workers (report cells, facts, conflicts, residences): registry.time_source |

Tasks done through the gate are administration already (their logged minutes). What workers
log by hand (``TimeLog``) is added on top, as a correction for what no app records.

The step figures are estimates, not policy: a step's minutes are bounded because the time
between two steps is elapsed time, not working time.

Each reads the other app's rows through that app's selectors (services.selectors.request_steps_in,
timebank.selectors.approvals_in, admission.selectors_formalism); no query here touches their tables.
"""

import datetime

from workload import hooks

STEP_FLOOR = 5
STEP_CAP = 60
APPROVAL_MINUTES = 15
CERTIFICATE_MINUTES = 15
REDIRECT_MINUTES = 5
WORKER_ROLES = ("community_worker", "grid_worker")
HANDLING_STEPS = (
    "accept", "sign", "progress", "answer", "close", "visit", "return_ask", "extend_ask",
    "object_ask", "local_accept", "escalate",
)  # fmt: skip
LOCAL_STEPS = ("local_accept", "progress", "answer", "escalate")
LOCAL_LEVELS = ("grid", "community")


def _bounds(first_month: datetime.date, last_month: datetime.date):
    end = (last_month.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return first_month.replace(day=1), end


def _workers(user_ids) -> set[int]:
    if not user_ids:
        return set()  # no rows, no question
    from core.models import RoleAssignment

    return set(
        RoleAssignment.objects.filter(user_id__in=user_ids, role__in=WORKER_ROLES).values_list(
            "user_id", flat=True
        )
    )


def _local_month(moment) -> datetime.date:
    from django.utils import timezone

    return timezone.localtime(moment).date().replace(day=1)


def _counts_as_service(kind, actor, level, workers) -> bool:
    """A community or grid worker's handling step, or a local step on a request held at the
    grid or community (属地处置: the community's time whichever account recorded it)."""
    if kind in HANDLING_STEPS and actor in workers:
        return True
    return kind in LOCAL_STEPS and level in LOCAL_LEVELS


def service_steps(community_ids, first_month, last_month):
    """Minutes of community and grid workers' steps on residents' requests."""
    from services.selectors import request_steps_in

    start, end = _bounds(first_month, last_month)
    rows = request_steps_in(community_ids, start, end)
    workers = _workers({row[4] for row in rows if row[4]})
    for community_id, at, before, kind, actor, level in rows:
        if at.date() < start or not _counts_as_service(kind, actor, level, workers):
            continue
        gap = (at - before).total_seconds() / 60 if before else STEP_FLOOR
        yield community_id, _local_month(at), "service", round(min(max(gap, STEP_FLOOR), STEP_CAP))


def timebank_approvals(community_ids, first_month, last_month):
    """Minutes of community workers checking and approving time-bank service records."""
    from core.models import Place
    from timebank.selectors import approvals_in

    start, end = _bounds(first_month, last_month)
    communities = list(Place.objects.filter(pk__in=community_ids))
    rows = approvals_in(communities, start, end)
    workers = _workers({approver for *_rest, approver in rows})
    for path, approved_at, approver in rows:
        if approver not in workers:
            continue
        for community in communities:
            if path.startswith(community.path):
                yield community.pk, _local_month(approved_at), "self_government", APPROVAL_MINUTES
                break


def certificates(community_ids, first_month, last_month):
    """Minutes of community workers answering residents' certificate requests (开具证明): an
    issued certificate ``CERTIFICATE_MINUTES``, a redirect to the authority that handles it
    ``REDIRECT_MINUTES``."""
    from admission.selectors import certificates_answered

    start, end = _bounds(first_month, last_month)
    rows = certificates_answered(community_ids, start, end)
    workers = _workers({asker for *_rest, asker in rows})
    for community_id, asked_at, outcome, asker in rows:
        if asker in workers:
            minutes = CERTIFICATE_MINUTES if outcome == "issued" else REDIRECT_MINUTES
            yield community_id, _local_month(asked_at), "service", minutes


def meetings(community_ids, first_month, last_month):
    from admission.selectors_formalism import meeting_minutes_by_month

    start, end = _bounds(first_month, last_month)
    for community_id, month, minutes in meeting_minutes_by_month(community_ids, start, end):
        yield community_id, month, "administration", minutes


def inspections(community_ids, first_month, last_month):
    from admission.selectors_formalism import inspection_minutes_by_month

    start, end = _bounds(first_month, last_month)
    for community_id, month, minutes in inspection_minutes_by_month(community_ids, start, end):
        yield community_id, month, "administration", minutes


def register() -> None:
    """Called from WorkloadConfig.ready()."""
    hooks.register_time_source("services", service_steps)
    hooks.register_time_source("timebank", timebank_approvals)
    hooks.register_time_source("certificates", certificates)
    hooks.register_time_source("meetings", meetings)
    hooks.register_time_source("inspections", inspections)
