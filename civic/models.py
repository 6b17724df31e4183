"""Co-governance (seed §6), first part: community social organisations filed (备案) with the
street office, incubation in the street's incubation bases, annual reports; and the development
fund's 公益创投: calls for projects, applications, a scored review by a panel whose members
declare conflicts of interest, grants, milestones and their reports. Money in fen.

Organisations are this app's own rows, not ``registry.Organisation``: most community social
organisations have no unified social credit code (the registry's table requires one), so here
the code is optional and validated only when given.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.clock import MomentField
from core.models import Place
from core.records import CommunityRecord, DistrictRecord

USER = settings.AUTH_USER_MODEL


class SocialOrganisation(CommunityRecord):
    """A community social organisation, filed with its street office (or registered, with a
    code). Its ``community`` is where it is filed and acts."""

    class Kind(models.TextChoices):
        FILED = "filed", _("备案类社区社会组织")
        REGISTERED = "registered", _("登记注册社会组织")

    class Domain(models.TextChoices):
        ELDERLY = "elderly", _("为老服务")
        CHILDREN = "children", _("儿童青少年")
        CULTURE = "culture", _("文体活动")
        VOLUNTEER = "volunteer", _("志愿服务")
        MEDIATION = "mediation", _("矛盾调解")
        ENVIRONMENT = "environment", _("环境保护")
        CHARITY = "charity", _("公益慈善")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        ACTIVE = "active", _("已备案")
        REVOKED = "revoked", _("已注销")

    street = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.FILED)
    domain = models.CharField(_("服务领域"), max_length=12, choices=Domain.choices)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    purpose = models.TextField(_("宗旨与活动"), max_length=1000)
    filing_no = models.CharField(_("备案编号"), max_length=30, unique=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    filed_on = models.DateField(_("备案日期"))
    filed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("社会组织")
        ordering = ["community__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~Q(uscc=""), name="civic_one_org_per_uscc"
            ),
            models.UniqueConstraint(
                fields=["community", "name"], name="civic_org_name_per_community"
            ),
        ]

    def __str__(self):
        return self.name


class OrgMember(models.Model):
    """An account that acts for an organisation (with the 社会组织成员 role where it is filed)."""

    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.PROTECT, related_name="members"
    )
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = MomentField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="civic_member_once")
        ]

    def __str__(self):
        return f"{self.organisation} · {self.user}"

    @property
    def place(self):
        return self.organisation.community


class IncubationBase(DistrictRecord):
    """A street's incubation base (孵化基地): spaces lent to young organisations."""

    street = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200)
    spaces = models.PositiveSmallIntegerField(_("工位或场地数"))
    created_at = MomentField(auto_now_add=True)
    place_field = "street"

    class Meta:
        verbose_name = _("孵化基地")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Incubation(models.Model):
    """One organisation's stay in a base: its stage, mentor, space and monthly rent support."""

    class Stage(models.TextChoices):
        ENTERED = "entered", _("入驻")
        INCUBATING = "incubating", _("孵化中")
        GRADUATED = "graduated", _("出壳")
        LEFT = "left", _("退出")

    base = models.ForeignKey(IncubationBase, on_delete=models.PROTECT, related_name="stays")
    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.PROTECT, related_name="incubations"
    )
    stage = models.CharField(_("阶段"), max_length=12, choices=Stage.choices, default=Stage.ENTERED)
    mentor = models.CharField(_("导师"), max_length=50)
    space = models.CharField(_("场地"), max_length=100)
    rent_support_fen = models.PositiveIntegerField(_("每月房租补贴（分）"), default=0)
    started_on = models.DateField(_("入驻日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    updated_at = MomentField(auto_now=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(ended_on__isnull=True),
                name="civic_one_open_incubation",
            )
        ]  # fmt: skip

    def __str__(self):
        return f"{self.organisation} · {self.base}"

    @property
    def place(self):
        return self.organisation.community


class AnnualReport(models.Model):
    """An organisation's report on a year: what it did, its money, its members."""

    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.PROTECT, related_name="reports"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    activities = models.TextField(_("年度活动"), max_length=2000)
    activity_count = models.PositiveIntegerField(_("活动次数"))
    people_served = models.PositiveIntegerField(_("服务人次"))
    income_fen = models.BigIntegerField(_("收入（分）"))
    expense_fen = models.BigIntegerField(_("支出（分）"))
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="civic_report_per_year")
        ]

    def __str__(self):
        return f"{self.organisation} · {self.year}"

    @property
    def place(self):
        return self.organisation.community


class Fund(DistrictRecord):
    """A development fund of a district or of one of its streets (``street`` set)."""

    street = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=100)
    source = models.CharField(_("资金来源"), max_length=200)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("发展基金")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def place(self):
        return self.street or self.district


class FundEntry(models.Model):
    """Money into or out of a fund, in fen: deposits positive, payments negative (a grant's
    milestone, a base's rent support, training). Corrections are new entries."""

    class Purpose(models.TextChoices):
        DEPOSIT = "deposit", _("注资")
        GRANT = "grant", _("公益创投资助")
        BASE = "base", _("孵化基地")
        TRAINING = "training", _("培训")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="entries")
    purpose = models.CharField(_("用途"), max_length=10, choices=Purpose.choices)
    amount_fen = models.BigIntegerField(_("金额（分）"))
    note = models.CharField(_("说明"), max_length=200)
    milestone = models.OneToOneField(
        "Milestone", null=True, blank=True, on_delete=models.PROTECT, related_name="payment"
    )
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.fund} · {self.amount_fen}"

    @property
    def place(self):
        return self.fund.place


class GrantCall(models.Model):
    """A call for projects (公益创投) of a fund: open for applications between two dates, then
    reviewed by its panel and awarded within its budget."""

    class Status(models.TextChoices):
        OPEN = "open", _("征集中")
        REVIEW = "review", _("评审中")
        CLOSED = "closed", _("已结束")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="calls")
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("说明"), max_length=2000)
    budget_fen = models.BigIntegerField(_("总预算（分）"))
    max_grant_fen = models.BigIntegerField(_("单个项目上限（分）"))
    closes_on = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("公益创投")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def place(self):
        return self.fund.place


class PanelSeat(models.Model):
    """A reviewer on a call's panel; a seat that withdrew (``ended_at``) no longer scores and
    its scores no longer count."""

    call = models.ForeignKey(GrantCall, on_delete=models.PROTECT, related_name="seats")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = MomentField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["call", "user"], name="civic_seat_once")]

    def __str__(self):
        return f"{self.call} · {self.user}"

    @property
    def place(self):
        return self.call.place


class Conflict(models.Model):
    """A reviewer's declaration: a conflict of interest with an organisation."""

    seat = models.ForeignKey(PanelSeat, on_delete=models.PROTECT, related_name="conflicts")
    organisation = models.ForeignKey(SocialOrganisation, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("原因"), max_length=200)
    declared_at = MomentField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["seat", "organisation"], name="civic_conflict_once")
        ]

    def __str__(self):
        return f"{self.seat} · {self.organisation}"

    @property
    def place(self):
        return self.seat.call.place


class Application(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已申报")
        AWARDED = "awarded", _("已立项")
        DECLINED = "declined", _("未立项")

    call = models.ForeignKey(GrantCall, on_delete=models.PROTECT, related_name="applications")
    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.PROTECT, related_name="applications"
    )
    title = models.CharField(_("项目名称"), max_length=100)
    summary = models.TextField(_("项目内容"), max_length=2000)
    requested_fen = models.BigIntegerField(_("申请金额（分）"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED
    )
    submitted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submitted_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["call", "organisation"], name="civic_apply_once")
        ]

    def __str__(self):
        return self.title

    @property
    def place(self):
        return self.organisation.community


class Score(models.Model):
    seat = models.ForeignKey(PanelSeat, on_delete=models.PROTECT, related_name="scores")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="scores")
    points = models.PositiveSmallIntegerField(_("评分"))
    comment = models.CharField(_("评语"), max_length=300, blank=True)
    scored_at = MomentField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["seat", "application"], name="civic_score_once")
        ]

    def __str__(self):
        return f"{self.application} · {self.points}"

    @property
    def place(self):
        return self.application.place


class Grant(models.Model):
    """An award: an application funded with an amount, paid by milestones."""

    application = models.OneToOneField(Application, on_delete=models.PROTECT, related_name="grant")
    amount_fen = models.BigIntegerField(_("资助金额（分）"))
    awarded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    awarded_at = MomentField(auto_now_add=True)

    def __str__(self):
        return self.application.title

    @property
    def place(self):
        return self.application.place


class Milestone(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("待完成")
        REPORTED = "reported", _("已报告")
        ACCEPTED = "accepted", _("已验收并拨付")

    grant = models.ForeignKey(Grant, on_delete=models.PROTECT, related_name="milestones")
    title = models.CharField(_("节点"), max_length=100)
    due_on = models.DateField(_("计划完成日期"))
    amount_fen = models.BigIntegerField(_("拨付金额（分）"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PLANNED
    )
    report = models.TextField(_("进展报告"), max_length=2000, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"{self.grant} · {self.title}"

    @property
    def place(self):
        return self.grant.place


class ServiceContract(CommunityRecord):
    """A purchase-of-service contract (承接政府转移职能): an organisation takes over an admitted
    item's work in its community, with the money that follows the work (费随事转). The contract
    points at the item's scope row for that community, so the database itself refuses a
    contract for work that was never admitted there."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("履行中")
        ENDED = "ended", _("已终止")

    organisation = models.ForeignKey(
        SocialOrganisation, on_delete=models.PROTECT, related_name="contracts"
    )
    scope = models.ForeignKey("admission.AdmittedScope", on_delete=models.PROTECT, related_name="+")
    content = models.TextField(_("服务内容"), max_length=2000)
    amount_fen = models.BigIntegerField(_("合同金额（分）"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.ACTIVE
    )
    signed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    signed_at = MomentField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("购买服务合同")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope"], condition=Q(status="active"), name="civic_one_contract_per_scope"
            )
        ]

    def __str__(self):
        return f"{self.organisation} · {self.scope}"

    def in_force(self, day) -> bool:
        return self.status == self.Status.ACTIVE and self.starts_on <= day <= self.ends_on


class ContractDelivery(CommunityRecord):
    """One piece of the organisation's delivery under a contract, recorded by its member: what
    was done, for how many residents, with what result — the contract's trace (留痕), as a
    task's traces are for a community."""

    contract = models.ForeignKey(
        ServiceContract, on_delete=models.PROTECT, related_name="deliveries"
    )
    day = models.DateField(_("服务日期"))
    content = models.CharField(_("服务内容"), max_length=500)
    served = models.PositiveIntegerField(_("服务人次"), default=0)
    result = models.TextField(_("服务结果"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = MomentField(auto_now_add=True)
    submit_token = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("购买服务履约记录")
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "submit_token"], name="civic_delivery_once")
        ]


class ContractRating(CommunityRecord):
    """A resident's rating of the organisation's service under a contract: one per resident per
    contract, changed by a new rating only through the service (the latest counts)."""

    contract = models.ForeignKey(ServiceContract, on_delete=models.PROTECT, related_name="ratings")
    score = models.PositiveSmallIntegerField(_("评分（1–5）"))
    comment = models.CharField(_("评价"), max_length=500, blank=True)
    rated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    rated_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("居民评价")
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "rated_by"], name="civic_rate_once")
        ]
