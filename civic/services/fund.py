"""Writes for the development fund and its 公益创投: funds and their money, calls for projects,
the review panel and its declared conflicts, applications, scores, grants and milestones."""

import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from civic import policies
from civic.models import (
    Application,
    Conflict,
    Fund,
    FundEntry,
    Grant,
    GrantCall,
    Milestone,
    PanelSeat,
    Score,
    SocialOrganisation,
)
from civic.services.common import clean_text, require
from core import audit, clock
from core.clock import one_write
from core.models import Place, PlaceLevel
from core.money import fen, yuan
from core.validation import clean_name

MAX_POINTS = 100


def balance(fund: Fund) -> int:
    return fund.entries.aggregate(total=Sum("amount_fen"))["total"] or 0


def _locked(fund: Fund) -> Fund:
    """The fund's row locked for the rest of the write, so two payments cannot both pass the
    balance check."""
    return Fund.objects.select_for_update().get(pk=fund.pk)


@one_write
def fund_create(*, actor, place: Place, name: str, source: str) -> Fund:
    if place is None or place.level not in (PlaceLevel.DISTRICT, PlaceLevel.STREET):
        raise ValidationError(_("发展基金设在区或街道。"), code="place")
    street = place if place.level == PlaceLevel.STREET else None
    fund = Fund(district=place.district or place, street=street, created_by=actor)
    require(
        actor, "civic.run_fund", fund, _("只有区管理员、区减负办或本街道工作人员可以设立基金。")
    )
    fund.name = clean_name(name, _("名称"))
    fund.source = clean_text(source, _("资金来源"))
    fund.save()
    audit.record(actor=actor, action="civic.fund_create", obj=fund, changes={"name": fund.name})
    return fund


@one_write
def fund_deposit(*, actor, fund: Fund, amount_fen: int, note: str) -> FundEntry:
    require(actor, "civic.run_fund", fund, _("只有基金的管理者可以注资。"))
    entry = FundEntry.objects.create(
        fund=fund, purpose=FundEntry.Purpose.DEPOSIT, amount_fen=fen(amount_fen, _("注资金额")),
        note=clean_text(note, _("说明")), created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="civic.fund_deposit", obj=fund,
                 changes={"amount_fen": amount_fen})  # fmt: skip
    return entry


@one_write
def fund_pay(*, actor, fund: Fund, purpose: str, amount_fen: int, note: str) -> FundEntry:
    """A payment for a base or for training (grants are paid by their milestones)."""
    require(actor, "civic.run_fund", fund, _("只有基金的管理者可以支出。"))
    if purpose not in (FundEntry.Purpose.BASE, FundEntry.Purpose.TRAINING):
        raise ValidationError(_("请选择用途：孵化基地或培训。"), code="purpose")
    amount = fen(amount_fen, _("支出金额"))
    fund = _locked(fund)
    _require_balance(fund, amount)
    entry = FundEntry.objects.create(
        fund=fund, purpose=purpose, amount_fen=-amount, note=clean_text(note, _("说明")),
        created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="civic.fund_pay", obj=fund,
                 changes={"purpose": purpose, "amount_fen": amount})  # fmt: skip
    return entry


def _require_balance(fund: Fund, amount: int) -> None:
    left = balance(fund)
    if amount > left:
        raise ValidationError(
            _("基金余额不足：余额%(left)s元，需%(amount)s元。"),
            params={"left": yuan(left), "amount": yuan(amount)}, code="balance",
        )  # fmt: skip


@one_write
def call_open(
    *, actor, fund: Fund, title: str, description: str, budget_fen: int, max_grant_fen: int,
    closes_on: datetime.date,
) -> GrantCall:  # fmt: skip
    require(actor, "civic.run_fund", fund, _("只有基金的管理者可以发布公益创投。"))
    budget = fen(budget_fen, _("总预算"))
    cap = fen(max_grant_fen, _("单个项目上限"), high=budget)
    if not isinstance(closes_on, datetime.date) or closes_on < clock.today():
        raise ValidationError(_("截止日期不能早于今天。"), code="closes_on")
    _require_balance(_locked(fund), budget)
    call = GrantCall.objects.create(
        fund=fund, title=clean_name(title, _("标题")), budget_fen=budget, max_grant_fen=cap,
        description=clean_text(description, _("说明"), limit=2000), closes_on=closes_on,
        created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="civic.call_open", obj=call,
                 changes={"title": call.title, "budget_fen": budget})  # fmt: skip
    return call


@one_write
def seat_add(*, actor, call: GrantCall, user) -> PanelSeat:
    require(actor, "civic.run_fund", call.fund, _("只有基金的管理者可以组建评审组。"))
    if call.status == GrantCall.Status.CLOSED:
        raise ValidationError(_("该公益创投已结束。"), code="closed")
    if user is None or not isinstance(user, get_user_model()) or not user.is_active:
        raise ValidationError(_("请选择一个有效的账号。"), code="user")
    if call.seats.filter(user=user).exists():
        raise ValidationError(_("该账号已在评审组中。"), code="twice")
    seat = PanelSeat.objects.create(call=call, user=user)
    audit.record(actor=actor, action="civic.seat_add", obj=call, changes={"user": user.username})
    return seat


@one_write
def seat_withdraw(*, actor, seat: PanelSeat) -> PanelSeat:
    """A reviewer leaves the panel (the fund's manager, or the reviewer); their scores no longer
    count and their declared conflicts no longer block a grant."""
    if actor.pk != seat.user_id:
        require(actor, "civic.run_fund", seat.call.fund, _("只有基金的管理者可以调整评审组。"))
    if seat.ended_at is not None:
        raise ValidationError(_("该评审已退出评审组。"), code="ended")
    if seat.call.status == GrantCall.Status.CLOSED:
        raise ValidationError(_("该公益创投已结束。"), code="closed")
    seat.ended_at = clock.now()
    seat.save(update_fields=["ended_at"])
    audit.record(actor=actor, action="civic.seat_withdraw", obj=seat.call,
                 changes={"user": seat.user.username})  # fmt: skip
    return seat


def _own_seat(actor, call: GrantCall) -> PanelSeat:
    seat = policies.active_seat(actor, call)
    if seat is None:
        raise PermissionDenied(_("您不是该公益创投评审组的成员。"))
    return seat


@one_write
def conflict_declare(
    *, actor, call: GrantCall, organisation: SocialOrganisation, reason: str
) -> Conflict:
    """A reviewer declares a conflict of interest with an applicant (or any organisation)."""
    seat = _own_seat(actor, call)
    reason = clean_text(reason, _("原因"))
    if seat.conflicts.filter(organisation=organisation).exists():
        raise ValidationError(_("已申报过与该组织的利益冲突。"), code="twice")
    conflict = Conflict.objects.create(seat=seat, organisation=organisation, reason=reason)
    audit.record(actor=actor, action="civic.conflict_declare", obj=call,
                 changes={"organisation": organisation.name, "reason": reason})  # fmt: skip
    return conflict


@one_write
def application_submit(
    *, actor, call: GrantCall, organisation: SocialOrganisation, title: str, summary: str,
    requested_fen: int,
) -> Application:  # fmt: skip
    require(actor, "civic.act_for_org", organisation, _("只有本组织的成员可以申报项目。"))
    if not policies.sees_call(actor, call):
        raise PermissionDenied(_("该公益创投不面向本组织。"))
    if not organisation.community.is_within(call.place):
        raise ValidationError(_("该公益创投只面向%(place)s的组织。"),
                              params={"place": call.place.name}, code="outside")  # fmt: skip
    if call.status != GrantCall.Status.OPEN or clock.today() > call.closes_on:
        raise ValidationError(_("该公益创投已截止申报。"), code="not_open")
    if call.applications.filter(organisation=organisation).exists():
        raise ValidationError(_("本组织已申报过该公益创投。"), code="twice")
    application = Application.objects.create(
        call=call, organisation=organisation, submitted_by=actor,
        title=clean_name(title, _("项目名称")), summary=clean_text(summary, _("项目内容"), limit=2000),
        requested_fen=fen(requested_fen, _("申请金额"), high=call.max_grant_fen),
    )  # fmt: skip
    audit.record(actor=actor, action="civic.application_submit", obj=application,
                 changes={"call": call.title, "requested_fen": requested_fen})  # fmt: skip
    return application


@one_write
def call_review(*, actor, call: GrantCall) -> GrantCall:
    """Close applications and open the review."""
    require(actor, "civic.run_fund", call.fund, _("只有基金的管理者可以开始评审。"))
    if call.status != GrantCall.Status.OPEN:
        raise ValidationError(_("只有征集中的公益创投可以开始评审。"), code="state")
    if not call.seats.filter(ended_at__isnull=True).exists():
        raise ValidationError(_("请先组建评审组。"), code="no_panel")
    call.status = GrantCall.Status.REVIEW
    call.save(update_fields=["status"])
    audit.record(actor=actor, action="civic.call_review", obj=call)
    return call


def conflicted_seats(application: Application):
    """Active panel seats whose holder declared a conflict with the applicant."""
    return application.call.seats.filter(
        ended_at__isnull=True, conflicts__organisation=application.organisation_id
    ).select_related("user")


@one_write
def score_give(*, actor, application: Application, points: int, comment: str = "") -> Score:
    call = application.call
    seat = _own_seat(actor, call)
    if call.status != GrantCall.Status.REVIEW:
        raise ValidationError(_("评审尚未开始或已经结束。"), code="state")
    if seat.conflicts.filter(organisation=application.organisation_id).exists():
        raise ValidationError(
            _("您已申报与该组织存在利益冲突，应当回避，不能评分。"), code="conflict"
        )
    if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= MAX_POINTS:
        raise ValidationError(_("评分应为0到100之间的整数。"), code="points")
    if seat.scores.filter(application=application).exists():
        raise ValidationError(_("您已为该项目评过分。"), code="twice")
    score = Score.objects.create(
        seat=seat, application=application, points=points,
        comment=clean_text(comment, _("评语"), required=False, limit=300),
    )  # fmt: skip
    audit.record(actor=actor, action="civic.score_give", obj=application,
                 changes={"points": points})  # fmt: skip
    return score


def counted_scores(application: Application):
    return application.scores.filter(seat__ended_at__isnull=True)


@one_write
def grant_award(*, actor, application: Application, amount_fen: int) -> Grant:
    """Fund an application. Refused while a reviewer on the panel has declared a conflict of
    interest with the applicant (the reviewer must first leave the panel), without a counted
    score, above the request or the call's cap, or beyond the call's budget."""
    call = application.call
    require(actor, "civic.run_fund", call.fund, _("只有基金的管理者可以决定资助。"))
    if call.status != GrantCall.Status.REVIEW:
        raise ValidationError(_("只有评审中的公益创投可以立项。"), code="state")
    if application.status != Application.Status.SUBMITTED:
        raise ValidationError(_("该申报已有结果。"), code="decided")
    conflicted = [
        seat.user.get_full_name() or seat.user.username for seat in conflicted_seats(application)
    ]
    if conflicted:
        raise ValidationError(
            _("不能资助：评审组成员%(names)s已申报与“%(org)s”存在利益冲突。请其退出评审组、其评分作废后再决定。"),
            params={"names": "、".join(conflicted), "org": application.organisation.name},
            code="conflict",
        )  # fmt: skip
    if not counted_scores(application).exists():
        raise ValidationError(_("该项目还没有评审评分。"), code="unscored")
    amount = fen(amount_fen, _("资助金额"), high=application.requested_fen)
    awarded = Grant.objects.filter(application__call=call).aggregate(t=Sum("amount_fen"))["t"] or 0
    if awarded + amount > call.budget_fen:
        raise ValidationError(
            _("超出预算：已资助%(done)s元，预算%(budget)s元。"),
            params={"done": yuan(awarded), "budget": yuan(call.budget_fen)}, code="budget",
        )  # fmt: skip
    grant = Grant.objects.create(application=application, amount_fen=amount, awarded_by=actor)
    application.status = Application.Status.AWARDED
    application.save(update_fields=["status"])
    audit.record(actor=actor, action="civic.grant_award", obj=application,
                 changes={"amount_fen": amount})  # fmt: skip
    return grant


@one_write
def call_close(*, actor, call: GrantCall) -> int:
    """End the review: the applications not funded are declined. The number declined."""
    require(actor, "civic.run_fund", call.fund, _("只有基金的管理者可以结束评审。"))
    if call.status != GrantCall.Status.REVIEW:
        raise ValidationError(_("只有评审中的公益创投可以结束。"), code="state")
    declined = call.applications.filter(status=Application.Status.SUBMITTED).update(
        status=Application.Status.DECLINED
    )
    call.status = GrantCall.Status.CLOSED
    call.save(update_fields=["status"])
    audit.record(actor=actor, action="civic.call_close", obj=call, changes={"declined": declined})
    return declined


@one_write
def milestone_add(
    *, actor, grant: Grant, title: str, due_on: datetime.date, amount_fen: int
) -> Milestone:
    require(
        actor, "civic.run_fund", grant.application.call.fund, _("只有基金的管理者可以设定节点。")
    )
    planned = grant.milestones.aggregate(t=Sum("amount_fen"))["t"] or 0
    amount = fen(amount_fen, _("拨付金额"), low=0, high=grant.amount_fen - planned)
    if not isinstance(due_on, datetime.date):
        raise ValidationError(_("请填写计划完成日期。"), code="due_on")
    milestone = Milestone.objects.create(
        grant=grant, title=clean_name(title, _("节点")), due_on=due_on, amount_fen=amount
    )
    audit.record(actor=actor, action="civic.milestone_add", obj=grant,
                 changes={"title": milestone.title, "amount_fen": amount})  # fmt: skip
    return milestone


@one_write
def milestone_report(*, actor, milestone: Milestone, report: str) -> Milestone:
    organisation = milestone.grant.application.organisation
    require(actor, "civic.act_for_org", organisation, _("只有本组织的成员可以报告进展。"))
    if milestone.status != Milestone.Status.PLANNED:
        raise ValidationError(_("该节点已报告。"), code="state")
    milestone.report = clean_text(report, _("进展报告"), limit=2000)
    milestone.status = Milestone.Status.REPORTED
    milestone.reported_at = clock.now()
    milestone.save(update_fields=["report", "status", "reported_at"])
    audit.record(actor=actor, action="civic.milestone_report", obj=milestone.grant,
                 changes={"milestone": milestone.title})  # fmt: skip
    return milestone


@one_write
def milestone_accept(*, actor, milestone: Milestone) -> Milestone:
    """Accept a reported milestone and pay its amount from the fund."""
    fund = milestone.grant.application.call.fund
    require(actor, "civic.run_fund", fund, _("只有基金的管理者可以验收节点。"))
    if milestone.status != Milestone.Status.REPORTED:
        raise ValidationError(_("只有已报告的节点可以验收。"), code="state")
    fund = _locked(fund)
    _require_balance(fund, milestone.amount_fen)
    milestone.status = Milestone.Status.ACCEPTED
    milestone.accepted_at = clock.now()
    milestone.save(update_fields=["status", "accepted_at"])
    if milestone.amount_fen:
        FundEntry.objects.create(
            fund=fund, purpose=FundEntry.Purpose.GRANT, amount_fen=-milestone.amount_fen,
            note=f"{milestone.grant.application.title} · {milestone.title}"[:200],
            milestone=milestone, created_by=actor,
        )  # fmt: skip
    audit.record(actor=actor, action="civic.milestone_accept", obj=milestone.grant,
                 changes={"milestone": milestone.title, "amount_fen": milestone.amount_fen})  # fmt: skip
    return milestone
