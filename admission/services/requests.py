"""Admission requests from the applying department's side and the coordinator's preparation:
submit, amend, prepare, appeal, withdraw."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from admission.models import (
    AdmissionRequest,
    Frequency,
    ListEntry,
    ListKind,
    WorkKind,
)
from admission.offices import acts_for, officer_streets, street_office
from admission.services._common import (
    _day,
    _fresh_token,
    _next_number,
    _request_url,
    _tell,
    _tell_applicants,
    _tell_reviewers,
)
from admission.services.caps import check_inspection, clean_criteria, clean_list
from admission.services.checks import (
    check_application,
    clean_form_fields,
    refuse_withdrawn_power,
)
from admission.services.lists import version_in_force
from admission.services.policy import review_working_days
from core import audit, clock
from core import calendar as workcal
from core.clock import one_write
from core.models import Department, Place, PlaceLevel
from core.validation import clean_text as _text
from core.validation import require_perm as _require


def _cited(
    district: Place, cited_entry: ListEntry | None, department: Department
) -> ListEntry | None:
    """The cited entry, if in force: a department cites the duty or assistance lists, a street
    office the street power list (a withdrawn power is refused with its basis)."""
    if cited_entry is None:
        return None
    in_force = version_in_force(district, cited_entry.kind)
    if in_force is None or cited_entry.version_id != in_force.pk:
        raise ValidationError(
            _("所引清单事项“%(key)s %(title)s”不在现行有效的清单中，请引用现行版本的事项。"),
            params={"key": cited_entry.key, "title": cited_entry.title},
            code="entry_not_in_force",
        )
    if department.street_id is not None:
        if cited_entry.kind not in (ListKind.POWER, ListKind.NEGATIVE):
            raise ValidationError(
                _("街道办事处的申请应引用街道办事处权力清单中的事项。"), code="power_list"
            )
        refuse_withdrawn_power(cited_entry)
    elif cited_entry.kind not in (ListKind.DUTY, ListKind.ASSISTANCE, ListKind.NEGATIVE):
        raise ValidationError(_("只能引用依法履职或依法协助清单中的事项。"))
    return cited_entry


def _applicant(actor, department: Department | None, street: Place | None):
    """(district, department) of an application: a department the actor serves, or the office
    of a street where the actor is a street officer (created the first time it applies)."""
    if street is not None:
        street = Place.objects.get(pk=street.pk)
        if street.level != PlaceLevel.STREET:
            raise ValidationError(_("请选择街道。"))
        district = Place.objects.select_for_update().get(pk=street.district_id)
        _require(
            actor,
            "admission.apply",
            district,
            _("只有本区职能部门或街道的工作人员可以提出准入申请。"),
        )
        if street.pk not in {s.pk for s in officer_streets(actor, district)}:
            raise PermissionDenied(_("您只能以本街道办事处的名义提出申请。"))
        return district, street_office(street)
    if department is None:
        raise ValidationError(_("请选择申请单位。"))
    district = Place.objects.select_for_update().get(pk=department.district_id)
    _require(
        actor, "admission.apply", district, _("只有本区职能部门或街道的工作人员可以提出准入申请。")
    )
    if not acts_for(actor, department):
        raise PermissionDenied(_("您只能以本部门的名义提出申请。"))
    return district, department


def _own_street(department: Department, communities: list[Place]) -> None:
    """A street office applies only for the communities of its own street."""
    if department.street_id is None:
        return
    for place in communities:
        if place.parent_id != department.street_id:
            raise ValidationError(
                _(
                    "“%(name)s”不属于%(street)s：街道办事处只能为本街道所辖社区申请准入"
                    "（街道办事处权力清单的适用范围）。"
                ),
                params={"name": place.name, "street": department.street.name},
                code="outside_street",
            )


def _communities(district: Place, communities) -> list[Place]:
    communities = list(communities or [])
    if not communities:
        raise ValidationError(_("请选择涉及的社区。"), code="communities")
    for place in communities:
        if (
            place.level != PlaceLevel.COMMUNITY
            or place.district_id != district.pk
            or not place.is_active
        ):
            raise ValidationError(_("“%(name)s”不是本区现有的社区。"), params={"name": place.name})
    return communities


def _amounts(minutes, funding_fen) -> tuple[int, int]:
    try:
        minutes, funding_fen = int(minutes), int(funding_fen or 0)
    except (TypeError, ValueError):
        raise ValidationError(_("用时和经费应为整数（分钟、分）。")) from None
    if minutes <= 0 or minutes > 100_000:
        raise ValidationError(_("每社区预计用时应在1至100000分钟之间。"))
    if funding_fen < 0 or funding_fen > 10**13:
        raise ValidationError(_("经费金额超出范围。"))
    return minutes, funding_fen


@one_write
def request_submit(
    *,
    actor,
    department: Department | None = None,
    street: Place | None = None,
    kind: str,
    title: str,
    description: str = "",
    legal_basis: str = "",
    cited_entry: ListEntry | None = None,
    communities,
    frequency: str,
    minutes_per_community: int,
    funding_fen: int = 0,
    period_start: datetime.date,
    period_end: datetime.date,
    submit_token: str,
    form_fields=None,
    materials=None,
    criteria=None,
) -> AdmissionRequest:
    """A department, or a street office (``street``, by one of its street officers), applies
    to push work onto communities. Checked at once: negative list → refused on the spot;
    already admitted → error pointing to it; a street office outside its street or its power
    list → refused; overlap → flagged; no legal basis or funding → incomplete. An inspection
    lists its materials once and its criteria (no photos, meetings or documents as criteria),
    and is refused outside an approved plan or over a yearly cap (admission.services.caps)."""
    district, department = _applicant(actor, department, street)
    token = _fresh_token(
        submit_token,
        AdmissionRequest.objects.filter(applicant=actor),
        _("这份申请已经提交过（%(number)s），请勿重复提交。"),
    )
    if kind not in WorkKind.values:
        raise ValidationError(_("请选择事项类型。"))
    if frequency not in Frequency.values:
        raise ValidationError(_("请选择频次。"))
    title = _text(title, _("事项名称"))
    description = _text(description, _("内容"), required=False, limit=5000)
    legal_basis = _text(legal_basis, _("法律政策依据"), required=False, limit=2000)
    minutes, funding_fen = _amounts(minutes_per_community, funding_fen)
    if not (isinstance(period_start, datetime.date) and isinstance(period_end, datetime.date)):
        raise ValidationError(_("请填写起止日期。"))
    if period_end < period_start:
        raise ValidationError(_("截止日期不能早于起始日期。"))
    cited_entry = _cited(district, cited_entry, department)
    communities = _communities(district, communities)
    _own_street(department, communities)
    form_fields = clean_form_fields(form_fields)
    materials, criteria = _inspection_parts(kind, materials, criteria)
    if kind == WorkKind.INSPECTION:
        check_inspection(
            district=district, department=department, communities=communities,
            start=period_start,
        )  # fmt: skip
    status, findings, negative = check_application(
        district=district, department=department, title=title, description=description,
        legal_basis=legal_basis, cited_entry=cited_entry, funding_fen=funding_fen,
        community_ids={c.pk for c in communities}, period_start=period_start,
        period_end=period_end, kind=kind, form_fields=form_fields,
    )  # fmt: skip
    now = clock.now()
    request = AdmissionRequest(
        district=district, department=department, applicant=actor,
        number=_next_number(district, "SQ", AdmissionRequest), kind=kind, title=title,
        description=description, legal_basis=legal_basis, cited_entry=cited_entry,
        frequency=frequency, minutes_per_community=minutes, funding_fen=funding_fen,
        period_start=period_start, period_end=period_end, status=status, findings=findings,
        matched_negative=negative, submitted_at=now, submit_token=token, form_fields=form_fields,
        materials=materials, criteria=criteria,
    )  # fmt: skip
    S = AdmissionRequest.Status
    if status == S.UNDER_REVIEW:
        request.review_due_at = workcal.add_working_days(now, review_working_days(district))
    if status == S.REFUSED_NEGATIVE:
        request.decided_at = now
        request.reasons = findings[0]["message"]
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        raise ValidationError(_("这份申请已经提交过，请勿重复提交。")) from None
    request.communities.set(communities)
    audit.record(
        actor=actor, action="admission.request_submit", obj=request,
        changes={"status": status, "title": title, "communities": len(communities),
                 "findings": [f["message"] for f in findings]},
    )  # fmt: skip
    _notify_after_check(request)
    return request


def _inspection_parts(kind: str, materials, criteria):
    """An inspection's materials (told once) and criteria; (None, None) for other kinds."""
    if kind != WorkKind.INSPECTION:
        return None, None
    return clean_list(materials, _("所需材料")), clean_criteria(criteria)


def _notify_after_check(request: AdmissionRequest) -> None:
    S = AdmissionRequest.Status
    url = _request_url(request)
    if request.status == S.UNDER_REVIEW:
        _tell_reviewers(
            request, kind="admission.review_asked", title=request.title,
            dept=request.department.name, due=_day(request.review_due_at),
        )  # fmt: skip
    elif request.status == S.INCOMPLETE:
        text = "；".join(f["message"] for f in request.findings if f["kind"] == "incomplete")
        _tell([request.applicant], kind="admission.incomplete", url=url, subject=request,
              title=request.title, text=text)  # fmt: skip
    elif request.status == S.REFUSED_NEGATIVE:
        _tell([request.applicant], kind="admission.refused_negative", url=url, subject=request,
              title=request.title, text=request.reasons)  # fmt: skip


@one_write
def request_amend(
    *,
    actor,
    request: AdmissionRequest,
    legal_basis: str,
    cited_entry: ListEntry | None,
    funding_fen: int,
    form_fields=None,
) -> AdmissionRequest:
    """Complete an incomplete request (legal basis, funding, a form's fields); the checks run
    again. `form_fields` None keeps the fields given before."""
    request = AdmissionRequest.objects.select_for_update().get(pk=request.pk)
    _require(actor, "admission.amend_request", request)
    if request.status != AdmissionRequest.Status.INCOMPLETE:
        raise ValidationError(_("只有材料不全的申请可以补正。"), code="bad_state")
    legal_basis = _text(legal_basis, _("法律政策依据"), required=False, limit=2000)
    _minutes, funding_fen = _amounts(request.minutes_per_community, funding_fen)
    cited_entry = _cited(request.district, cited_entry, request.department)
    form_fields = request.form_fields if form_fields is None else clean_form_fields(form_fields)
    status, findings, negative = check_application(
        district=request.district, department=request.department, title=request.title,
        description=request.description, legal_basis=legal_basis, cited_entry=cited_entry,
        funding_fen=funding_fen,
        community_ids=set(request.communities.values_list("pk", flat=True)),
        period_start=request.period_start, period_end=request.period_end,
        kind=request.kind, form_fields=form_fields,
    )  # fmt: skip
    changes = audit.diff(
        request, legal_basis=legal_basis, funding_fen=funding_fen, cited_entry=cited_entry,
        form_fields=form_fields,
    )  # fmt: skip
    request.form_fields = form_fields
    request.legal_basis, request.funding_fen, request.cited_entry = (
        legal_basis,
        funding_fen,
        cited_entry,
    )
    request.status, request.findings, request.matched_negative = status, findings, negative
    now = clock.now()
    if status == AdmissionRequest.Status.UNDER_REVIEW:
        request.review_due_at = workcal.add_working_days(now, review_working_days(request.district))
    if status == AdmissionRequest.Status.REFUSED_NEGATIVE:
        request.decided_at, request.reasons = now, findings[0]["message"]
    request.save()
    audit.record(
        actor=actor, action="admission.request_amend", obj=request,
        changes={**changes, "status": status},
    )  # fmt: skip
    _notify_after_check(request)
    return request


@one_write
def request_prepare(*, actor, request: AdmissionRequest, opinion: str) -> AdmissionRequest:
    """The coordinator's preparation (初审): an opinion, and the request goes to the joint
    meeting. The review deadline (working days from submission) still runs."""
    request = AdmissionRequest.objects.select_for_update().get(pk=request.pk)
    _require(actor, "admission.review", request.district, _("只有区减负办可以审核准入申请。"))
    if request.status != AdmissionRequest.Status.UNDER_REVIEW:
        raise ValidationError(
            _("该申请当前状态为“%(status)s”，不能提交联席会议。"),
            params={"status": request.get_status_display()},
            code="not_under_review",
        )
    request.preparation = _text(opinion, _("初审意见"), limit=2000)
    request.prepared_at, request.prepared_by = clock.now(), actor
    request.status = AdmissionRequest.Status.PREPARED
    request.save(update_fields=["preparation", "prepared_at", "prepared_by", "status"])
    audit.record(
        actor=actor, action="admission.request_prepare", obj=request,
        changes={"opinion": request.preparation},
    )  # fmt: skip
    _tell_applicants(
        request, kind="admission.to_meeting", title=request.title,
        due=_day(request.review_due_at),
    )  # fmt: skip
    return request


@one_write
def request_appeal(*, actor, request: AdmissionRequest, reasons: str) -> AdmissionRequest:
    """The applicant asks for a refusal to be reviewed again (once)."""
    request = AdmissionRequest.objects.select_for_update().get(pk=request.pk)
    _require(actor, "admission.amend_request", request)
    S = AdmissionRequest.Status
    if request.status not in (S.REFUSED, S.REFUSED_NEGATIVE):
        raise ValidationError(_("只有不予准入的申请可以申诉。"), code="bad_state")
    if request.appealed_at is not None:
        raise ValidationError(_("该申请已申诉过一次。"), code="bad_state")
    reasons = _text(reasons, _("申诉理由"), limit=2000)
    now = clock.now()
    request.appeal, request.appealed_at = reasons, now
    request.status = S.UNDER_REVIEW
    request.review_due_at = workcal.add_working_days(now, review_working_days(request.district))
    request.save()
    audit.record(
        actor=actor, action="admission.request_appeal", obj=request, changes={"reasons": reasons}
    )
    _tell_reviewers(request, kind="admission.appeal", title=request.title, text=reasons)
    return request


@one_write
def request_withdraw(*, actor, request: AdmissionRequest) -> AdmissionRequest:
    """The applicant takes back a request still under review or incomplete."""
    request = AdmissionRequest.objects.select_for_update().get(pk=request.pk)
    _require(actor, "admission.amend_request", request)
    if not request.is_open:
        raise ValidationError(_("只有审核中或材料不全的申请可以撤回。"), code="bad_state")
    request.status = AdmissionRequest.Status.WITHDRAWN
    request.save(update_fields=["status"])
    audit.record(actor=actor, action="admission.request_withdraw", obj=request)
    return request
