"""One-network service handling: the catalogue, resident requests and their lifecycle, Open311.

A request is a state machine (services.steps), every step a ``RequestEvent`` on its timeline.
Requests keep district / street / community / grid on the row (one indexed prefix per list)."""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.clock import MomentField, shown
from core.models import Department, Person, Place
from core.records import DistrictRecord
from services.level_models import Level


class Category(models.TextChoices):
    """Request classes after GB/T 39666-2020 (hotline request classification)."""

    ENQUIRY = "enquiry", _("咨询")
    HELP = "help", _("求助")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")
    SUGGESTION = "suggestion", _("建议")
    PRAISE = "praise", _("表扬")


class Applicant(models.TextChoices):
    ANYONE = "anyone", _("任何人")
    RESIDENT = "resident", _("本辖区居民")
    STAFF = "staff", _("工作人员代办")


class FieldType(models.TextChoices):
    """The Open311 datatypes; pages render each as the matching input."""

    STRING = "string", _("单行文本")
    TEXT = "text", _("多行文本")
    NUMBER = "number", _("数字")
    DATETIME = "datetime", _("日期时间")
    SINGLE = "singlevaluelist", _("单选")
    MULTI = "multivaluelist", _("多选")


class ServiceItem(DistrictRecord):
    """One item of the service catalogue (事项目录). Edits bump ``version``; a request keeps the
    version it was filed under, with the field definitions it was answered against."""

    code = models.CharField(_("事项编码"), max_length=32)
    name = models.CharField(_("事项名称"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    group = models.CharField(_("领域"), max_length=50, blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    lead_department = models.ForeignKey(
        Department, verbose_name=_("主办部门"), on_delete=models.PROTECT, related_name="+"
    )
    co_departments = models.ManyToManyField(
        Department, verbose_name=_("协办部门"), blank=True, related_name="+"
    )
    materials = models.TextField(_("所需材料"), blank=True)
    # [{"code", "label", "datatype", "required", "order", "help", "values": [[key, name], ...]}]
    fields = models.JSONField(_("表单字段"), default=list, blank=True)
    acceptance_days = models.PositiveSmallIntegerField(_("受理时限（工作日）"), default=1)
    deadline_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"), default=3)
    applicant = models.CharField(
        _("申请人"), max_length=16, choices=Applicant.choices, default=Applicant.ANYONE
    )
    # About a person's circumstances (hardship relief, care for the elderly, wages owed …): the
    # public outputs (Open311 GET) name neither the item nor its department for its requests.
    handling_level = models.CharField(_("处置层级"), max_length=16, choices=Level.choices,
        default=Level.DEPARTMENT, help_text=_("诉求先由哪一级处置；处置不了的逐级上报"))  # fmt: skip
    sensitive = models.BooleanField(
        _("涉及个人情况"),
        default=False,
        help_text=_(
            "如困难救助、养老、残疾、健康、欠薪：对外公开的接口不显示该事项的名称和主办部门"
        ),
    )
    version = models.PositiveIntegerField(default=1)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = MomentField(auto_now_add=True)
    updated_at = MomentField(auto_now=True)

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["district", "code"]
        constraints = [
            models.UniqueConstraint(fields=["district", "code"], name="service_item_code_unique")
        ]

    def __str__(self):
        return self.name


class State(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("待派单")
    DISPATCHED = "dispatched", _("待签收")
    HANDLING = "handling", _("办理中")
    ANSWERED = "answered", _("已答复")
    CLOSED = "closed", _("已办结")
    VISITED = "visited", _("已回访")
    DISPUTED = "disputed", _("不满意待核实")
    RATED = "rated", _("已评价")
    REJECTED = "rejected", _("不予受理")
    MERGED = "merged", _("已并单")


OPEN_STATES = {State.SUBMITTED, State.ACCEPTED, State.DISPATCHED, State.HANDLING, State.ANSWERED}
FINAL_STATES = {State.RATED, State.REJECTED, State.MERGED}


class Channel(models.TextChoices):
    H5 = "h5", _("居民移动端")
    STAFF = "staff", _("工作人员代办")
    PATROL = "patrol", _("网格巡查上报")
    OPEN311 = "open311", _("Open311 接口")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class ServiceRequest(models.Model):
    """One resident request (诉求), from any channel, through its whole lifecycle."""

    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    street = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grid = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The most specific place known (grid, community, street or the district itself).
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    place_path = models.CharField(max_length=255, db_index=True)

    item = models.ForeignKey(
        ServiceItem, null=True, blank=True, on_delete=models.PROTECT, related_name="requests"
    )
    item_version = models.PositiveIntegerField(null=True, blank=True)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("诉求内容"), max_length=4000)
    # The distinct character grams of title and description (services.grams.of), written with
    # them; on PostgreSQL a GIN index over them answers word search (migration 0013).
    search_text = models.TextField(blank=True, default="", editable=False)
    answers = models.JSONField(_("表单内容"), default=dict, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    photo = models.FileField(_("照片"), upload_to="services/%Y/%m/", blank=True)
    media_url = models.URLField(_("媒体链接"), max_length=500, blank=True)

    resident = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone_masked = models.CharField(_("联系电话"), max_length=11, blank=True)
    # A keyed hash of the contact number's digits (services.search.phone_hash), for staff to
    # find requests by phone without the number being stored.
    contact_phone_hash = models.CharField(max_length=64, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    client_key = models.CharField(max_length=64, blank=True)
    token = models.CharField(max_length=32, unique=True)

    state = models.CharField(_("状态"), max_length=16, choices=State.choices, db_index=True)
    # Who handles it now (services.level_models): a department leads only at the last level.
    level = models.CharField(
        _("处置层级"), max_length=16, choices=Level.choices, default="department"
    )
    lead_department = models.ForeignKey(
        Department, verbose_name=_("主办部门"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    co_departments = models.ManyToManyField(
        Department, verbose_name=_("协办部门"), blank=True, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_requests"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = MomentField(auto_now=True)
    accept_due = models.DateTimeField(_("受理期限"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(_("办理期限"), null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(_("答复"), blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    visited_at = models.DateTimeField(null=True, blank=True)
    rating = models.CharField(_("评价"), max_length=16, choices=Rating.choices, blank=True)
    rating_note = models.CharField(_("评价说明"), max_length=500, blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    redo_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    warned_level = models.PositiveSmallIntegerField(default=0)  # 0 none, 1 yellow, 2 red

    class Meta:
        verbose_name = _("诉求")
        verbose_name_plural = _("诉求")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["district", "state"]),
            models.Index(fields=["lead_department", "state"]),
            models.Index(fields=["grid", "state"]),
            models.Index(
                fields=["contact_phone_hash"],
                condition=~Q(contact_phone_hash=""),
                name="service_request_phone_hash",
            ),
            # The few requests still waiting for acceptance (the metrics read them live).
            models.Index(
                fields=["accept_due"],
                condition=Q(accepted_at__isnull=True),
                name="service_request_unaccepted",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["submitted_by", "client_key"],
                condition=~Q(client_key=""),
                name="service_request_client_key_unique",
            )
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        """Save, and move this request's counts in the metrics summary (services.summary) in the
        same transaction."""
        from services import summary

        with transaction.atomic(savepoint=False):  # no extra round trips inside a service
            old = None
            if not self._state.adding:
                old = summary.snapshot_of_row(getattr(self, "_summary_row", None))
                if old is None:
                    old = summary.snapshot_from_db(self.pk)
            super().save(*args, **kwargs)
            new = summary.snapshot(self)
            self._summary_row = None
            if new is None:
                new = summary.snapshot_from_db(self.pk)
            else:
                self.remember_summary_row()
            summary.apply(old, new)

    def remember_summary_row(self) -> None:
        """Note what this request now counts for in the metrics summary, as saved (see save)."""
        from services import summary

        self._summary_row = {name: getattr(self, name) for name in summary.FIELDS}

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What this row counted for in the metrics summary, as loaded (see save).
        instance._summary_row = dict(zip(field_names, values, strict=True))
        return instance

    # ``number`` in SQL, of an id expression (for a statement that writes a request and names it
    # in the same breath: services.request_submit's audit row). At least 8 digits, never cut.
    NUMBER_SQL = "('SR' || lpad({id}::text, greatest(8, length({id}::text)), '0'))"

    @property
    def number(self) -> str:
        return f"SR{self.pk:08d}" if self.pk else ""

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def open311_status(self) -> str:
        return "open" if self.state in OPEN_STATES | {State.DISPUTED} else "closed"


class EventKind(models.TextChoices):
    SUBMIT = "submit", _("提交诉求")
    ACCEPT = "accept", _("受理")
    REJECT = "reject", _("不予受理")
    DISPATCH = "dispatch", _("派单")
    REDISPATCH = "redispatch", _("改派")
    SIGN = "sign", _("签收")
    RETURN_ASK = "return_ask", _("申请退单")
    RETURN_OK = "return_ok", _("同意退单")
    RETURN_NO = "return_no", _("驳回退单")
    OBJECT_ASK = "object_ask", _("派单异议")
    OBJECT_OK = "object_ok", _("异议成立，改派")
    OBJECT_NO = "object_no", _("异议不成立")
    EXTEND_ASK = "extend_ask", _("申请延期")
    EXTEND_OK = "extend_ok", _("同意延期")
    EXTEND_NO = "extend_no", _("驳回延期")
    PROGRESS = "progress", _("办理进展")
    ANSWER = "answer", _("答复")
    CLOSE = "close", _("办结")
    VISIT = "visit", _("回访")
    RATE = "rate", _("评价")
    REVIEW_UPHELD = "review_upheld", _("不满意属实，重办")
    REVIEW_DISMISSED = "review_dismissed", _("不满意不属实")
    MERGE = "merge", _("并单")
    MERGED_IN = "merged_in", _("并入重复诉求")
    WARN = "warn", _("预警")
    URGE = "urge", _("催办")
    PUBLISH = "publish", _("公开办理摘要")
    DEADLINE = "deadline", _("期限随日历调整")
    LOCAL_ACCEPT = "local_accept", _("属地受理")
    ESCALATE = "escalate", _("上报上一级")
    WHISTLE = "whistle", _("街道吹哨")
    REPORT = "report", _("部门报到")
    REPORT_RATE = "report_rate", _("评价部门报到")
    PROPERTY_ROUTE = "property_route", _("转物业")
    PROPERTY_RETURN = "property_return", _("物业退回社区")


class RequestEvent(models.Model):
    """One step on a request's timeline. Appended, never changed."""

    request = models.ForeignKey(ServiceRequest, on_delete=models.PROTECT, related_name="events")
    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    from_state = models.CharField(max_length=16, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=16, choices=State.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    actor_name = models.CharField(max_length=150, blank=True)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # ``note`` is the text for the resident (shown to them when the step is ``public``);
    # ``internal_note`` is staff-only (派单说明, 审核意见, 回访记录 …) and never reaches a resident's
    # page, API response, Open311 response or notice.
    note = models.TextField(_("给居民的说明"), blank=True)
    internal_note = models.TextField(_("内部说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)
    photo = models.FileField(_("照片"), upload_to="services/steps/%Y/%m/", blank=True)
    public = models.BooleanField(default=True)  # the step is shown to the resident
    at = MomentField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.request_id} {self.get_kind_display()}"


class RequestPublicText(models.Model):
    """What a dispatcher reviewed and published about a request for everyone (Open311 GET): a
    summary and a status note in their own words, never the resident's. Appended, never changed;
    the latest one is the one shown."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.PROTECT, related_name="public_texts"
    )
    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("公开摘要"), max_length=1000)
    status_notes = models.TextField(_("公开办理说明"), max_length=500, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    published_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("公开办理摘要")
        verbose_name_plural = _("公开办理摘要")
        ordering = ["-published_at", "-id"]

    def __str__(self):
        return f"{self.request_id} {shown(self.published_at, '%Y-%m-%d %H:%M')}"


class SavedSearch(models.Model):
    """A search of requests a staff member named and kept (查找诉求 → 保存筛选): the cleaned
    filters only (services.search.RequestQuery), never a result."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("名称"), max_length=30)
    query = models.JSONField(_("筛选条件"), default=dict)
    created_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("保存的筛选")
        verbose_name_plural = _("保存的筛选")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="saved_search_name_unique")
        ]

    def __str__(self):
        return self.name


class Application(models.Model):
    """A department's request that the dispatcher decides: 派单异议 (objection to a dispatch, before
    signing), 退单 (return) or 延期 (extension)."""

    class Kind(models.TextChoices):
        OBJECT = "object", _("派单异议")
        RETURN = "return", _("退单")
        EXTEND = "extend", _("延期")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        APPROVED = "approved", _("已同意")
        REFUSED = "refused", _("已驳回")

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.PROTECT, related_name="applications"
    )
    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("理由"))
    days = models.PositiveSmallIntegerField(_("延期工作日"), null=True, blank=True)
    # 派单异议: the department the objecting department believes is responsible (optional).
    suggested_department = models.ForeignKey(
        Department, verbose_name=_("建议承办部门"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = MomentField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "kind"],
                condition=Q(status="pending"),
                name="service_application_one_pending",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.request_id}"


class Open311Key(models.Model):
    """An Open311 api_key: a third-party app posting requests into one district.

    Only a hash of the key is kept. Requests it posts are recorded as submitted by ``account``
    (a system account per key), so the audit log shows which app filed them."""

    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("应用名称"), max_length=100)
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = MomentField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class OverdueList(models.Model):
    """The overdue list (超期清单) of one department on one working day, kept as it was."""

    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    day = models.DateField(_("日期"))
    count = models.PositiveIntegerField(_("超期件数"))
    # [{"id", "number", "title", "due_at", "days_late"}]
    items = models.JSONField(default=list)
    created_at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "department"]
        constraints = [
            models.UniqueConstraint(fields=["department", "day"], name="overdue_list_once_a_day")
        ]

    def __str__(self):
        return f"{self.department} {self.day} {self.count}"


class RoutingModel(models.Model):
    """A trained routing classifier for one district (token counts per department and class)."""

    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    trained_at = MomentField(auto_now_add=True)
    samples = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["-trained_at", "-id"]
        indexes = [models.Index(fields=["district", "trained_at"])]

    def __str__(self):
        return f"{self.district} {shown(self.trained_at, '%Y-%m-%d %H:%M')}"


class SummaryCounts(models.Model):
    """The bucket and counters shared by the daily and the weekly summary. Ids are plain
    integers (0 = none) so the bucket key is unique on every database."""

    district_id = models.PositiveIntegerField()
    street_id = models.PositiveIntegerField(default=0)
    community_id = models.PositiveIntegerField(default=0)
    department_id = models.PositiveIntegerField(default=0)
    category = models.CharField(max_length=16)
    # The path of the community (or street, or district) the bucket lies in, for scoping.
    place_path = models.CharField(max_length=255)
    total = models.IntegerField(default=0)
    accepted = models.IntegerField(default=0)
    unaccepted = models.IntegerField(default=0)
    responded = models.IntegerField(default=0)
    finished = models.IntegerField(default=0)
    rated = models.IntegerField(default=0)
    satisfied = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    on_time = models.IntegerField(default=0)
    handled = models.IntegerField(default=0)
    handling_seconds = models.BigIntegerField(default=0)

    class Meta:
        abstract = True


class RequestSummary(SummaryCounts):
    """Counts of requests per day × district × street × community × lead department × class,
    kept by ``ServiceRequest.save`` (see services.summary)."""

    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "day",
                    "district_id",
                    "street_id",
                    "community_id",
                    "department_id",
                    "category",
                ],
                name="request_summary_bucket",
            )
        ]
        indexes = [models.Index(fields=["district_id", "day"])]

    def __str__(self):
        return f"{self.day} {self.place_path} {self.department_id} {self.category}"


class RequestSummaryWeek(SummaryCounts):
    """The same counts per week (``week`` is its Monday, local time), kept in the same statement
    as the daily row: long windows (a year) read about a seventh of the rows."""

    week = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "week",
                    "district_id",
                    "street_id",
                    "community_id",
                    "department_id",
                    "category",
                ],
                name="request_summary_week_bucket",
            )
        ]
        indexes = [models.Index(fields=["district_id", "week"])]

    def __str__(self):
        return f"{self.week} {self.place_path} {self.department_id} {self.category}"


from services.level_models import PropertyRouting, Whistle  # noqa: E402,F401 - own module
from services.rule_table import ServiceRule  # noqa: E402,F401 - the rule table, its own module
