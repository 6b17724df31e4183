"""Workbench cards of the admission gate: reviews waiting, and a department's own requests."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from admission import selectors
from admission.models import AdmissionRequest
from core import clock
from core.rules import officer_departments
from core.workbench import Card, Item


def cards(user) -> list:
    result = []
    waiting = selectors.reviews_waiting_for(user)
    if _reviewer(user):
        now = timezone.now()
        rows = list(waiting.order_by("review_due_at", "pk")[:8])
        overdue = any(r.review_due_at and r.review_due_at < now for r in rows)
        result.append(
            Card(
                _("待审核的准入申请"),
                [
                    Item(
                        f"{r.department.name} · {r.title}",
                        reverse("admission:request_detail", args=[r.pk]),
                        _("%(d)s前") % {"d": clock.shown(r.review_due_at, "%m-%d")}
                        if r.review_due_at
                        else "",
                    )
                    for r in rows
                ],
                url=reverse("admission:request_list") + "?status=under_review",
                count=waiting.count(),
                tone="alert" if overdue else ("warn" if rows else "plain"),
                empty_text=_("没有待审核的申请。"),
                order=20,
            )
        )
    departments = officer_departments(user)
    if departments:
        mine = AdmissionRequest.objects.filter(department__in=departments).select_related(
            "department"
        )
        rows = list(mine.order_by("-submitted_at", "-pk")[:6])
        result.append(
            Card(
                _("本部门的准入申请"),
                [
                    Item(
                        r.title,
                        reverse("admission:request_detail", args=[r.pk]),
                        r.get_status_display(),
                    )
                    for r in rows
                ],
                url=reverse("admission:request_new"),
                count=mine.filter(status__in=AdmissionRequest.OPEN).count(),
                empty_text=_("尚未提出申请。点击标题提出第一份申请。"),
                order=21,
            )
        )
    return result


def _reviewer(user) -> bool:
    from admission.rules import REVIEWERS
    from core.rules import role_places

    return bool(role_places(user, REVIEWERS))
