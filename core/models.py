"""The core of Linli: places, departments, people, accounts, roles, audit, calendar.

Every other app points at these: a person exists once, a place exists once.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.clock import MomentField, shown


class PlaceLevel(models.TextChoices):
    DISTRICT = "district", _("区")
    STREET = "street", _("街道")
    COMMUNITY = "community", _("社区")
    GRID = "grid", _("网格")


# Which level sits under which; the tree is always district → street → community → grid.
CHILD_LEVEL = {
    PlaceLevel.DISTRICT: PlaceLevel.STREET,
    PlaceLevel.STREET: PlaceLevel.COMMUNITY,
    PlaceLevel.COMMUNITY: PlaceLevel.GRID,
}


class Place(models.Model):
    """One node of the org tree.

    `path` is the chain of ids from the district ("/1/7/93/"), so a subtree is one indexed
    prefix query. `district` is kept on the row so large tables can shard by district.
    A place that merges or closes is never deleted: it becomes inactive and keeps its history.
    """

    level = models.CharField(_("层级"), max_length=16, choices=PlaceLevel.choices)
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("代码"), max_length=20, unique=True)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )  # fmt: skip
    district = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    population = models.PositiveIntegerField(_("人口"), default=0)
    households = models.PositiveIntegerField(_("户数"), default=0)
    is_active = models.BooleanField(_("有效"), default=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_from"
    )
    closed_on = models.DateField(null=True, blank=True)
    created_at = MomentField(auto_now_add=True)
    updated_at = MomentField(auto_now=True)

    class Meta:
        verbose_name = _("地点")
        verbose_name_plural = _("地点")
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "district"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="district", parent__isnull=True)
                | (~Q(level="district") & Q(parent__isnull=False)),
                name="place_only_district_is_root",
            )
        ]

    def __str__(self):
        return self.name

    def is_within(self, other: "Place") -> bool:
        """True if this place is `other` or lies under it."""
        return self.path.startswith(other.path)

    def ancestors(self) -> list["Place"]:
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1]]
        by_id = Place.objects.in_bulk(ids)
        return [by_id[i] for i in ids if i in by_id]


class PlaceEvent(models.Model):
    """History of a place: created, renamed, counts changed, moved, merged, closed."""

    class Kind(models.TextChoices):
        CREATED = "created", _("设立")
        CHANGED = "changed", _("变更")
        MOVED = "moved", _("调整隶属")
        MERGED = "merged", _("合并")
        CLOSED = "closed", _("撤销")

    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    old_parent = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    new_parent = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    old_code = models.CharField(max_length=20, blank=True)
    new_code = models.CharField(max_length=20, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = MomentField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.place} {self.get_kind_display()}"


class DepartmentQuerySet(models.QuerySet):
    def functional(self):
        """The district's functional departments (职能部门) without its street offices: what a
        request is dispatched to, a catalogue item is led by, a registry field is owned by."""
        return self.filter(street__isnull=True)


class Department(models.Model):
    """A district functional department (职能部门)."""

    district = models.ForeignKey(
        Place, on_delete=models.PROTECT, related_name="departments",
        limit_choices_to={"level": PlaceLevel.DISTRICT},
    )  # fmt: skip
    name = models.CharField(_("名称"), max_length=100)
    short_code = models.CharField(_("简码"), max_length=32)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = MomentField(auto_now_add=True)
    # Set for a street office (街道办事处), the district's agency for one street: it applies for
    # admission and pushes work onto its street's communities as a department does, so requests,
    # admitted items, tasks and refusals name either kind of body (admission.offices).
    street = models.OneToOneField(
        Place, verbose_name=_("街道"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="street_office", limit_choices_to={"level": PlaceLevel.STREET},
    )  # fmt: skip

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("职能部门")
        verbose_name_plural = _("职能部门")
        ordering = ["district", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="department_name_unique"),
            models.UniqueConstraint(
                fields=["district", "short_code"], name="department_code_unique"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_street_office(self) -> bool:
        return self.street_id is not None


class User(AbstractUser):
    """A login account. The human behind it is `self.person` (core.Person). Failed logins are
    counted by core.throttle, per login name, in the cache: an account is never locked.

    A password someone else set (staff opening the account) must be changed at the next login
    (`must_change_password`); one older than settings.PASSWORD_MAX_AGE_DAYS too (core.passwords).
    """

    password_changed_at = MomentField(_("密码修改时间"), null=True, blank=True)
    must_change_password = models.BooleanField(_("须修改密码"), default=False)

    class Meta:
        verbose_name = _("账号")
        verbose_name_plural = _("账号")

    def __str__(self):
        person = getattr(self, "person", None)
        return person.name if person else self.username


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")
    UNKNOWN = "", _("未知")


class Person(models.Model):
    """A person, once. ID and mobile numbers are stored encrypted, hashed and masked.

    `*_enc` is Fernet ciphertext; `*_hash` a keyed hash for exact lookup; `*_masked` what lists
    show. Only core.personal_data reads the plaintext, and every full view is audited.
    """

    # On PostgreSQL the column uses the "C" collation (migration core 0003), so comparisons do not
    # depend on the collation the database was created with. Lists show names in pinyin order
    # through core.collation; on PostgreSQL an index on (name COLLATE pinyin, id) serves them
    # (migration core 0005).
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number_enc = models.TextField(blank=True)
    id_number_hash = models.CharField(max_length=64, blank=True)
    id_number_masked = models.CharField(_("身份证号"), max_length=18, blank=True)
    mobile_enc = models.TextField(blank=True)
    mobile_hash = models.CharField(max_length=64, blank=True)
    mobile_masked = models.CharField(_("手机号"), max_length=11, blank=True)
    address = models.CharField(_("联系地址"), max_length=200, blank=True)
    # The community or grid the person belongs to in core; the registry keeps the detail.
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    # No index of its own: (district, birth_date) below leads with it.
    district = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="person",
    )  # fmt: skip
    created_at = MomentField(auto_now_add=True)
    updated_at = MomentField(auto_now=True)

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~Q(id_number_hash=""),
                name="person_id_number_unique",
            )
        ]
        # Every index is paid for by each of the million people a district's import writes:
        # the keyed hashes are only ever compared whole, so they get plain indexes (a
        # db_index=True CharField would add a second, pattern-matching one on PostgreSQL).
        indexes = [
            # Imports match people without an ID number by district and birth date.
            models.Index(fields=["district", "birth_date"], name="person_district_birth"),
            models.Index(fields=["id_number_hash"], name="person_id_number_hash"),
            models.Index(fields=["mobile_hash"], name="person_mobile_hash"),
        ]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    COORDINATOR = "coordinator", _("区减负办")
    DEPARTMENT_OFFICER = "department_officer", _("职能部门")
    STREET_OFFICER = "street_officer", _("街道工作人员")
    COMMUNITY_WORKER = "community_worker", _("社区工作者")
    GRID_WORKER = "grid_worker", _("网格员")
    RESIDENT = "resident", _("居民")
    SOCIAL_ORG_MEMBER = "social_org_member", _("社会组织成员")
    AUDITOR = "auditor", _("审计员（只读）")
    # Added for the governance half (issues #16, #17, #18): the district's discipline and
    # organisation officers who run assessment and accountability; the residents elected to the
    # 居务监督委员会 who review disclosures; the staff of a property-management company, who see
    # only the requests routed to their company.
    OVERSIGHT_OFFICER = "oversight_officer", _("纪检组织干部")
    SUPERVISION_MEMBER = "supervision_member", _("居务监督委员会成员")
    PROPERTY_STAFF = "property_staff", _("物业服务企业")


# The level(s) of place at which each role may be held.
ROLE_LEVELS = {
    Role.ADMIN: {PlaceLevel.DISTRICT},
    Role.COORDINATOR: {PlaceLevel.DISTRICT},
    Role.DEPARTMENT_OFFICER: {PlaceLevel.DISTRICT},
    Role.STREET_OFFICER: {PlaceLevel.STREET},
    Role.COMMUNITY_WORKER: {PlaceLevel.COMMUNITY},
    Role.GRID_WORKER: {PlaceLevel.GRID},
    Role.RESIDENT: {PlaceLevel.COMMUNITY, PlaceLevel.GRID},
    Role.SOCIAL_ORG_MEMBER: {PlaceLevel.STREET, PlaceLevel.COMMUNITY},
    Role.AUDITOR: {PlaceLevel.DISTRICT, PlaceLevel.STREET, PlaceLevel.COMMUNITY},
    Role.OVERSIGHT_OFFICER: {PlaceLevel.DISTRICT},
    Role.SUPERVISION_MEMBER: {PlaceLevel.COMMUNITY},
    Role.PROPERTY_STAFF: {PlaceLevel.COMMUNITY},
}
STAFF_ROLES = {
    Role.ADMIN,
    Role.COORDINATOR,
    Role.DEPARTMENT_OFFICER,
    Role.STREET_OFFICER,
    Role.COMMUNITY_WORKER,
    Role.GRID_WORKER,
    Role.AUDITOR,
    Role.OVERSIGHT_OFFICER,
    Role.PROPERTY_STAFF,
}


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_at__isnull=True)


class RoleAssignment(models.Model):
    """A role held by an account at a place. Ended, never deleted."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="role_assignments"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    place = models.ForeignKey(
        Place, verbose_name=_("地点"), on_delete=models.PROTECT, related_name="role_assignments"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="officers",
    )  # fmt: skip
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    granted_at = MomentField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "place"],
                condition=Q(ended_at__isnull=True),
                name="role_assignment_active_unique",
            ),
            models.CheckConstraint(
                condition=Q(role="department_officer", department__isnull=False)
                | (~Q(role="department_officer") & Q(department__isnull=True)),
                name="role_assignment_department_iff_officer",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} @ {self.place}"


class AuditEvent(models.Model):
    """One write, or one full view of personal data. Appended in the writer's transaction."""

    at = MomentField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    purpose = models.CharField(max_length=200, blank=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    # The place the event concerns, so auditors of a street see only that street's events.
    place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    place_path = models.CharField(max_length=255, blank=True)
    # The hash chain (core.audit_chain): a sealing job numbers events in the order it finds them
    # and links each to the one before with a keyed hash; a daily job verifies the whole chain.
    seal_seq = models.BigIntegerField(null=True, blank=True, unique=True)
    # A database default, so the raw INSERTs (audit.record_sql, timebank_post) need not name it.
    chain_hash = models.CharField(max_length=64, blank=True, default="", db_default="")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # Actions and places are looked up by equality and by prefix (the audit log's
            # filter, a place's subtree); one pattern index each serves both on PostgreSQL,
            # where db_index=True built a second, plain index that every write paid for too.
            models.Index(
                fields=["action"], name="audit_action_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(
                fields=["place_path"], name="audit_place_prefix", opclasses=["varchar_pattern_ops"]
            ),
            # What the sealing job has still to link, found without reading the whole table.
            models.Index(fields=["id"], name="audit_unsealed", condition=Q(seal_seq__isnull=True)),
        ]

    def __str__(self):
        return (
            f"{shown(self.at, '%Y-%m-%d %H:%M')} {self.actor_name} {self.action} {self.object_repr}"
        )

    @property
    def action_label(self) -> str:
        from core.action_labels import label_for

        return label_for(self.action)


class CalendarDay(models.Model):
    """An administrator's entry for one day: the official schedule or a local override."""

    date = models.DateField(_("日期"), unique=True)
    is_working_day = models.BooleanField(_("是否工作日"))
    note = models.CharField(_("说明"), max_length=100, blank=True)
    updated_at = MomentField(auto_now=True)

    class Meta:
        ordering = ["date"]

    def __str__(self):
        return f"{self.date} {'班' if self.is_working_day else '休'}"


class CalendarYear(models.Model):
    """Marks that an administrator has entered the official schedule for a year."""

    year = models.PositiveSmallIntegerField(unique=True)
    schedule_entered = models.BooleanField(default=False)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    updated_at = MomentField(auto_now=True)

    def __str__(self):
        return str(self.year)


class TokenScope(models.TextChoices):
    """What an API token may do: read only (GET), or also write as its owner may."""

    READ = "read", _("只读")
    WRITE = "write", _("读写")


class TokenRevocation(models.TextChoices):
    """Why a token stopped working before it expired."""

    BY_OWNER = "owner", _("本人撤销")
    PASSWORD = "password", _("修改密码")
    ROLE_ENDED = "role_ended", _("角色撤销")


class ApiToken(models.Model):
    """A bearer token for the JSON API; only a hash of the secret is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    scope = models.CharField(_("权限范围"), max_length=8, choices=TokenScope.choices)
    created_at = MomentField(auto_now_add=True)
    expires_at = models.DateTimeField(_("有效期至"))
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_because = models.CharField(max_length=16, choices=TokenRevocation.choices, blank=True)

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def allows_writes(self) -> bool:
        return self.scope == TokenScope.WRITE


class Notification(models.Model):
    """An in-app message waiting for one account (shown on the workbench)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications"
    )
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = MomentField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self):
        return self.title


class JobRun(models.Model):
    """One run of a periodic job for one period; the unique key makes a second run a no-op."""

    job = models.CharField(max_length=100)
    period = models.CharField(max_length=32)
    started_at = MomentField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "period"], name="job_run_once_per_period")
        ]

    def __str__(self):
        return f"{self.job} {self.period}"


class IdempotencyKey(models.Model):
    """A client's retry key for one write, kept with the answer it got.

    Written in the same transaction as the write it guards: if the write rolls back, so does the
    key, and the client may retry. A second request with the same key waits on the unique index
    (PostgreSQL) or the write lock (SQLite) until the first has committed, then gets its answer.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="idempotency_keys"
    )
    key = models.CharField(max_length=255)
    operation = models.CharField(max_length=64)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = MomentField(auto_now_add=True, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique")
        ]

    def __str__(self):
        return f"{self.operation} {self.key}"


# A place's outline, drawn by the maps (issue #14 item 4).
from core.boundary_models import PlaceBoundary  # noqa: E402, F401

# Accounts people open themselves: SMS codes, sign-up numbers, registry links, the SMS factor.
from core.sms_models import (  # noqa: E402, F401
    AccountLink,
    AccountMobile,
    CodePurpose,
    LinkState,
    SmsCode,
    SmsDevice,
)
