"""Worker records (issue #16 item 2): enrolment, contracts with probation and exit, the 两委's
terms, leave and social-work qualifications. Each write checks the permission on the worker's
community, validates everything before writing, and records one audit event."""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core import audit
from core import services as core_services
from core.clock import one_write
from core.models import Person, Place, PlaceLevel
from core.personal_data import find_by_id_number
from core.validation import clean_name, clean_text
from core.validation import require_perm as _require
from workforce.models import (
    Contract,
    Education,
    Leave,
    Post,
    Posting,
    Qualification,
    SocialWorkLevel,
    Term,
    Worker,
)
from workforce.services.checks import (
    a_choice,
    a_date,
    after,
    may_change_leadership,
    may_grant_leadership,
    may_manage,
    overlaps,
)

MAX_PROBATION_MONTHS = 6  # 劳动合同法 第十九条: at most six months
CERTIFICATE = re.compile(r"^[0-9A-Za-z\-]{4,40}$")


def _community(place: Place) -> Place:
    if place is None or place.level != PlaceLevel.COMMUNITY or not place.is_active:
        raise ValidationError(_("社区工作者须登记在一个有效的社区。"), code="not_a_community")
    return place


def _locked(worker: Worker) -> Worker:
    """The worker row, locked, so two writes to one file queue behind each other."""
    return Worker.objects.select_for_update().select_related("community").get(pk=worker.pk)


def _person(actor, community, person, name, id_number, mobile) -> Person:
    if person is not None:
        return person
    if id_number:
        found = find_by_id_number(id_number)
        if found is not None:
            return found
    return core_services.person_register(
        actor=actor, place=community, name=name, id_number=id_number, mobile=mobile
    )


@one_write
def worker_enrol(
    *, actor, community: Place, kind: str, education: str, service_start: datetime.date,
    post: str, title: str, starts_on: datetime.date, name: str = "", id_number: str = "",
    mobile: str = "", person: Person | None = None, contract_ends_on=None,
    probation_months: int = 0, body: str = "", term_ends_on=None,
) -> Worker:  # fmt: skip
    """A worker on file with their first post, and their contract (hired) or term (elected).
    An ID number already on file links that person instead of registering them again. Only the
    street or the district enrols someone as 正职 or 副职, and nobody enrols themselves."""
    community = _community(community)
    _require(actor, "workforce.manage_workers", community, _("您无权管理该社区的社区工作者。"))
    if person is None:
        name = clean_name(name, _("姓名"), limit=50)
    kind = a_choice(kind, Worker.Kind, _("类别"))
    education = a_choice(education, Education, _("学历"))
    service_start = a_date(service_start, _("参加社区工作时间"), not_future=True)
    post = a_choice(post, Post, _("岗位"))
    may_grant_leadership(actor, community, post)
    title = clean_text(title, _("职务名称"), limit=40)
    starts_on = a_date(starts_on, _("任职日期"))
    after(service_start, starts_on, _("任职日期不能早于参加社区工作时间。"))
    if kind == Worker.Kind.ELECTED:
        body = a_choice(body, Term.Body, _("组织"))
        term_ends_on = a_date(term_ends_on, _("任期届满日期"))
    person = _person(actor, community, person, name, id_number, mobile)
    if actor.is_authenticated and person.account_id == actor.pk:
        raise PermissionDenied(_("不能为本人登记社区工作者档案，请由街道或区里登记。"))
    if Worker.objects.filter(person=person).exists():
        raise ValidationError(_("此人已登记为社区工作者。"), code="already_worker")
    worker = Worker.objects.create(
        district_id=community.district_id, community=community, person=person, kind=kind,
        education=education, service_start=service_start, created_by=actor,
    )  # fmt: skip
    Posting.objects.create(district_id=community.district_id, community=community, worker=worker,
                           post=post, title=title, starts_on=starts_on, created_by=actor)  # fmt: skip
    if kind == Worker.Kind.HIRED:
        contract_add(actor=actor, worker=worker, starts_on=starts_on, ends_on=contract_ends_on,
                     probation_months=probation_months)  # fmt: skip
    else:
        term_add(actor=actor, worker=worker, body=body, office=title, starts_on=starts_on,
                 ends_on=term_ends_on)  # fmt: skip
    audit.record(actor=actor, action="workforce.worker_enrol", obj=worker,
                 changes={"kind": kind, "post": post, "title": title})  # fmt: skip
    return worker


def _months_later(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError


@one_write
def contract_add(
    *, actor, worker: Worker, starts_on: datetime.date, ends_on=None, probation_months=0
) -> Contract:
    """A contract for a worker; refused if it overlaps one they have (or had)."""
    worker = _locked(worker)
    may_manage(actor, worker)
    starts_on = a_date(starts_on, _("合同起始日期"))
    ends_on = a_date(ends_on, _("合同终止日期"), required=False)
    after(starts_on, ends_on, _("合同终止日期不能早于起始日期。"))
    try:
        probation_months = int(probation_months or 0)
    except (TypeError, ValueError):
        probation_months = -1
    if not 0 <= probation_months <= MAX_PROBATION_MONTHS:
        raise ValidationError(_("试用期应为0至6个月。"), code="probation")
    probation_ends_on = None
    if probation_months:
        probation_ends_on = _months_later(starts_on, probation_months) - datetime.timedelta(1)
        if ends_on and probation_ends_on > ends_on:
            raise ValidationError(_("试用期不能超过合同期限。"), code="probation")
    for other in worker.contracts.all():
        if overlaps(starts_on, ends_on, other.starts_on, other.last_day):
            raise ValidationError(
                _("与已有合同（%(start)s起）期间重叠，请先办理离职或调整日期。"),
                params={"start": other.starts_on.isoformat()}, code="overlapping_contract",
            )  # fmt: skip
    contract = Contract.objects.create(
        district_id=worker.district_id, community=worker.community, worker=worker,
        starts_on=starts_on, ends_on=ends_on, probation_ends_on=probation_ends_on,
        created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="workforce.contract_add", obj=contract,
                 changes={"worker": worker.pk, "starts_on": starts_on.isoformat(),
                          "ends_on": ends_on.isoformat() if ends_on else None,
                          "probation_months": probation_months})  # fmt: skip
    return contract


@one_write
def contract_exit(
    *, actor, contract: Contract, exited_on: datetime.date, reason: str, note: str = ""
) -> Contract:
    """The worker leaves: the contract ends on ``exited_on`` and their open post with it (a
    worker holding 正职 or 副职 leaves only by the street or the district)."""
    worker = _locked(contract.worker)
    may_manage(actor, worker)
    may_change_leadership(actor, worker)
    contract = Contract.objects.get(pk=contract.pk)
    if contract.exited_on:
        raise ValidationError(_("该合同已办理离职。"), code="already_exited")
    exited_on = a_date(exited_on, _("离职日期"))
    after(contract.starts_on, exited_on, _("离职日期不能早于合同起始日期。"))
    if contract.ends_on and exited_on > contract.ends_on:
        raise ValidationError(_("离职日期不能晚于合同终止日期。"), code="date_order")
    contract.exit_reason = a_choice(reason, Contract.Exit, _("离职原因"))
    contract.exit_note = clean_text(note, _("离职说明"), required=False)
    contract.exited_on = exited_on
    contract.save(update_fields=["exited_on", "exit_reason", "exit_note"])
    worker.postings.filter(ends_on__isnull=True).update(ends_on=exited_on)
    audit.record(actor=actor, action="workforce.contract_exit", obj=contract,
                 changes={"exited_on": exited_on.isoformat(), "reason": reason})  # fmt: skip
    return contract


@one_write
def term_add(
    *, actor, worker: Worker, body: str, office: str, starts_on: datetime.date, ends_on
) -> Term:
    """A 两委 term; refused if it overlaps the member's term in the same body."""
    worker = _locked(worker)
    may_manage(actor, worker)
    body = a_choice(body, Term.Body, _("组织"))
    office = clean_text(office, _("职务"), limit=30)
    starts_on = a_date(starts_on, _("任期开始日期"))
    ends_on = a_date(ends_on, _("任期届满日期"))
    if ends_on <= starts_on:
        raise ValidationError(_("任期届满日期须晚于开始日期。"), code="date_order")
    for other in worker.terms.filter(body=body):
        if overlaps(starts_on, ends_on, other.starts_on, other.last_day):
            raise ValidationError(
                _("与已有任期（%(start)s起）重叠。"),
                params={"start": other.starts_on.isoformat()}, code="overlapping_term",
            )  # fmt: skip
    term = Term.objects.create(
        district_id=worker.district_id, community=worker.community, worker=worker, body=body,
        office=office, starts_on=starts_on, ends_on=ends_on, created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="workforce.term_add", obj=term,
                 changes={"worker": worker.pk, "body": body, "office": office,
                          "starts_on": starts_on.isoformat(), "ends_on": ends_on.isoformat()})  # fmt: skip
    return term


@one_write
def term_end(*, actor, term: Term, ended_on: datetime.date) -> Term:
    """An elected member leaves office before the term ends (one holding 正职 or 副职 only by
    the street or the district)."""
    worker = _locked(term.worker)
    may_manage(actor, worker)
    may_change_leadership(actor, worker)
    term = Term.objects.get(pk=term.pk)
    if term.ended_on:
        raise ValidationError(_("该任期已提前结束。"), code="already_ended")
    ended_on = a_date(ended_on, _("离任日期"))
    if not term.starts_on <= ended_on < term.ends_on:
        raise ValidationError(_("离任日期应在任期之内。"), code="date_order")
    term.ended_on = ended_on
    term.save(update_fields=["ended_on"])
    audit.record(actor=actor, action="workforce.term_end", obj=term,
                 changes={"ended_on": ended_on.isoformat()})  # fmt: skip
    return term


@one_write
def leave_add(
    *, actor, worker: Worker, kind: str, starts_on: datetime.date, ends_on: datetime.date,
    note: str = "",
) -> Leave:  # fmt: skip
    worker = _locked(worker)
    may_manage(actor, worker)
    kind = a_choice(kind, Leave.Kind, _("假别"))
    starts_on = a_date(starts_on, _("开始日期"))
    ends_on = a_date(ends_on, _("结束日期"))
    after(starts_on, ends_on, _("结束日期不能早于开始日期。"))
    note = clean_text(note, _("说明"), required=False)
    if any(overlaps(starts_on, ends_on, o.starts_on, o.ends_on) for o in worker.leaves.all()):
        raise ValidationError(_("与已登记的假期重叠。"), code="overlapping_leave")
    leave = Leave.objects.create(
        district_id=worker.district_id, community=worker.community, worker=worker, kind=kind,
        starts_on=starts_on, ends_on=ends_on, note=note, created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="workforce.leave_add", obj=leave,
                 changes={"worker": worker.pk, "kind": kind, "starts_on": starts_on.isoformat(),
                          "ends_on": ends_on.isoformat()})  # fmt: skip
    return leave


@one_write
def qualification_add(
    *, actor, worker: Worker, level: str, certificate_number: str, obtained_on: datetime.date
) -> Qualification:
    """A 社会工作者职业资格 certificate with its number (each number once in the system)."""
    worker = _locked(worker)
    may_manage(actor, worker)
    level = a_choice(level, SocialWorkLevel, _("职业资格等级"))
    number = (certificate_number or "").strip().upper()
    if not CERTIFICATE.match(number):
        raise ValidationError(
            _("证书编号应为4至40位字母、数字或连字符。"), code="certificate_number"
        )
    obtained_on = a_date(obtained_on, _("取得日期"), not_future=True)
    if Qualification.objects.filter(certificate_number=number).exists():
        raise ValidationError(_("该证书编号已登记。"), code="certificate_taken")
    qualification = Qualification.objects.create(
        district_id=worker.district_id, community=worker.community, worker=worker, level=level,
        certificate_number=number, obtained_on=obtained_on, created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="workforce.qualification_add", obj=qualification,
                 changes={"worker": worker.pk, "level": level, "certificate_number": number})  # fmt: skip
    return qualification
