"""Writes to a community's books: rules, budgets, income, spending and its approval."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from core import audit, clock, images
from core.clock import one_write
from core.models import Place
from core.money import fen, yuan
from core.validation import clean_int, clean_text
from core.validation import require_perm as _require
from finance import defaults
from finance.models import (
    Approval,
    ApprovalRule,
    Board,
    Budget,
    Cadence,
    Category,
    DisclosureRule,
    Income,
    Spending,
)
from finance.services.common import approval_rule, community_of, day, district_of

MAX_RECEIPT_BYTES = 8 * 1024 * 1024


# ---------------------------------------------------------------- rules


@one_write
def rules_seed(*, actor, district: Place) -> int:
    """Load the default approval and disclosure rules for a district that has none yet."""
    district = district_of(district)
    _require(actor, "finance.set_rules", district, _("只有区管理员或区减负办可以设定财务规则。"))
    added = 0
    if not ApprovalRule.objects.filter(district=district).exists():
        for row in defaults.APPROVAL_RULES:
            ApprovalRule.objects.create(district=district, created_by=actor, **row)
            added += 1
    if not DisclosureRule.objects.filter(district=district).exists():
        for row in defaults.DISCLOSURE_RULES:
            DisclosureRule.objects.create(district=district, created_by=actor, **row)
            added += 1
    if added:
        audit.record(actor=actor, action="finance.rules_seed", obj=district,
                     changes={"rules": added})  # fmt: skip
    return added


@one_write
def approval_rule_create(
    *, actor, district: Place, two_person_above_fen: int, split_days: int,
    split_margin_percent: int, source: str, effective_from: datetime.date,
) -> ApprovalRule:  # fmt: skip
    """A new approval rule from a date (the earlier ones stay, for history)."""
    district = district_of(district)
    _require(actor, "finance.set_rules", district, _("只有区管理员或区减负办可以设定财务规则。"))
    rule = ApprovalRule(
        district=district, created_by=actor,
        two_person_above_fen=fen(two_person_above_fen, _("两人审批起点")),
        split_days=clean_int(split_days, _("拆分支付观察天数"), 1, 365),
        split_margin_percent=clean_int(split_margin_percent, _("“略低于起点”的幅度"), 1, 99),
        source=clean_text(source, _("依据"), limit=300),
        effective_from=day(effective_from, _("生效日期")),
    )  # fmt: skip
    if ApprovalRule.objects.filter(district=district, effective_from=effective_from).exists():
        raise ValidationError(
            _("%(date)s已有一条审批规则生效；请换一个生效日期。"),
            params={"date": effective_from.isoformat()}, code="same_start",
        )  # fmt: skip
    rule.save()
    audit.record(actor=actor, action="finance.approval_rule_create", obj=rule, place=district,
                 changes={"two_person_above_fen": rule.two_person_above_fen,
                          "source": rule.source,
                          "effective_from": effective_from.isoformat()})  # fmt: skip
    return rule


@one_write
def disclosure_rule_create(
    *, actor, district: Place, board: str, cadence: str, due_days: int, source: str,
    effective_from: datetime.date,
) -> DisclosureRule:  # fmt: skip
    """How often a board is published, from a date (the earlier rules stay, for history)."""
    district = district_of(district)
    _require(actor, "finance.set_rules", district, _("只有区管理员或区减负办可以设定财务规则。"))
    if board not in Board.values:
        raise ValidationError(_("请选择公开栏。"), code="board")
    if cadence not in Cadence.values:
        raise ValidationError(_("请选择公开周期。"), code="cadence")
    rule = DisclosureRule(
        district=district, board=board, cadence=cadence, created_by=actor,
        due_days=clean_int(due_days, _("期满后几日内公开"), 1, 60),
        source=clean_text(source, _("依据"), limit=300),
        effective_from=day(effective_from, _("生效日期")),
    )  # fmt: skip
    if effective_from.day != 1:
        raise ValidationError(_("公开规则须从某月1日起生效。"), code="effective_from")
    if DisclosureRule.objects.filter(district=district, board=board,
                                     effective_from=effective_from).exists():  # fmt: skip
        raise ValidationError(
            _("%(date)s已有一条该公开栏的规则生效；请换一个生效日期。"),
            params={"date": effective_from.isoformat()}, code="same_start",
        )  # fmt: skip
    rule.save()
    audit.record(actor=actor, action="finance.disclosure_rule_create", obj=rule, place=district,
                 changes={"board": board, "cadence": cadence, "source": rule.source,
                          "effective_from": effective_from.isoformat()})  # fmt: skip
    return rule


# ---------------------------------------------------------------- budgets and income


@one_write
def budget_set(*, actor, community: Place, year: int, category: str, amount_fen: int) -> Budget:
    """The year's budget of one category (居账街管: set by the street office)."""
    community = community_of(community)
    _require(actor, "finance.set_budget", community, _("预算由街道工作人员核定。"))
    year = clean_int(year, _("年度"), 2000, 2100)
    if category not in Category.values:
        raise ValidationError(_("请选择支出类别。"), code="category")
    amount_fen = fen(amount_fen, _("预算金额"), low=0)
    budget = Budget.objects.filter(community=community, year=year, category=category).first()
    before = budget.amount_fen if budget else None
    if budget is None:
        budget = Budget(district_id=community.district_id, community=community, year=year,
                        category=category)  # fmt: skip
    budget.amount_fen, budget.set_by = amount_fen, actor
    budget.save()
    audit.record(actor=actor, action="finance.budget_set", obj=budget, place=community,
                 changes={"year": year, "category": category,
                          "amount_fen": [before, amount_fen]})  # fmt: skip
    return budget


@one_write
def income_record(
    *, actor, community: Place, kind: str, amount_fen: int, received_on: datetime.date,
    payer: str, note: str = "",
) -> Income:  # fmt: skip
    """A district grant or other income (费随事转 shares are paid by dispatch, not typed)."""
    community = community_of(community)
    _require(actor, "finance.record", community, _("收支由社区工作者登记。"))
    if kind not in (Income.Kind.GRANT, Income.Kind.OTHER):
        raise ValidationError(
            _("费随事转经费在任务派发时自动到账，不能手工登记；请选择区拨款或其他收入。"),
            code="kind",
        )  # fmt: skip
    income = Income.objects.create(
        district_id=community.district_id, community=community, kind=kind,
        amount_fen=fen(amount_fen, _("金额")), received_on=_not_future(received_on, _("到账日期")),
        payer=clean_text(payer, _("拨付单位"), limit=200),
        note=clean_text(note, _("说明"), required=False, limit=300), recorded_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="finance.income_record", obj=income,
                 changes={"kind": kind, "amount_fen": income.amount_fen,
                          "payer": income.payer})  # fmt: skip
    return income


def shares(total_fen: int, community_ids: list[int]) -> dict[int, int]:
    """费随事转: an item's funding split evenly over the communities in its scope, the odd fen
    to the first communities (by id) so the shares add up to the whole."""
    ids = sorted(community_ids)
    if not ids:
        return {}
    each, rest = divmod(total_fen, len(ids))
    return {cid: each + (1 if i < rest else 0) for i, cid in enumerate(ids)}


def item_funding_pay(*, task) -> Income | None:
    """The community's share of a task's admitted item, paid once, when the first task of the
    item reaches the community (called by the dispatch hook inside the dispatch's transaction)."""
    item = task.item
    if not item.funding_fen:
        return None
    if Income.objects.filter(item=item, community_id=task.community_id).exists():
        return None
    scope_ids = list(item.scopes.values_list("community_id", flat=True))
    amount = shares(item.funding_fen, scope_ids).get(task.community_id, 0)
    if not amount:
        return None
    income = Income.objects.create(
        district_id=task.district_id, community_id=task.community_id,
        kind=Income.Kind.ITEM_FUNDING, amount_fen=amount,
        received_on=clock.local_now().date(), payer=item.department.name,
        note=f"{item.number} {item.title}"[:300], item=item,
    )  # fmt: skip
    audit.record(actor=task.created_by, action="finance.item_funding_pay", obj=income,
                 changes={"item": item.number, "amount_fen": amount,
                          "of_fen": item.funding_fen, "communities": len(scope_ids)})  # fmt: skip
    return income


# ---------------------------------------------------------------- spending


def _not_future(value, label: str) -> datetime.date:
    value = day(value, label)
    if value > clock.today():
        raise ValidationError(_("%(label)s不能晚于今天。"), params={"label": label}, code="future")
    return value


def clean_receipt(receipt):
    """A receipt scan: a real image of at most 8 MB, saved again without its metadata under a
    generated name (core.images); None when none was given."""
    if receipt is None:
        return None
    if receipt.size > MAX_RECEIPT_BYTES:
        raise ValidationError(_("票据图片不能超过8MB。"), code="photo_size")
    return images.reencode(receipt, max_bytes=MAX_RECEIPT_BYTES).as_file()


def spent_in(community: Place, year: int, category: str) -> int:
    """What the community has spent (approved or awaiting approval) in a category and year."""
    return (
        Spending.objects.filter(
            community=community, category=category, spent_on__year=year,
        ).exclude(status=Spending.Status.REJECTED)
        .aggregate(s=Sum("amount_fen"))["s"] or 0
    )  # fmt: skip


def budget_of(community: Place, year: int, category: str) -> int:
    budget = Budget.objects.filter(community=community, year=year, category=category).first()
    return budget.amount_fen if budget else 0


@one_write
def spending_record(
    *, actor, community: Place, category: str, amount_fen: int, payee: str, purpose: str,
    spent_on: datetime.date, receipt=None, over_budget_reason: str = "",
) -> Spending:  # fmt: skip
    """A payment, waiting for the street office's approval (two approvers above the rule's
    threshold). Over the category's budget for the year it needs a reason."""
    community = community_of(community)
    _require(actor, "finance.record", community, _("收支由社区工作者登记。"))
    if category not in Category.values:
        raise ValidationError(_("请选择支出类别。"), code="category")
    amount_fen = fen(amount_fen, _("金额"))
    spent_on = _not_future(spent_on, _("支付日期"))
    payee = clean_text(payee, _("收款方"), limit=200)
    purpose = clean_text(purpose, _("用途"), limit=300)
    reason = clean_text(over_budget_reason, _("超预算理由"), required=False, limit=300)
    budget = budget_of(community, spent_on.year, category)
    after = spent_in(community, spent_on.year, category) + amount_fen
    if after > budget and not reason:
        raise ValidationError(
            _("超出预算：%(category)s%(year)d年预算%(budget)s元，登记后将支出%(after)s元。"
              "超预算支出须写明理由（居账街管：支出不得无故超出预算）。"),
            params={"category": Category(category).label, "year": spent_on.year,
                    "budget": yuan(budget), "after": yuan(after)},
            code="over_budget",
        )  # fmt: skip
    rule = approval_rule(community.district_id, spent_on)
    needed = 2 if rule is not None and amount_fen > rule.two_person_above_fen else 1
    spending = Spending(
        district_id=community.district_id, community=community, category=category,
        amount_fen=amount_fen, payee=payee, purpose=purpose, spent_on=spent_on,
        over_budget_reason=reason, approvals_needed=needed, recorded_by=actor,
    )  # fmt: skip
    stored = clean_receipt(receipt)
    if stored is not None:
        spending.receipt = stored
    spending.save()
    audit.record(actor=actor, action="finance.spending_record", obj=spending,
                 changes={"category": category, "amount_fen": amount_fen, "payee": payee,
                          "receipt": bool(stored), "over_budget": after > budget,
                          "approvals_needed": needed})  # fmt: skip
    return spending


@one_write
def receipt_attach(*, actor, spending: Spending, receipt) -> Spending:
    """Add the receipt scan to a payment recorded without one."""
    spending = Spending.objects.select_for_update().get(pk=spending.pk)
    _require(actor, "finance.record", spending.community, _("收支由社区工作者登记。"))
    if spending.receipt:
        raise ValidationError(_("这笔支出已有票据；票据一经上传不能替换。"), code="has_receipt")
    stored = clean_receipt(receipt)
    if stored is None:
        raise ValidationError(_("请选择票据图片。"), code="no_receipt")
    spending.receipt = stored
    spending.save(update_fields=["receipt"])
    audit.record(actor=actor, action="finance.receipt_attach", obj=spending, changes={})
    return spending


def _for_decision(actor, spending: Spending) -> Spending:
    spending = Spending.objects.select_for_update().get(pk=spending.pk)
    _require(actor, "finance.approve", spending, _("支出由街道工作人员审批，登记人不能审批自己登记的支出。"))  # fmt: skip
    if spending.recorded_by_id == actor.pk:
        raise PermissionDenied(_("登记人不能审批自己登记的支出。"))
    if spending.status != Spending.Status.PENDING:
        raise ValidationError(_("这笔支出已审批完毕。"), code="decided")
    return spending


@one_write
def spending_approve(*, actor, spending: Spending) -> Spending:
    """One approval; the payment is approved once it has as many approvers as it needs."""
    spending = _for_decision(actor, spending)
    if spending.approvals.filter(approver=actor).exists():
        raise ValidationError(
            _("您已审批过这笔支出；超过两人审批起点的支出须由另一人再审批。"), code="same_approver"
        )  # fmt: skip
    Approval.objects.create(spending=spending, approver=actor)
    if spending.approvals.count() >= spending.approvals_needed:
        spending.status = Spending.Status.APPROVED
        spending.save(update_fields=["status"])
    audit.record(actor=actor, action="finance.spending_approve", obj=spending,
                 changes={"status": spending.status})  # fmt: skip
    return spending


@one_write
def spending_reject(*, actor, spending: Spending, note: str) -> Spending:
    spending = _for_decision(actor, spending)
    spending.decision_note = clean_text(note, _("退回理由"), limit=300)
    spending.status = Spending.Status.REJECTED
    spending.save(update_fields=["status", "decision_note"])
    audit.record(actor=actor, action="finance.spending_reject", obj=spending,
                 changes={"note": spending.decision_note})  # fmt: skip
    return spending
