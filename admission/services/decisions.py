"""The joint meeting (联席会议), its decisions on prepared requests, and the admitted items
they enter into the catalogue (and withdraw from it)."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from admission.models import (
    AdmissionRequest,
    AdmittedItem,
    AdmittedScope,
    Frequency,
    JointMeeting,
)
from admission.services._common import (
    _district,
    _fresh_token,
    _next_number,
    _request_url,
    _tell,
    _tell_applicants,
    local_today,
)
from core import audit, clock
from core.clock import one_write
from core.models import Place, Role
from core.selectors import role_holders
from core.validation import clean_text as _text
from core.validation import require_perm as _require
from notify import services as notify


class Decision:
    APPROVE = "approve"
    APPROVE_WITH_CONDITIONS = "approve_conditions"
    REFUSE = "refuse"
    CHOICES = (APPROVE, APPROVE_WITH_CONDITIONS, REFUSE)


MIN_MEETING_DEPARTMENTS = 2
MIN_MEETING_ATTENDEES = 3
_NAME_SPLIT = re.compile(r"[\n\r,，、;；]+")


@one_write
def meeting_record(
    *,
    actor,
    district: Place,
    held_on: datetime.date,
    attendees,
    departments,
    note: str = "",
    submit_token: str,
) -> JointMeeting:
    """Record a joint meeting (联席会议): its date, who attended and for which departments.
    Its decisions are then recorded request by request (request_decide)."""
    district = _district(Place.objects.select_for_update().get(pk=district.pk))
    _require(actor, "admission.review", district, _("只有区减负办可以记录联席会议。"))
    token = _fresh_token(
        submit_token,
        JointMeeting.objects.filter(district=district),
        _("这次会议已经记录过（%(number)s），请勿重复提交。"),
    )
    if not isinstance(held_on, datetime.date):
        raise ValidationError(_("请填写会议日期。"))
    today = local_today()
    if held_on > today:
        raise ValidationError(_("会议日期不能晚于今天：请在会后记录。"))
    if held_on < today - datetime.timedelta(days=366):
        raise ValidationError(_("会议日期过早（一年以前）。"))
    if isinstance(attendees, str):
        attendees = _NAME_SPLIT.split(attendees)
    names = list(
        dict.fromkeys(_text(n, _("出席人员"), required=False, limit=50) for n in attendees)
    )
    names = [n for n in names if n]
    if len(names) < MIN_MEETING_ATTENDEES:
        raise ValidationError(
            _("联席会议至少应有%(n)d名出席人员。"), params={"n": MIN_MEETING_ATTENDEES}
        )
    departments = list({d.pk: d for d in (departments or [])}.values())
    if any(d.district_id != district.pk for d in departments):
        raise ValidationError(_("参会部门须属于本区。"))
    if len(departments) < MIN_MEETING_DEPARTMENTS:
        raise ValidationError(
            _("联席会议至少应有%(n)d个部门参加。"), params={"n": MIN_MEETING_DEPARTMENTS}
        )
    meeting = JointMeeting.objects.create(
        district=district, number=_next_number(district, "LX", JointMeeting), held_on=held_on,
        attendees="\n".join(names), note=_text(note, _("会议纪要"), required=False, limit=5000),
        recorded_by=actor, submit_token=token,
    )  # fmt: skip
    meeting.departments.set(departments)
    audit.record(
        actor=actor, action="admission.meeting_record", obj=meeting,
        changes={"held_on": held_on, "attendees": names,
                 "departments": [d.name for d in departments]},
    )  # fmt: skip
    return meeting


@one_write
def request_decide(
    *,
    actor,
    request: AdmissionRequest,
    meeting: JointMeeting,
    decision: str,
    reasons: str = "",
    conditions: str = "",
) -> AdmissionRequest:
    """The joint meeting's decision on a prepared request, recorded by the coordinator.
    Approval enters the work into the admitted catalogue."""
    request = AdmissionRequest.objects.select_for_update().get(pk=request.pk)
    _require(actor, "admission.review", request.district, _("只有区减负办可以审核准入申请。"))
    S = AdmissionRequest.Status
    if request.status != S.PREPARED:
        raise ValidationError(
            _("该申请当前状态为“%(status)s”，不能作出决定。"),
            params={"status": request.get_status_display()},
            code="not_prepared",
        )
    if meeting is None or meeting.district_id != request.district_id:
        raise ValidationError(_("请选择作出决定的本区联席会议。"), code="meeting")
    if meeting.held_on < timezone.localtime(request.prepared_at).date():
        raise ValidationError(
            _("该会议（%(date)s）早于初审（%(prepared)s），不能审议这份申请。"),
            params={
                "date": meeting.held_on,
                "prepared": timezone.localtime(request.prepared_at).date(),
            },
        )
    if decision not in Decision.CHOICES:
        raise ValidationError(_("请选择审核结论。"))
    reasons = _text(reasons, _("理由"), required=decision == Decision.REFUSE, limit=2000)
    conditions = _text(
        conditions,
        _("附加条件"),
        required=decision == Decision.APPROVE_WITH_CONDITIONS,
        limit=2000,
    )
    now = clock.now()
    request.status = {
        Decision.APPROVE: S.APPROVED,
        Decision.APPROVE_WITH_CONDITIONS: S.APPROVED_WITH_CONDITIONS,
        Decision.REFUSE: S.REFUSED,
    }[decision]
    request.reasons, request.conditions = reasons, conditions
    request.decided_at, request.decided_by, request.meeting = now, actor, meeting
    request.save()
    item = None
    if request.is_approved:
        item = AdmittedItem.objects.create(
            district=request.district, request=request, department=request.department,
            number=_next_number(request.district, "ZR", AdmittedItem), kind=request.kind,
            title=request.title, legal_basis=request.legal_basis, cited_entry=request.cited_entry,
            frequency=request.frequency, minutes_per_community=request.minutes_per_community,
            funding_fen=request.funding_fen, period_start=request.period_start,
            period_end=request.period_end, conditions=conditions,
            status=AdmittedItem.Status.ACTIVE, admitted_at=now,
        )  # fmt: skip
        AdmittedScope.objects.bulk_create(
            [
                AdmittedScope(item=item, community=c, district_id=request.district_id)
                for c in request.communities.all()
            ]
        )
    late = request.review_due_at is not None and now > request.review_due_at
    audit.record(
        actor=actor, action="admission.request_decide", obj=request,
        changes={"decision": decision, "reasons": reasons, "conditions": conditions,
                 "meeting": meeting.number, "late": late,
                 "admitted_item": item.number if item else None},
    )  # fmt: skip
    # The coordinators' "准入申请待审核" notices are answered by this decision.
    notify.resolve(subject=request)  # settles the asks: 待审核, 申诉, 超期
    _tell_applicants(
        request, kind="admission.decided", title=request.title,
        status=AdmissionRequest.Status(request.status).label, number=meeting.number,
        date=meeting.held_on.isoformat(), text=reasons or conditions,
    )  # fmt: skip
    if item is not None:
        _tell(
            role_holders({Role.COMMUNITY_WORKER}, places=request.communities.all()),
            kind="admission.item_new", url=_request_url(request), title=item.title,
            dept=item.department.name, freq=Frequency(item.frequency).label,
            min=item.minutes_per_community,
        )  # fmt: skip
    return request


@one_write
def item_withdraw(*, actor, item: AdmittedItem, reasons: str) -> AdmittedItem:
    """退出: an admitted item leaves the catalogue; no new tasks may come from it."""
    item = AdmittedItem.objects.select_for_update().get(pk=item.pk)
    _require(actor, "admission.withdraw_item", item, _("只有区减负办可以决定事项退出。"))
    if item.status != AdmittedItem.Status.ACTIVE:
        raise ValidationError(_("该事项已退出。"), code="bad_state")
    item.status = AdmittedItem.Status.WITHDRAWN
    item.withdrawn_at = clock.now()
    item.withdrawal_reasons = _text(reasons, _("退出理由"), limit=2000)
    item.save()
    audit.record(
        actor=actor, action="admission.item_withdraw", obj=item,
        changes={"reasons": item.withdrawal_reasons},
    )  # fmt: skip
    _tell_applicants(
        item.request, kind="admission.item_withdrawn", title=item.title,
        text=item.withdrawal_reasons,
    )  # fmt: skip
    return item


def item_is_usable(item: AdmittedItem, on: datetime.date | None = None) -> bool:
    on = on or local_today()
    return item.status == AdmittedItem.Status.ACTIVE and item.period_start <= on <= item.period_end
