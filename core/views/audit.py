"""The audit log: browse, filter and export (auditors and system administrators)."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock, selectors
from core.exports import csv_writer
from core.forms import (
    AuditFilterForm,
)

# ---------------------------------------------------------------- audit log


def _filtered_audit_events(request):
    if not request.user.has_perm("core.view_audit_log"):
        raise PermissionDenied(_("只有审计员和系统管理员可以查看操作记录。"))
    form = AuditFilterForm(request.GET or None)
    events = selectors.audit_events_visible_to(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action__startswith=data["action"].strip())
        if data["actor"]:
            events = events.filter(actor_name__contains=data["actor"].strip())
        tz = timezone.get_current_timezone()
        if data["since"]:
            events = events.filter(
                at__gte=datetime.datetime.combine(data["since"], datetime.time.min, tz)
            )
        if data["until"]:
            events = events.filter(
                at__lt=datetime.datetime.combine(
                    data["until"] + datetime.timedelta(days=1), datetime.time.min, tz
                )
            )
    return form, events


@login_required
def audit_log(request):
    form, events = _filtered_audit_events(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "core/audit_log.html", {"form": form, "page": page, "query": query.urlencode()}
    )


class _Echo:
    def write(self, value):
        return value


@login_required
def audit_export(request):
    """The filtered audit log as CSV (UTF-8 with BOM so Excel opens Chinese correctly), streamed."""
    form, events = _filtered_audit_events(request)
    writer = csv_writer(_Echo())
    header = [
        _("时间"),
        _("操作人"),
        _("操作"),
        _("对象"),
        _("对象编号"),
        _("变更"),
        _("用途"),
        _("来源地址"),
    ]

    def rows():
        yield "\ufeff" + writer.writerow(header)
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    clock.shown(event.at, "%Y-%m-%d %H:%M:%S"),
                    event.actor_name,
                    event.action,
                    event.object_repr,
                    f"{event.object_type}:{event.object_id}",
                    event.changes,
                    event.purpose,
                    event.client_ip or "",
                ]
            )

    with_audit_of_export(request)
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="linli-audit.csv"'
    return response


def with_audit_of_export(request):
    from django.db import transaction

    from core import audit

    with transaction.atomic():
        audit.record(
            actor=request.user, action="audit.export", changes={"filters": request.GET.dict()}
        )
