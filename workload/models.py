"""Work that reaches communities, only through the admission gate, and the traces it leaves.

The gate is structural. A ``Task`` must point at an ``AdmittedScope`` row — one (admitted item,
community) pair that exists only because the coordinator admitted the item for that community
— and at the same item and community as that row. The service checks this first with a clear
message; a database trigger (migration 0002, SQLite and PostgreSQL) refuses any row that
bypasses the service: a scope of another item or community, or an item that has left the
catalogue.

Every action on work writes a ``Trace`` in the same transaction; ledgers (台账) and the burden
index are computed from traces and tasks, never typed by hand.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.clock import MomentField, shown
from core.models import Department, Place
from core.records import CommunityRecord


class Task(CommunityRecord):
    class Status(models.TextChoices):
        OPEN = "open", _("待办")
        DONE = "done", _("已完成")
        REFUSED = "refused", _("已拒绝")

    street = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(
        "admission.AdmittedItem",
        verbose_name=_("准入事项"),
        on_delete=models.PROTECT,
        related_name="tasks",
    )
    scope = models.ForeignKey(
        "admission.AdmittedScope", on_delete=models.PROTECT, related_name="tasks"
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("任务"), max_length=200)
    description = models.TextField(_("要求"), blank=True)
    due_at = models.DateTimeField(_("完成期限"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default="open")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = MomentField(auto_now_add=True)
    # The same dispatch form sent twice carries the same token: one task per community.
    dispatch_token = models.CharField(max_length=64)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    minutes_spent = models.PositiveIntegerField(_("实际用时（分钟）"), default=0)
    result = models.TextField(_("办理情况"), blank=True)
    # How closely the title and requirements match the admitted item (0–100, the admission
    # checks' similarity), and the sender's reason when they match only partly (the district
    # coordinators see it). Nullable so the columns are added without rebuilding the table on
    # SQLite (which would drop the gate's triggers); tasks sent before the check have none.
    match_percent = models.PositiveSmallIntegerField(_("与准入事项的相符度"), null=True, blank=True)
    mismatch_reason = models.TextField(_("内容不完全相符的理由"), null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["community", "status", "due_at"]),
            models.Index(fields=["district", "created_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "dispatch_token"], name="workload_task_dispatch_once"
            ),
            models.CheckConstraint(
                condition=Q(status="open", closed_at__isnull=True)
                | (~Q(status="open") & Q(closed_at__isnull=False)),
                name="workload_task_closed_iff_not_open",
            ),
        ]

    def __str__(self):
        return self.title


class RefusedWork(CommunityRecord):
    """Work pushed onto a community without admission, refused by it (a right), counted
    against the body that pushed it: a district department or the street office
    (``department.street`` set, see admission.offices)."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("电话")
        MESSAGE = "message", _("工作群/短信")
        DOCUMENT = "document", _("文件/通知")
        MEETING = "meeting", _("会议布置")
        VISIT = "visit", _("上门要求")
        TASK = "task", _("平台任务")

    street = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, verbose_name=_("派活单位"), on_delete=models.PROTECT, related_name="+"
    )
    task = models.OneToOneField(
        Task, null=True, blank=True, on_delete=models.PROTECT, related_name="refusal"
    )
    channel = models.CharField(_("方式"), max_length=16, choices=Channel.choices)
    description = models.TextField(_("被要求做的事"))
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    refused_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["-refused_at", "-id"]
        indexes = [models.Index(fields=["district", "refused_at"])]

    def __str__(self):
        return f"{self.department} → {self.community}"


class Trace(CommunityRecord):
    """留痕, kept automatically: one row per action on work in a community."""

    class Action(models.TextChoices):
        ASSIGNED = "assigned", _("任务下达")
        COMPLETED = "completed", _("任务完成")
        REFUSED = "refused", _("拒绝任务")
        REFUSED_UNADMITTED = "refused_unadmitted", _("拒绝未准入事项")

    task = models.ForeignKey(
        Task, null=True, blank=True, on_delete=models.PROTECT, related_name="traces"
    )
    item = models.ForeignKey(
        "admission.AdmittedItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=24, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    actor_name = models.CharField(max_length=150)
    at = MomentField(auto_now_add=True)
    minutes = models.PositiveIntegerField(default=0)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["community", "at"]),
            models.Index(fields=["district", "at"]),
        ]

    def __str__(self):
        return f"{self.get_action_display()} {shown(self.at, '%Y-%m-%d')}"


class TimeLog(CommunityRecord):
    """Time a community spends on services to residents or on self-government, logged quickly
    by its workers while no other app records it (apps may add theirs through
    workload.hooks). Administration time is never logged here: it comes from tasks."""

    class Category(models.TextChoices):
        SERVICE = "service", _("为民服务")
        SELF_GOVERNMENT = "self_government", _("居民自治")

    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    day = models.DateField(_("日期"))
    minutes = models.PositiveIntegerField(_("用时（分钟）"))
    note = models.CharField(_("做了什么"), max_length=200)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    logged_at = MomentField(auto_now_add=True)
    submit_token = models.CharField(max_length=64)

    class Meta:
        ordering = ["-day", "-id"]
        indexes = [models.Index(fields=["community", "day"])]
        constraints = [
            models.UniqueConstraint(
                fields=["logged_by", "submit_token"], name="workload_timelog_once"
            ),
            models.CheckConstraint(condition=Q(minutes__gt=0), name="workload_timelog_minutes"),
        ]

    def __str__(self):
        return f"{self.get_category_display()} {self.minutes}"


class BurdenMonth(CommunityRecord):
    """One community's month of the burden index, kept by the workload services in the same
    transaction as the task, refusal or time log it counts (rebuilt from them by
    services.burden_rebuild, which the tests compare with a recount). Months are local
    (Asia/Shanghai); a task counts in the month it was sent."""

    month = models.DateField()
    tasks = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    forms = models.PositiveIntegerField(default=0)
    inspections = models.PositiveIntegerField(default=0)
    meetings = models.PositiveIntegerField(default=0)
    estimated_minutes = models.BigIntegerField(default=0)
    logged_minutes = models.BigIntegerField(default=0)
    # Estimated minutes of the month's tasks not done (still open, or refused).
    open_estimate_minutes = models.BigIntegerField(default=0)
    refused_unadmitted = models.PositiveIntegerField(default=0)
    service_minutes = models.BigIntegerField(default=0)
    self_government_minutes = models.BigIntegerField(default=0)

    COUNTS = (
        "tasks", "done", "forms", "inspections", "meetings", "estimated_minutes",
        "logged_minutes", "open_estimate_minutes", "refused_unadmitted", "service_minutes",
        "self_government_minutes",
    )  # fmt: skip

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["community", "month"], name="workload_burden_month")
        ]
        indexes = [models.Index(fields=["district", "month"])]

    def __str__(self):
        return f"{self.community_id} {self.month:%Y-%m}"
