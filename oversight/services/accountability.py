"""Every write of the accountability chain: sanction rules, reminders, cases and their steps.

Each step writes the case, one ``CaseEvent`` the person concerned reads on their own page, one
audit event, and tells the other side through notify."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Place
from core.validation import clean_int, clean_text
from core.validation import require_perm as _require
from oversight import defaults
from oversight.models import Case, CaseEvent, Reminder, Sanction, SanctionRule
from oversight.services.common import district_of, officers, require_state, staff_person, tell

S = Case.State
DISTINCTIONS = ("inexperience", "exploration", "development")
NOT_OFFICER = _("只有本区纪检组织干部可以办理问责和容错。")


def _officer(actor, district) -> None:
    _require(actor, "oversight.run_chain", district, NOT_OFFICER)


def _concerned(actor, case) -> None:
    _require(actor, "oversight.act_as_concerned", case, _("只有被问责的本人可以办理这一步。"))


def _event(case: Case, step: str, actor, text: str = "", **changes) -> None:
    CaseEvent.objects.create(case=case, district=case.district, step=step, text=text, by=actor)
    audit.record(actor=actor, action=f"oversight.case_{step}", obj=case, place=case.district,
                 changes={"person": case.person_id, **changes})  # fmt: skip


def _url(case: Case) -> str:
    return reverse("oversight:case", args=[case.pk])


def _tell_person(case: Case, kind: str, actor, text: str = "") -> None:
    tell(kind, [case.person.account_id], actor=actor, url=_url(case), subject=case,
         date=case.decided_on, text=text)  # fmt: skip


def _tell_officers(case: Case, kind: str, actor, text: str = "") -> None:
    tell(kind, officers(case.district), actor=actor, url=_url(case), subject=case,
         date=case.decided_on, name=case.person.name, text=text)  # fmt: skip


# ---------------------------------------------------------------- rules


def rule_in_force(district: Place, sanction: str, day: datetime.date) -> SanctionRule | None:
    return SanctionRule.objects.in_force(day, district=district, sanction=sanction)


@one_write
def sanction_rules_seed(*, actor, district: Place) -> int:
    """The default rules (with their source) for a district that has none."""
    district = district_of(district)
    _officer(actor, district)
    if SanctionRule.objects.filter(district=district).exists():
        return 0
    for row in defaults.SANCTION_RULES:
        SanctionRule.objects.create(district=district, created_by=actor, source=str(defaults.SOURCE),
                                    effective_from=defaults.START, **row)  # fmt: skip
    audit.record(actor=actor, action="oversight.sanction_rules_seed", obj=district,
                 changes={"rules": len(defaults.SANCTION_RULES)})  # fmt: skip
    return len(defaults.SANCTION_RULES)


@one_write
def sanction_rule_create(
    *, actor, district: Place, sanction: str, requires_reminder: bool, months_in_force: int,
    source: str, effective_from: datetime.date,
) -> SanctionRule:  # fmt: skip
    """A new rule for one sanction from a date (earlier rules stay, for the cases under them)."""
    district = district_of(district)
    _officer(actor, district)
    if sanction not in Sanction.values:
        raise ValidationError(_("请选择问责方式。"), code="sanction")
    months = clean_int(months_in_force, _("影响期（月）"), 1, 60)
    source = clean_text(source, _("依据"), limit=300)
    effective_from = _date(effective_from, _("生效日期"))
    if SanctionRule.objects.filter(district=district, sanction=sanction,
                                   effective_from=effective_from).exists():  # fmt: skip
        raise ValidationError(_("这种问责方式在%(date)s已有一条规则；请换一个生效日期。"),
                              params={"date": effective_from.isoformat()}, code="same_start")  # fmt: skip
    rule = SanctionRule.objects.create(
        district=district, sanction=sanction, requires_reminder=bool(requires_reminder),
        months_in_force=months, source=source, effective_from=effective_from, created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="oversight.sanction_rule_create", obj=rule, place=district,
                 changes={"sanction": sanction, "requires_reminder": rule.requires_reminder,
                          "months": months, "effective_from": effective_from.isoformat()})  # fmt: skip
    return rule


# ---------------------------------------------------------------- reminders


@one_write
def reminder_issue(*, actor, district: Place, person, kind: str, facts: str) -> Reminder:
    """A 谈话提醒, 函询 or 诫勉 to a staff member of the district; they are told at once."""
    district = district_of(district)
    _officer(actor, district)
    person = staff_person(person, district)
    if kind not in Reminder.Kind.values:
        raise ValidationError(_("请选择提醒方式。"), code="kind")
    facts = clean_text(facts, _("事由"), limit=2000)
    reminder = Reminder.objects.create(district=district, person=person, kind=kind, facts=facts,
                                       issued_on=clock.today(), issued_by=actor)  # fmt: skip
    audit.record(actor=actor, action="oversight.reminder_issue", obj=reminder, place=district,
                 changes={"person": person.pk, "kind": kind})  # fmt: skip
    tell("oversight.reminder", [person.account_id], actor=actor, subject=reminder,
         url=reverse("oversight:mine"), way=Reminder.Kind(kind).label, text=facts)  # fmt: skip
    return reminder


@one_write
def reminder_reply(*, actor, reminder: Reminder, reply: str) -> Reminder:
    """The person's explanation of a reminder (函询 asks for one in writing), once."""
    _concerned(actor, reminder)
    if reminder.replied_at:
        raise ValidationError(_("已经说明过了。"), code="bad_state")
    reminder.reply = clean_text(reply, _("说明"), limit=2000)
    reminder.replied_at = clock.now()
    reminder.save(update_fields=["reply", "replied_at"])
    audit.record(actor=actor, action="oversight.reminder_reply", obj=reminder,
                 place=reminder.district)  # fmt: skip
    return reminder


# ---------------------------------------------------------------- a case of 问责


def _preceding_reminder(rule: SanctionRule, person, district, reminder) -> Reminder | None:
    if reminder is not None and (
        reminder.person_id != person.pk or reminder.district_id != district.pk
    ):
        raise ValidationError(_("所选提醒不是对本人作出的。"), code="reminder")
    if reminder is None:
        reminder = Reminder.objects.filter(district=district, person=person).first()
    if rule.requires_reminder and reminder is None:
        raise ValidationError(
            _("按“%(sanction)s须先提醒”的规定（%(source)s，%(date)s起），须先对%(name)s进行谈话提醒、"
              "函询或诫勉，才能作出%(sanction)s。"),
            params={"sanction": rule.get_sanction_display(), "source": rule.source,
                    "date": rule.effective_from.isoformat(), "name": person.name},
            code="reminder_required",
        )  # fmt: skip
    return reminder


@one_write
def case_open(
    *, actor, district: Place, person, facts: str, rule_broken: str, decision: str,
    sanction: str, reminder: Reminder | None = None,
) -> Case:  # fmt: skip
    """A case of 问责 with its decision: refused without a preceding reminder where the rule
    in force requires one; the sanction is in force for the rule's months."""
    district = district_of(district)
    _officer(actor, district)
    person = staff_person(person, district)
    if sanction not in Sanction.values:
        raise ValidationError(_("请选择问责方式。"), code="sanction")
    facts = clean_text(facts, _("事实"), limit=4000)
    rule_broken = clean_text(rule_broken, _("违反的规定"), limit=300)
    decision = clean_text(decision, _("问责决定"), limit=4000)
    today = clock.today()
    rule = rule_in_force(district, sanction, today)
    if rule is None:
        raise ValidationError(
            _("本区还没有这种问责方式的规则，请先载入或设定问责规则。"), code="no_rule"
        )
    reminder = _preceding_reminder(rule, person, district, reminder)
    until = _add_months(today, rule.months_in_force)
    case = Case.objects.create(
        district=district, person=person, facts=facts, rule_broken=rule_broken, decision=decision,
        sanction=sanction, reminder=reminder, rule=rule, decided_on=today, in_force_until=until,
        opened_by=actor,
    )  # fmt: skip
    _event(case, "decided", actor, decision, sanction=sanction, until=until.isoformat())
    _tell_person(case, "oversight.case_decided", actor, decision)
    return case


def _add_months(day: datetime.date, months: int) -> datetime.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@one_write
def case_reply(*, actor, case: Case, reply: str) -> Case:
    """The person's reply (申辩) to the decision, once."""
    _concerned(actor, case)
    require_state(case, {S.DECIDED, S.TOLERANCE_ASKED, S.RECTIFYING}, _("此事项已不能申辩。"))
    if case.reply:
        raise ValidationError(_("已经申辩过了。"), code="bad_state")
    case.reply = clean_text(reply, _("申辩"), limit=4000)
    case.save(update_fields=["reply"])
    _event(case, "replied", actor, case.reply)
    _tell_officers(case, "oversight.case_replied", actor, case.reply)
    return case


@one_write
def tolerance_apply(*, actor, case: Case, reason: str, grounds) -> Case:
    """The person asks for 容错, naming which of the three distinctions their case meets; once."""
    _concerned(actor, case)
    require_state(case, {S.DECIDED}, _("只有已作出问责决定、尚未整改的事项可以申请容错。"))
    if case.tolerance_reason:
        raise ValidationError(_("每个问责事项只能申请一次容错。"), code="bad_state")
    grounds = [g for g in (grounds or []) if g in DISTINCTIONS]
    if not grounds:
        raise ValidationError(_("请至少选择一项“三个区分开来”的情形。"), code="grounds")
    case.tolerance_reason = clean_text(reason, _("申请理由"), limit=4000)
    case.tolerance_grounds = sorted(set(grounds), key=DISTINCTIONS.index)
    case.state = S.TOLERANCE_ASKED
    case.save(update_fields=["tolerance_reason", "tolerance_grounds", "state"])
    _event(case, "tolerance_asked", actor, case.tolerance_reason, grounds=case.tolerance_grounds)
    _tell_officers(case, "oversight.tolerance_asked", actor, case.tolerance_reason)
    return case


@one_write
def tolerance_judge(
    *, actor, case: Case, granted: bool, inexperience: str, exploration: str, development: str
) -> Case:
    """The officers' finding against each of the three distinctions, reasons written for all
    three; 容错 granted removes the sanction's effect (assessment, awards, promotion)."""
    _officer(actor, case.district)
    require_state(case, {S.TOLERANCE_ASKED}, _("没有待认定的容错申请。"))
    if granted not in (True, False):
        raise ValidationError(_("请选择是否予以容错。"), code="granted")
    reasons = {}
    for key, text, label in (
        ("inexperience", inexperience, _("先行先试中的失误与明知故犯")),
        ("exploration", exploration, _("探索性试验中的失误与明令禁止后依然我行我素")),
        ("development", development, _("为推动发展的无意过失与为谋取私利的违纪违法")),
    ):
        reasons[key] = clean_text(text, label, limit=2000,
                                  missing=_("请写明“%(d)s”的认定理由。") % {"d": label})  # fmt: skip
    case.tolerance_granted = granted
    case.tolerance_reasons = reasons
    case.state = S.DECIDED
    case.save(update_fields=["tolerance_granted", "tolerance_reasons", "state"])
    text = _("予以容错，问责影响已免除。") if granted else _("不予容错。")
    _event(case, "tolerance_judged", actor, text, granted=granted)
    _tell_person(case, "oversight.tolerance_judged", actor, text)
    return case


def _date(value, label: str) -> datetime.date:
    if not isinstance(value, datetime.date):
        raise ValidationError(_("请填写%(label)s。") % {"label": label}, code="date")
    return value


@one_write
def rectification_order(*, actor, case: Case, rectification: str, rectify_by) -> Case:
    """纠错/整改: what to correct and by when."""
    _officer(actor, case.district)
    require_state(case, {S.DECIDED}, _("此事项现在不能布置整改。"))
    rectify_by = _date(rectify_by, _("整改期限"))
    if rectify_by <= clock.today():
        raise ValidationError(_("整改期限须晚于今天。"), code="rectify_by")
    case.rectification = clean_text(rectification, _("整改要求"), limit=4000)
    case.rectify_by = rectify_by
    case.state = S.RECTIFYING
    case.save(update_fields=["rectification", "rectify_by", "state"])
    _event(case, "rectification_ordered", actor, case.rectification, by=rectify_by.isoformat())
    _tell_person(case, "oversight.rectification_ordered", actor, case.rectification)
    return case


@one_write
def case_follow_up(*, actor, case: Case, note: str) -> Case:
    """An officer's follow-up of the rectification (督促、回访), shown to the person."""
    _officer(actor, case.district)
    require_state(case, {S.RECTIFYING}, _("只有整改中的事项可以跟踪督促。"))
    note = clean_text(note, _("跟踪情况"), limit=2000)
    _event(case, "followed_up", actor, note)
    _tell_person(case, "oversight.case_followed_up", actor, note)
    return case


@one_write
def rectification_report(*, actor, case: Case, report: str) -> Case:
    """The person reports the rectification done; it waits for 销号."""
    _concerned(actor, case)
    require_state(case, {S.RECTIFYING}, _("此事项不在整改中。"))
    report = clean_text(report, _("整改情况"), limit=4000)
    case.state = S.RECTIFIED
    case.save(update_fields=["state"])
    _event(case, "rectified", actor, report)
    _tell_officers(case, "oversight.case_rectified", actor, report)
    return case


@one_write
def case_close(*, actor, case: Case, note: str) -> Case:
    """销号, verified by a second officer (never the one who opened the case)."""
    _officer(actor, case.district)
    require_state(case, {S.DECIDED, S.RECTIFIED}, _("此事项现在不能销号。"))
    if actor.pk == case.opened_by_id:
        raise PermissionDenied(_("销号须由立案人以外的另一名纪检组织干部核实。"))
    note = clean_text(note, _("核实意见"), limit=2000)
    case.state = S.CLOSED
    case.closed_by, case.closed_at = actor, clock.now()
    case.save(update_fields=["state", "closed_by", "closed_at"])
    _event(case, "closed", actor, note)
    _tell_person(case, "oversight.case_closed", actor, note)
    return case


@one_write
def case_viewed(*, actor, case: Case) -> None:
    """An officer opened a case (personal data): one audit event."""
    if actor.pk == case.person.account_id:
        return
    _require(actor, "oversight.view_record", case)
    audit.record(actor=actor, action="oversight.case_view", obj=case, place=case.district,
                 purpose=str(_("办理问责事项")))  # fmt: skip
