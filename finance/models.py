"""Community finances (居账街管) and public disclosure (居务公开).

Money is integer fen. A community's books: budgets per year and category, income (费随事转 shares
of admitted items, district grants, other), spending with a receipt scan and its approvals. The
threshold above which a payment needs two approvers, and how split payments are spotted, are a
district rule with its source and start date (``ApprovalRule``); how often each board is
published is another (``DisclosureRule``). Nothing is deleted: a rejected payment stays rejected.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.clock import MomentField
from core.records import CommunityRecord, SourcedRule


class Category(models.TextChoices):
    OFFICE = "office", _("办公经费")
    SERVICE = "service", _("服务群众专项经费")
    ACTIVITY = "activity", _("居民活动经费")
    ALLOWANCE = "allowance", _("人员补贴")
    PROJECT = "project", _("民生项目")
    OTHER = "other", _("其他支出")


class ApprovalRule(SourcedRule):
    """Above ``two_person_above_fen`` a payment needs two approvers. Payments to one payee
    within ``split_days`` days, each below the threshold but within ``split_margin_percent`` of
    it and together above it, are flagged as split."""

    two_person_above_fen = models.PositiveBigIntegerField(_("两人审批起点（分）"))
    split_days = models.PositiveSmallIntegerField(_("拆分支付观察天数"))
    split_margin_percent = models.PositiveSmallIntegerField(_("“略低于起点”的幅度（%）"))

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "effective_from"], name="finance_one_approval_rule_per_start"
            )
        ]


class Budget(CommunityRecord):
    year = models.PositiveSmallIntegerField(_("年度"))
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    amount_fen = models.PositiveBigIntegerField(_("预算（分）"))
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    set_at = MomentField(auto_now=True)

    class Meta:
        ordering = ["-year", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "year", "category"], name="finance_one_budget_per_category"
            )
        ]


class Income(CommunityRecord):
    class Kind(models.TextChoices):
        ITEM_FUNDING = "item_funding", _("费随事转经费")
        GRANT = "grant", _("区拨款")
        OTHER = "other", _("其他收入")

    kind = models.CharField(_("收入类型"), max_length=16, choices=Kind.choices)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    received_on = models.DateField(_("到账日期"))
    payer = models.CharField(_("拨付单位"), max_length=200)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    # 费随事转: the admitted item whose funding this share is (one share per item and community).
    item = models.ForeignKey(
        "admission.AdmittedItem", null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    recorded_at = MomentField(auto_now_add=True)
    # A grant paid from another record once (the assessment result "oversight.result:12").
    source_key = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "source_key"],
                condition=~models.Q(source_key=""),
                name="finance_one_grant_per_source",
            ),
            models.UniqueConstraint(
                fields=["item", "community"],
                condition=models.Q(item__isnull=False),
                name="finance_one_share_per_item",
            ),  # fmt: skip
        ]
        indexes = [models.Index(fields=["community", "received_on"])]


class Spending(CommunityRecord):
    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已审批")
        REJECTED = "rejected", _("已退回")

    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))
    payee = models.CharField(_("收款方"), max_length=200)
    purpose = models.CharField(_("用途"), max_length=300)
    spent_on = models.DateField(_("支付日期"))
    # A scan of the receipt: re-encoded pixels only (core.images), served only as an image.
    receipt = models.FileField(_("票据"), upload_to="finance/receipts/%Y/%m/", blank=True)
    over_budget_reason = models.CharField(_("超预算理由"), max_length=300, blank=True)
    approvals_needed = models.PositiveSmallIntegerField(_("所需审批人数"), default=1)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    decision_note = models.CharField(_("审批意见"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["-spent_on", "-id"]
        indexes = [models.Index(fields=["community", "spent_on"])]


class Approval(models.Model):
    spending = models.ForeignKey(Spending, on_delete=models.PROTECT, related_name="approvals")
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["approved_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["spending", "approver"], name="finance_one_approval_each"
            )
        ]

    def __str__(self):
        return f"{self.spending_id}:{self.approver_id}"


class Board(models.TextChoices):
    PARTY = "party", _("党务公开")
    AFFAIRS = "affairs", _("居务公开")
    FINANCE = "finance", _("财务公开")


class Cadence(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")


class DisclosureRule(SourcedRule):
    """How often one board is published, and how many days after the period it is due."""

    board = models.CharField(_("公开栏"), max_length=16, choices=Board.choices)
    cadence = models.CharField(_("公开周期"), max_length=16, choices=Cadence.choices)
    due_days = models.PositiveSmallIntegerField(_("期满后几日内公开"))

    class Meta:
        ordering = ["board", "-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "board", "effective_from"],
                name="finance_one_disclosure_rule_per_start",
            )
        ]


class Disclosure(CommunityRecord):
    """One board for one period, generated from Linli's data, reviewed by a member of the
    居务监督委员会 and then published to the community's residents."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SUBMITTED = "submitted", _("待监督委员会审核")
        RETURNED = "returned", _("退回修改")
        PUBLISHED = "published", _("已公开")

    board = models.CharField(_("公开栏"), max_length=16, choices=Board.choices)
    period_start = models.DateField(_("起始月"))
    period_end = models.DateField(_("截止日"))
    content = models.JSONField(_("公开内容"), default=dict)
    note = models.TextField(_("补充说明"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prepared_at = MomentField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    review_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "board"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "board", "period_start"], name="finance_one_board_per_period"
            )
        ]


class StreetNotice(CommunityRecord):
    """The street office was told once of this matter (an anomaly of a payment, an overdue
    board): finance.notices tells each matter once, however often it runs."""

    key = models.CharField(max_length=80)  # "no_receipt:12", "overdue:finance:2026-10-01"
    told_at = MomentField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "key"], name="finance_tell_street_once")
        ]

    def __str__(self):
        return self.key


class FundingRule(SourcedRule):
    """How a community's assessment result turns into the next year's district grant: nothing
    below ``floor_score``; from it up, ``full_fen`` × (score − floor) / (100 − floor)."""

    floor_score = models.PositiveSmallIntegerField(_("起拨分数"))
    full_fen = models.PositiveBigIntegerField(_("满分拨款（分）"))

    class Meta:
        ordering = ["-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "effective_from"], name="finance_one_funding_rule_per_start"
            )
        ]

    def grant_fen(self, score_tenths: int | None) -> int:
        floor = self.floor_score * 10
        if score_tenths is None or score_tenths < floor or floor >= 1000:
            return 0
        return self.full_fen * (score_tenths - floor) // (1000 - floor)
