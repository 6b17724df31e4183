"""The shared registry: where people live, sourced facts about them, imports, one-table reports.

A person exists once, in core (core.Person: name, ID and mobile numbers, encrypted). The registry
adds buildings, houses and households, a person's residence, and *facts*: every value keeps its
source department, its time and its author. Each field has one owning department (一数一源);
a disagreeing source opens a conflict (数据打架) routed to the owner.

Every large table carries `district` (and `community` where it helps) for sharding by district.
"""

import time

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.clock import MomentField
from core.models import Department, Person, Place
from core.records import CommunityRecord, DistrictRecord


class GridRecord(CommunityRecord):
    """A record of a community that may also name the grid (网格) it lies in.

    Buildings, houses, households and residences: an import writes a million residences and
    about half as many of each of the others. Their place columns are copied from places that
    are never deleted (closed, not removed; the ORM's PROTECT still guards them), so, as for
    facts, the database does not check them row by row: those checks were about 40 % of the
    server's time writing a residence (bench registry_import, issue #19 item 7)."""

    district = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    community = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    grid = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_constraint=False,
    )  # fmt: skip

    class Meta:
        abstract = True


class Building(GridRecord):
    """A building (幢/栋) or courtyard address, in one grid."""

    address = models.CharField(_("楼栋地址"), max_length=200)
    created_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("楼栋")
        constraints = [
            models.UniqueConstraint(fields=["district", "address"], name="registry_building_unique")
        ]

    def __str__(self):
        return self.address


class Unit(models.Model):
    """A unit (单元) of a building."""

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units")
    number = models.CharField(_("单元"), max_length=20)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="registry_unit_unique")
        ]

    def __str__(self):
        return f"{self.building}{self.number}单元"


class House(GridRecord):
    """A dwelling (房屋): a room number in a building (and unit), or the whole courtyard."""

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="houses")
    unit = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT)
    number = models.CharField(_("房号"), max_length=20, blank=True)
    address = models.CharField(_("房屋地址"), max_length=200)

    class Meta:
        verbose_name = _("房屋")
        constraints = [
            models.UniqueConstraint(fields=["district", "address"], name="registry_house_unique")
        ]

    def __str__(self):
        return self.address


class Household(GridRecord):
    """A household (户) by its household number (户号)."""

    number = models.CharField(_("户号"), max_length=32)
    house = models.ForeignKey(House, null=True, blank=True, on_delete=models.PROTECT)
    address = models.CharField(_("户籍地址"), max_length=200, blank=True)
    created_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("户")
        constraints = [
            models.UniqueConstraint(fields=["district", "number"], name="registry_household_unique")
        ]

    def __str__(self):
        return self.number


class Residence(GridRecord):
    """Where a person lives: household and relation to the head, registered vs actual address.

    These columns mirror the person's current (owner-preferred) facts so lists and reports read
    one row; the facts keep the history and the sources.
    """

    # The community has no index of its own: the (community, grid) index leads with it.
    community = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    person = models.OneToOneField(Person, on_delete=models.PROTECT, related_name="residence")
    street = models.ForeignKey(
        Place, null=True, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    household = models.ForeignKey(
        Household, null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    relation = models.CharField(_("与户主关系"), max_length=20, blank=True)
    registered_address = models.CharField(_("户籍地址"), max_length=200, blank=True)
    actual_address = models.CharField(_("现住地址"), max_length=200, blank=True)
    house = models.ForeignKey(House, null=True, blank=True, on_delete=models.PROTECT)
    separated = models.BooleanField(_("人户分离"), default=False)
    updated_at = MomentField(auto_now=True)

    class Meta:
        verbose_name = _("居住信息")
        indexes = [models.Index(fields=["community", "grid"])]

    def __str__(self):
        return f"{self.person} @ {self.community}"


class Organisation(models.Model):
    """An organisation or business, by its unified social credit code (统一社会信用代码)."""

    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("名称"), max_length=100)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    kind = models.CharField(_("类型"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    created_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("单位")
        ordering = ["name"]

    def __str__(self):
        return self.name


class FieldKind(models.TextChoices):
    TEXT = "text", _("文字")
    DATE = "date", _("日期")
    FLAG = "flag", _("是/否")
    MONEY = "money", _("金额（分）")
    PHONE = "phone", _("电话")


class Field(models.Model):
    """One field of the field registry, with its owning department (一数一源).

    `owner` empty means the community collects it. `core_attr` names the core.Person attribute
    a field lives on (name, gender, birth_date, id_number, mobile) when core holds it.
    """

    district = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="+")
    key = models.CharField(_("字段代码"), max_length=40)
    label = models.CharField(_("字段名"), max_length=40)
    aliases = models.CharField(_("别名"), max_length=200, blank=True)
    kind = models.CharField(_("类型"), max_length=10, choices=FieldKind.choices, default="text")
    owner = models.ForeignKey(
        Department, verbose_name=_("权威来源部门"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )  # fmt: skip
    sensitive = models.BooleanField(_("敏感"), default=False)
    is_tag = models.BooleanField(_("状态标签"), default=False)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("字段")
        ordering = ["order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["district", "key"], name="registry_field_unique")
        ]

    def __str__(self):
        return self.label

    @property
    def owner_label(self) -> str:
        return self.owner.name if self.owner_id else str(_("社区采集"))

    def names(self) -> set[str]:
        return {self.label, *[a for a in self.aliases.split() if a]}


class Fact(models.Model):
    """One value of one field about one person, with source, time and author.

    `value_hash` (keyed, of the normalised value) is what comparisons use; sensitive values are
    kept only encrypted (`value_enc`) and shown masked (`value`). `is_current` marks the value
    shown: the owner's, or while the owner holds none, the first one recorded.
    """

    # Facts are the registry's largest table: an import of a district writes ten million. The
    # columns saying where a fact was recorded and from whom (district, community, source,
    # author, batch) are copied from rows that are never deleted (places, departments, users
    # and batches are closed, not removed; the ORM's PROTECT still guards them), so the
    # database does not check them row by row: those checks made each fact four times as
    # slow to write. Person and field went the same way (issue #19 item 7): people and fields
    # are never deleted either (PROTECT, enforced by the ORM whatever the database checks),
    # facts are only ever written for a person and field just read or inserted in the same
    # transaction, and the check of those two keys, row by row, took two thirds of the
    # server's time writing a fact (227,977 facts/s unchecked against 73,158/s checked, bench
    # registry_import). Nothing looks facts up by district, community alone or batch, so
    # those columns have no indexes either; and person and field none of their own: the
    # (person, field, is_current) and (field, is_current, community) indexes lead with them.
    district = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    community = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False, db_constraint=False,
    )  # fmt: skip
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="facts", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="facts", db_index=False, db_constraint=False
    )
    value = models.CharField(_("值"), max_length=200)
    value_hash = models.CharField(max_length=64)
    value_enc = models.TextField(blank=True)
    source = models.ForeignKey(
        Department, verbose_name=_("来源部门"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False,
    )  # fmt: skip
    source_label = models.CharField(_("来源"), max_length=100)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    batch = models.ForeignKey(
        "ImportBatch", null=True, blank=True, on_delete=models.PROTECT, related_name="facts",
        db_index=False, db_constraint=False,
    )  # fmt: skip
    recorded_at = MomentField(_("时间"), auto_now_add=True)
    is_current = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("数据项")
        ordering = ["-recorded_at", "-id"]
        indexes = [
            models.Index(fields=["person", "field", "is_current"]),
            models.Index(fields=["field", "is_current", "community"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "field"],
                condition=Q(is_current=True),
                name="registry_fact_one_current",
            )
        ]

    def __str__(self):
        return f"{self.person} {self.field}: {self.value}"


class Conflict(CommunityRecord):
    """Two sources disagree on a fact (数据打架); routed to the field's owning department."""

    class Status(models.TextChoices):
        OPEN = "open", _("待核实")
        SETTLED = "settled", _("已核定")

    community = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="+")
    owner = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    shown = models.ForeignKey(Fact, on_delete=models.PROTECT, related_name="+")
    challenger = models.ForeignKey(Fact, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_at = MomentField(auto_now_add=True)
    settled_at = models.DateTimeField(null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("核定说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("数据冲突")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self):
        return f"{self.person} {self.field}"


class ImportSource(DistrictRecord):
    """A kind of file a department sends, with its saved column mapping."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("数据来源名称"), max_length=100)
    # {"column header as in the file": "field key or structural key"}
    mapping = models.JSONField(default=dict, blank=True)
    created_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("导入来源")
        ordering = ["department", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["department", "name"], name="registry_import_source_unique"
            )
        ]

    def __str__(self):
        return f"{self.department} · {self.name}"


def _upload_to(instance, filename):
    return f"registry/imports/{instance.district_id}/{filename}"


class ImportBatch(DistrictRecord):
    """One uploaded file: checked in a dry run, then committed whole or not at all."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("排队中")
        CHECKING = "checking", _("检查中")
        CHECKED = "checked", _("已检查")
        REJECTED = "rejected", _("无法读取")
        COMMITTING = "committing", _("导入中")
        COMMITTED = "committed", _("已导入")
        DUPLICATE = "duplicate", _("重复文件")
        INTERRUPTED = "interrupted", _("已中断")

    source = models.ForeignKey(ImportSource, on_delete=models.PROTECT, related_name="batches")
    file = models.FileField(upload_to=_upload_to, max_length=300)
    filename = models.CharField(_("文件名"), max_length=200)
    file_hash = models.CharField(max_length=64, db_index=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    message = models.TextField(blank=True)
    rows_expected = models.PositiveIntegerField(default=0)  # estimated before the dry run
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    rows_ok = models.PositiveIntegerField(default=0)
    rows_bad = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_to_confirm = models.PositiveIntegerField(default=0)
    headers = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = MomentField(auto_now_add=True)
    committed_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("导入批次")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.filename

    @property
    def progress(self) -> tuple[int, int]:
        """(rows done, rows to do) of the step under way: the dry run counts the rows read
        against the estimate made from the file; the commit counts the rows written (kept
        outside its transaction, see registry.progress) against the rows it applies."""
        if self.status == self.Status.CHECKING:
            return self.rows_done, max(self.rows_expected, self.rows_done)
        if self.status == self.Status.COMMITTING:
            from registry import progress

            todo = self.rows_total - self.rows_unchanged
            return min(progress.get_done(self.pk), todo), todo
        if self.status == self.Status.QUEUED:
            return 0, self.rows_expected
        return self.rows_done, self.rows_total

    @property
    def minutes_left(self) -> int | None:
        """About how many minutes the running step still needs, at the pace it has kept so
        far (None until it has run a few seconds and done some rows, or when not running)."""
        if self.status not in (self.Status.CHECKING, self.Status.COMMITTING):
            return None
        from registry import progress

        done, total = self.progress
        started = progress.get_started(self.pk)
        elapsed = time.time() - started if started else 0
        if done <= 0 or elapsed < 5 or total <= done:
            return None
        return round((total - done) * elapsed / done / 60)

    @property
    def percent(self) -> int:
        done, total = self.progress
        return min(100, int(100 * done / total)) if total else 0

    @property
    def stalled(self) -> bool:
        """Running, but its worker stopped beating (registry.progress.lease)."""
        from core import heartbeat
        from registry import progress

        if self.status not in (self.Status.CHECKING, self.Status.COMMITTING):
            return False
        step = "check" if self.status == self.Status.CHECKING else "commit"
        return heartbeat.is_dead(progress.lease(self.pk, step))

    @property
    def can_commit(self) -> bool:
        return (
            self.status == self.Status.CHECKED
            and self.rows_bad == 0
            and self.rows_to_confirm == 0
            and self.rows_ok > 0
        )


class ImportRow(models.Model):
    """One data row of a batch after the dry run: its cleaned values, errors and match."""

    class Status(models.TextChoices):
        OK = "ok", _("可导入")
        BAD = "bad", _("有错误")
        CONFIRM = "confirm", _("待确认")
        UNCHANGED = "unchanged", _("无变化")

    batch = models.ForeignKey(
        ImportBatch, on_delete=models.CASCADE, related_name="rows", db_index=False
    )  # the (batch, status) index leads with it
    line = models.PositiveIntegerField(_("行号"))
    key = models.CharField(max_length=64)
    status = models.CharField(max_length=10, choices=Status.choices)
    errors = models.JSONField(default=list, blank=True)
    # Cleaned values; sensitive ones only encrypted ("*_enc") and masked.
    data = models.JSONField(default=dict, blank=True)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT)
    candidates = models.JSONField(default=list, blank=True)  # [person ids]
    create_new = models.BooleanField(default=False)

    class Meta:
        ordering = ["line"]
        indexes = [models.Index(fields=["batch", "status"])]

    def __str__(self):
        return f"{self.batch_id}:{self.line}"


class ReportForm(DistrictRecord):
    """A one-table report (一表通) a department registers, and its state in the forms ledger."""

    class Status(models.TextChoices):
        KEPT = "kept", _("保留")
        STOPPED = "stopped", _("停用")
        MERGED = "merged", _("已合并")

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("报表名称"), max_length=100)
    fields = models.ManyToManyField(Field, through="ReportColumn", related_name="+")
    # {"tags": ["elderly", ...], "min_age": 80, "max_age": null}
    population = models.JSONField(_("统计对象"), default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.KEPT)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = MomentField(auto_now_add=True)

    class Meta:
        verbose_name = _("报表")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.name


class ReportColumn(models.Model):
    report = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="columns")
    field = models.ForeignKey(Field, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()
    title = models.CharField(_("列标题"), max_length=40)

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return self.title


class LedgerEntry(models.Model):
    """The forms ledger (报表台账): every form registered, kept, stopped or merged, and why."""

    report = models.ForeignKey(ReportForm, on_delete=models.PROTECT, related_name="ledger")
    action = models.CharField(max_length=12)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.report} {self.action}"

    ACTIONS = {
        "registered": _("登记"),
        "kept": _("保留"),
        "stopped": _("停用"),
        "merged": _("合并"),
    }

    @property
    def action_label(self) -> str:
        return str(self.ACTIONS.get(self.action, self.action))


class SharingGrant(DistrictRecord):
    """A data-sharing authorisation: which fields a department may read, for what purpose."""

    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    fields = models.ManyToManyField(Field, related_name="+")
    purpose = models.CharField(_("用途"), max_length=100)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = MomentField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("数据共享授权")
        ordering = ["department", "purpose"]

    def __str__(self):
        return f"{self.department} · {self.purpose}"
