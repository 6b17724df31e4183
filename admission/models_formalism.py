"""Cutting formalism at the gate (issue #13 items 4 and 5): yearly caps on inspections,
meetings and documents (an editable rule table with its policy source), each department's
annual inspection plan (督查检查考核计划), the inspections that take place in a community —
several admitted inspection items merged into one visit (联合检查) — and the community's rating
of each (基层评机关); meetings communities are called to and documents sent down to them.

Imported at the end of ``admission.models``, so these are admission's models.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.clock import MomentField
from core.models import Department, Place
from core.records import CommunityRecord, DistrictRecord, SourcedRule


class CapKind(models.TextChoices):
    INSPECTION = "inspection", _("督查检查考核")
    MEETING = "meeting", _("要求社区参加的会议")
    DOCUMENT = "document", _("发往社区的文件")


class CapPer(models.TextChoices):
    DEPARTMENT = "department", _("每个部门（街道）每年")
    COMMUNITY = "community", _("每个社区每年")


class GateCap(SourcedRule):
    """A yearly cap on one kind of load, per sending body or per community, from a day on.
    The cap in force on a day is the row with the latest ``effective_from`` on or before it."""

    kind = models.CharField(_("类别"), max_length=16, choices=CapKind.choices)
    per = models.CharField(_("计算范围"), max_length=16, choices=CapPer.choices)
    yearly_limit = models.PositiveIntegerField(_("年度上限"))

    class Meta:
        ordering = ["kind", "per", "-effective_from", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "kind", "per", "effective_from"], name="admission_cap_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.get_per_display()} ≤ {self.yearly_limit}"


class InspectionPlan(DistrictRecord):
    """A department's (or street office's) plan of inspections of communities for one year:
    its admission requests of kind inspection for that year. Once the district approves it,
    an inspection outside the plan is refused at submission."""

    class Status(models.TextChoices):
        FILED = "filed", _("已报送")
        APPROVED = "approved", _("已批准")

    department = models.ForeignKey(
        Department, verbose_name=_("报送单位"), on_delete=models.PROTECT, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    total = models.PositiveIntegerField(_("计划督查检查项数"), default=0)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = MomentField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-year", "department__name"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year"], name="admission_plan_once")
        ]

    def __str__(self):
        return f"{self.department} {self.year}"


class Inspection(CommunityRecord):
    """An inspection that took place in a community: one visit for one or several admitted
    inspection items (several: a joint inspection, 联合检查/综合查一次)."""

    items = models.ManyToManyField(
        "admission.AdmittedItem", related_name="inspections", verbose_name=_("督查检查事项")
    )
    held_on = models.DateField(_("检查日期"))
    merged = models.BooleanField(_("联合检查"), default=False)
    # What the inspectors read, attached by the system from what Linli holds (一次性告知):
    # [{"label": ..., "url": ...}]; nothing is prepared by hand for the visit.
    materials = models.JSONField(default=list, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = MomentField(auto_now_add=True)
    submit_token = models.CharField(max_length=64)

    class Meta:
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["district", "held_on"])]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "submit_token"], name="admission_inspection_once"
            )
        ]

    def __str__(self):
        return f"{self.community} {self.held_on:%Y-%m-%d}"


class InspectionRating(CommunityRecord):
    """The community's rating of an inspection (基层评机关), public to the district."""

    inspection = models.OneToOneField(Inspection, on_delete=models.PROTECT, related_name="rating")
    score = models.PositiveSmallIntegerField(_("评分（1–5）"))
    burden_free = models.BooleanField(_("未要求准备迎检材料"), default=True)
    comment = models.CharField(_("评价说明"), max_length=500, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rated_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["-rated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1, score__lte=5), name="admission_rating_1_5"
            )
        ]

    def __str__(self):
        return f"{self.inspection} {self.score}"


class SentDown(DistrictRecord):
    """A meeting communities must attend or a document sent down to them (会议、文件), with who
    sent it, its length and the communities it reaches. A meeting stands on an admitted item of
    kind meeting; the yearly count per sender may only go down."""

    class Kind(models.TextChoices):
        MEETING = "meeting", _("会议")
        DOCUMENT = "document", _("文件")

    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("发出单位"), on_delete=models.PROTECT, related_name="+"
    )
    number = models.CharField(_("编号"), max_length=32, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    day = models.DateField(_("日期"))
    # A document's length in characters; a meeting's length in minutes.
    length_chars = models.PositiveIntegerField(_("字数"), default=0)
    minutes = models.PositiveIntegerField(_("会议时长（分钟）"), default=0)
    special_topic = models.BooleanField(_("专项工作文件"), default=False)
    item = models.ForeignKey(
        "admission.AdmittedItem", verbose_name=_("准入事项"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    communities = models.ManyToManyField(Place, related_name="+", verbose_name=_("涉及社区"))
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = MomentField(auto_now_add=True)
    submit_token = models.CharField(max_length=64)

    class Meta:
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["district", "kind", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["registered_by", "submit_token"], name="admission_sent_down_once"
            ),
            models.CheckConstraint(
                condition=Q(kind="document") | Q(item__isnull=False),
                name="admission_meeting_has_item",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"
