"""The admission gate (准入): the published lists, admission requests, and the admitted catalogue.

Lists are versioned per district and kind. A version is a draft until it is published with an
effective date; the list in force on a day is the published version with the latest effective
date on or before that day, so a list published for next month takes over by itself.

A request that passes review becomes an ``AdmittedItem`` with one ``AdmittedScope`` row per
community it may reach. Workload tasks point at the scope row, so the database itself refuses
a task for a community outside an admitted item (see workload.models.Task).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.clock import MomentField
from core.models import Department, Place
from core.records import CommunityRecord, DistrictRecord


class ListKind(models.TextChoices):
    DUTY = "duty", _("依法履职事项")
    ASSISTANCE = "assistance", _("依法协助事项")
    NEGATIVE = "negative", _("不应承担事项（负面清单）")
    CERTIFICATE = "certificate", _("证明事项")
    POWER = "power", _("街道办事处权力清单")


# The categories an entry may carry, per list kind ("" = free text allowed).
class PowerCategory(models.TextChoices):
    BASIC = "basic", _("基本履职")
    COOPERATIVE = "cooperative", _("配合履职")
    WITHDRAWN = "withdrawn", _("上级收回")


class CertificateCategory(models.TextChoices):
    MUST_NOT_ISSUE = "must_not_issue", _("社区不应出具")
    MAY_ISSUE = "may_issue", _("社区可以出具")


class ListVersion(DistrictRecord):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    kind = models.CharField(_("清单"), max_length=16, choices=ListKind.choices)
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    effective_from = models.DateField(_("生效日期"), null=True, blank=True)
    source = models.CharField(_("依据"), max_length=300, blank=True)
    note = models.TextField(_("修订说明"), blank=True)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = MomentField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["district", "kind", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "kind", "number"], name="admission_list_version_unique"
            ),
            models.UniqueConstraint(
                fields=["district", "kind"],
                condition=Q(status="draft"),
                name="admission_list_one_draft",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(effective_from__isnull=False),
                name="admission_list_published_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} 第{self.number}版"


class ListEntry(models.Model):
    """One entry of one version. `key` stays the same across versions, so versions compare."""

    version = models.ForeignKey(ListVersion, on_delete=models.PROTECT, related_name="entries")
    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=ListKind.choices)
    key = models.CharField(_("编号"), max_length=32)
    title = models.CharField(_("事项名称"), max_length=200)
    category = models.CharField(_("类别"), max_length=100, blank=True)
    legal_basis = models.TextField(_("法律政策依据"), blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("责任部门"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    # Certificates: who handles it instead. Other lists: the owning body named in words.
    handled_by = models.CharField(_("办理机关"), max_length=200, blank=True)
    # Negative list: words that, found in an application, match it (comma separated).
    keywords = models.CharField(_("匹配关键词"), max_length=300, blank=True)
    note = models.TextField(_("说明"), blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "position", "key"]
        constraints = [
            models.UniqueConstraint(fields=["version", "key"], name="admission_entry_key_unique")
        ]

    def __str__(self):
        return f"{self.key} {self.title}"

    COMPARED = ("title", "category", "legal_basis", "department_id", "handled_by", "keywords")

    def keyword_list(self) -> list[str]:
        return [k.strip() for k in self.keywords.replace("，", ",").split(",") if k.strip()]

    def category_label(self) -> str:
        for choices in (PowerCategory, CertificateCategory):
            if self.category in choices.values:
                return str(choices(self.category).label)
        return self.category


class AdmissionPolicy(models.Model):
    """A district's settings for admission review (editable by its administrator)."""

    district = models.OneToOneField(Place, on_delete=models.PROTECT, related_name="+")
    review_working_days = models.PositiveSmallIntegerField(_("审核期限（工作日）"), default=15)
    updated_at = MomentField(auto_now=True)

    def __str__(self):
        return f"{self.district} {self.review_working_days}"


class WorkKind(models.TextChoices):
    WORK_ITEM = "work_item", _("工作事项")
    FORM = "form", _("报表/台账")
    INSPECTION = "inspection", _("督查检查考核")
    MEETING = "meeting", _("会议（要求社区参加）")
    APP = "app", _("APP/平台/公众号")


class Frequency(models.TextChoices):
    ONCE = "once", _("一次性")
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    YEARLY = "yearly", _("每年")


class JointMeeting(DistrictRecord):
    """A joint meeting (联席会议) of the district's departments that decides admission requests
    the coordinator has prepared. Its attendees, departments and date stay with every decision."""

    number = models.CharField(_("会议编号"), max_length=32, unique=True)
    held_on = models.DateField(_("会议日期"))
    attendees = models.TextField(_("出席人员"))
    departments = models.ManyToManyField(Department, related_name="+", verbose_name=_("参会部门"))
    note = models.TextField(_("会议纪要"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = MomentField(auto_now_add=True)
    # The same form posted twice carries the same token.
    submit_token = models.CharField(max_length=64)

    class Meta:
        ordering = ["-held_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "submit_token"], name="admission_meeting_record_once"
            )
        ]

    def __str__(self):
        return f"{self.number}（{self.held_on:%Y-%m-%d}）"

    def attendee_list(self) -> list[str]:
        return [line for line in self.attendees.splitlines() if line.strip()]


class AdmissionRequest(DistrictRecord):
    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", _("材料不全")
        UNDER_REVIEW = "under_review", _("审核中")
        PREPARED = "prepared", _("待联席会议审议")
        REFUSED_NEGATIVE = "refused_negative", _("负面清单，不予准入")
        APPROVED = "approved", _("准入")
        APPROVED_WITH_CONDITIONS = "approved_conditions", _("附条件准入")
        REFUSED = "refused", _("不予准入")
        WITHDRAWN = "withdrawn", _("已撤回")

    OPEN = (Status.INCOMPLETE, Status.UNDER_REVIEW, Status.PREPARED)
    # Waiting for the coordinator or the joint meeting, on the review deadline.
    IN_REVIEW = (Status.UNDER_REVIEW, Status.PREPARED)
    DECIDED = (
        Status.REFUSED_NEGATIVE,
        Status.APPROVED,
        Status.APPROVED_WITH_CONDITIONS,
        Status.REFUSED,
    )

    department = models.ForeignKey(
        Department, verbose_name=_("申请部门"), on_delete=models.PROTECT, related_name="+"
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("编号"), max_length=32, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=WorkKind.choices)
    title = models.CharField(_("事项名称"), max_length=200)
    description = models.TextField(_("内容"), blank=True)
    legal_basis = models.TextField(_("法律政策依据"), blank=True)
    cited_entry = models.ForeignKey(
        ListEntry, verbose_name=_("对应清单事项"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    communities = models.ManyToManyField(Place, related_name="+", verbose_name=_("涉及社区"))
    frequency = models.CharField(_("频次"), max_length=16, choices=Frequency.choices)
    minutes_per_community = models.PositiveIntegerField(_("每社区预计用时（分钟）"))
    funding_fen = models.PositiveBigIntegerField(_("随事转移经费（分）"), default=0)
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    status = models.CharField(_("状态"), max_length=24, choices=Status.choices)
    # A form or report: the fields it asks communities to fill (compared with the district's
    # registered forms at submission).
    form_fields = models.JSONField(_("报表字段"), default=list, blank=True)
    # An inspection: the materials it needs, told once (一次性告知), and its criteria (never
    # photos, meetings held or documents issued). Nullable: added without rebuilding the table.
    materials = models.JSONField(_("所需材料（一次性告知）"), null=True, blank=True)
    criteria = models.JSONField(_("检查考核标准"), null=True, blank=True)
    # What the automatic checks found: [{"kind": ..., "message": ..., "ref": ...}]
    findings = models.JSONField(default=list, blank=True)
    matched_negative = models.ForeignKey(
        ListEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    review_due_at = models.DateTimeField(null=True, blank=True)
    # The coordinator's preparation (初审) for the joint meeting.
    preparation = models.TextField(_("初审意见"), blank=True)
    prepared_at = models.DateTimeField(null=True, blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    meeting = models.ForeignKey(
        JointMeeting, verbose_name=_("联席会议"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="decisions",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reasons = models.TextField(_("理由"), blank=True)
    conditions = models.TextField(_("附加条件"), blank=True)
    appeal = models.TextField(_("申诉理由"), blank=True)
    appealed_at = models.DateTimeField(null=True, blank=True)
    # A double submit of the same form carries the same token and hits this constraint.
    submit_token = models.CharField(max_length=64)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [models.Index(fields=["district", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["applicant", "submit_token"], name="admission_request_submit_once"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="admission_request_period_order",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_approved(self) -> bool:
        return self.status in (self.Status.APPROVED, self.Status.APPROVED_WITH_CONDITIONS)


class AdmittedItem(DistrictRecord):
    """The admitted catalogue (准入目录): work that may reach the communities in its scope."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("有效")
        WITHDRAWN = "withdrawn", _("已退出")

    request = models.OneToOneField(
        AdmissionRequest, on_delete=models.PROTECT, related_name="admitted_item"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("准入编号"), max_length=32, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=WorkKind.choices)
    title = models.CharField(_("事项名称"), max_length=200)
    legal_basis = models.TextField(_("法律政策依据"), blank=True)
    cited_entry = models.ForeignKey(
        ListEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    frequency = models.CharField(_("频次"), max_length=16, choices=Frequency.choices)
    minutes_per_community = models.PositiveIntegerField(_("每社区预计用时（分钟）"))
    funding_fen = models.PositiveBigIntegerField(_("随事转移经费（分）"))
    period_start = models.DateField(_("起始日期"))
    period_end = models.DateField(_("截止日期"))
    conditions = models.TextField(_("附加条件"), blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    admitted_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reasons = models.TextField(_("退出理由"), blank=True)

    class Meta:
        ordering = ["-admitted_at", "-id"]
        indexes = [models.Index(fields=["district", "status"])]

    def __str__(self):
        return f"{self.number} {self.title}"


class AdmittedScope(CommunityRecord):
    """One community an admitted item may reach. Tasks reference this row."""

    item = models.ForeignKey(AdmittedItem, on_delete=models.PROTECT, related_name="scopes")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "community"], name="admitted_scope_unique")
        ]

    def __str__(self):
        return f"{self.item.number} → {self.community}"


class CertificateAnswer(CommunityRecord):
    """A certificate asked for at a community, answered from the certificate list: issued (a
    numbered certificate with a verification code) or redirected to the authority that handles
    it — each redirect is a deflection the community no longer carries."""

    class Outcome(models.TextChoices):
        REDIRECTED = "redirected", _("已引导至办理机关")
        ISSUED = "issued", _("已出具")

    street = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(
        ListEntry, verbose_name=_("证明事项"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("结果"), max_length=16, choices=Outcome.choices)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    asked_at = MomentField(auto_now_add=True)
    handled_by = models.CharField(_("办理机关"), max_length=200, blank=True)
    subject_name = models.CharField(_("证明对象"), max_length=50, blank=True)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    number = models.CharField(_("证明编号"), max_length=40, null=True, blank=True, unique=True)
    verification_code = models.CharField(max_length=16, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-asked_at", "-id"]
        indexes = [models.Index(fields=["community", "asked_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="redirected", number__isnull=True)
                | Q(outcome="issued", number__isnull=False, verification_code__isnull=False),
                name="certificate_number_iff_issued",
            )
        ]

    def __str__(self):
        return f"{self.entry.title} {self.get_outcome_display()}"


class AdmittedForm(DistrictRecord):
    """A report form communities must fill (``registry.ReportForm``) and the admitted item of
    kind form it stands on (一表通 through the gate). Linked when the form is registered, or by
    the district's coordinator in the forms ledger for a form registered before the gate."""

    report = models.OneToOneField(
        "registry.ReportForm", on_delete=models.PROTECT, related_name="admission"
    )
    item = models.ForeignKey(
        AdmittedItem, verbose_name=_("准入事项"), on_delete=models.PROTECT, related_name="forms"
    )
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = MomentField(auto_now_add=True)
    # True when the coordinator linked a form registered before the gate (the migration path).
    after_the_fact = models.BooleanField(default=False)

    class Meta:
        ordering = ["-linked_at", "-id"]

    def __str__(self):
        return f"{self.item.number} → {self.report_id}"


# Caps, inspection plans, inspections and their ratings, meetings and documents (issue #13
# items 4 and 5) live in their own module; importing them here makes them admission's models.
from admission.models_formalism import (  # noqa: E402, F401
    CapKind,
    CapPer,
    GateCap,
    Inspection,
    InspectionPlan,
    InspectionRating,
    SentDown,
)
