"""Every write in core. Each function checks permission, validates, writes and audits, atomically."""

import datetime
import hashlib
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import audit, clock, personal_data
from core.clock import one_write
from core.identifiers import validate_place_code
from core.models import (
    CHILD_LEVEL,
    ROLE_LEVELS,
    ApiToken,
    CalendarDay,
    CalendarYear,
    Department,
    Notification,
    Person,
    Place,
    PlaceEvent,
    PlaceLevel,
    Role,
    RoleAssignment,
    User,
)
from core.rules import forget_assignments, grantable_roles
from core.validation import require_perm as _require


def _clean_name(name: str, label: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError(_("%(label)s不能为空。"), params={"label": label}, code="required")
    if len(name) > 100:
        raise ValidationError(_("%(label)s过长（最多100字）。"), params={"label": label})
    return name


def _counts(population, households) -> tuple[int, int]:
    try:
        population, households = int(population), int(households)
    except (TypeError, ValueError):
        raise ValidationError(_("人口和户数应为整数。"), code="counts") from None
    if population < 0 or households < 0:
        raise ValidationError(_("人口和户数不能为负数。"), code="counts")
    if households > population > 0:
        raise ValidationError(_("户数不能多于人口。"), code="counts")
    return population, households


# ---------------------------------------------------------------- places


@one_write
def district_create(*, actor, name: str, code: str, population=0, households=0) -> Place:
    """A new district (root of a tree). Only a platform superuser creates districts."""
    if not actor.is_superuser:
        raise PermissionDenied(_("只有平台管理员可以新建区。"))
    name = _clean_name(name, _("名称"))
    code = validate_place_code(level=PlaceLevel.DISTRICT, code=code, parent_code=None)
    population, households = _counts(population, households)
    _ensure_code_free(code)
    place = Place.objects.create(
        level=PlaceLevel.DISTRICT, name=name, code=code, population=population,
        households=households, path="",
    )  # fmt: skip
    place.path = f"/{place.pk}/"
    place.district = place
    place.save(update_fields=["path", "district"])
    PlaceEvent.objects.create(
        place=place, kind=PlaceEvent.Kind.CREATED, new_code=code, actor=_u(actor)
    )
    audit.record(
        actor=actor, action="place.create", obj=place, changes={"code": code, "name": name}
    )
    return place


@one_write
def place_create(
    *, actor, parent: Place, name: str, code: str, population=0, households=0
) -> Place:
    """A street, community or grid under `parent`; the level follows from the parent's."""
    parent = Place.objects.select_for_update().get(pk=parent.pk)
    if not parent.is_active:
        raise ValidationError(
            _("上级“%(name)s”已撤销，不能在其下新建。"), params={"name": parent.name}
        )
    level = CHILD_LEVEL.get(parent.level)
    if level is None:
        raise ValidationError(_("网格下不能再设下级。"), code="no_child_level")
    if level == PlaceLevel.GRID:
        _require(actor, "core.add_grid", parent)
    else:
        _require(actor, "core.restructure_place", parent)
    name = _clean_name(name, _("名称"))
    code = validate_place_code(level=level, code=code, parent_code=parent.code)
    population, households = _counts(population, households)
    _ensure_code_free(code)
    if parent.children.filter(name=name, is_active=True).exists():
        raise ValidationError(
            _("“%(parent)s”下已有同名的“%(name)s”。"), params={"parent": parent.name, "name": name}
        )
    place = Place.objects.create(
        level=level, name=name, code=code, parent=parent, district_id=parent.district_id,
        population=population, households=households, path="",
    )  # fmt: skip
    place.path = f"{parent.path}{place.pk}/"
    place.save(update_fields=["path"])
    PlaceEvent.objects.create(
        place=place, kind=PlaceEvent.Kind.CREATED, new_parent=parent, new_code=code, actor=_u(actor)
    )
    audit.record(
        actor=actor, action="place.create", obj=place,
        changes={"code": code, "name": name, "parent": parent.name},
    )  # fmt: skip
    return place


@one_write
def place_update(*, actor, place: Place, name: str, population, households) -> Place:
    """Rename a place or update its counts. Codes change only by moving."""
    place = Place.objects.select_for_update().get(pk=place.pk)
    _require(actor, "core.change_place", place)
    if not place.is_active:
        raise ValidationError(_("已撤销的地点不能修改。"))
    name = _clean_name(name, _("名称"))
    population, households = _counts(population, households)
    if (
        place.parent_id
        and Place.objects.filter(parent_id=place.parent_id, name=name, is_active=True)
        .exclude(pk=place.pk)
        .exists()
    ):
        raise ValidationError(_("同一上级下已有同名的“%(name)s”。"), params={"name": name})
    changes = audit.diff(place, name=name, population=population, households=households)
    if not changes:
        return place
    place.name, place.population, place.households = name, population, households
    place.save(update_fields=["name", "population", "households", "updated_at"])
    PlaceEvent.objects.create(
        place=place, kind=PlaceEvent.Kind.CHANGED, changes=audit._jsonable(changes), actor=_u(actor)
    )
    audit.record(actor=actor, action="place.update", obj=place, changes=changes)
    return place


@one_write
def place_move(*, actor, place: Place, new_parent: Place, new_code: str, note: str = "") -> Place:
    """Move a community (or grid) to another parent. It gets the code that fits its new parent;
    the old code and parent stay in its history, and its subtree moves with it."""
    place = Place.objects.select_for_update().get(pk=place.pk)
    new_parent = Place.objects.select_for_update().get(pk=new_parent.pk)
    _require(actor, "core.restructure_place", place)
    _require(actor, "core.restructure_place", new_parent)
    if not (place.is_active and new_parent.is_active):
        raise ValidationError(_("已撤销的地点不能调整。"))
    if CHILD_LEVEL.get(new_parent.level) != place.level:
        raise ValidationError(
            _("%(level)s只能调整到%(parent_level)s下。"),
            params={
                "level": place.get_level_display(),
                "parent_level": PlaceLevel(_parent_level(place.level)).label,
            },
        )
    if new_parent.pk == place.parent_id:
        raise ValidationError(_("新的上级与原上级相同。"))
    if new_parent.district_id != place.district_id:
        raise ValidationError(_("不能跨区调整。"))
    new_code = validate_place_code(level=place.level, code=new_code, parent_code=new_parent.code)
    _ensure_code_free(new_code)
    old_parent, old_code, old_path = place.parent, place.code, place.path
    place.parent, place.code = new_parent, new_code
    place.path = f"{new_parent.path}{place.pk}/"
    place.save(update_fields=["parent", "code", "path", "updated_at"])
    for descendant in Place.objects.filter(path__startswith=old_path).exclude(pk=place.pk):
        descendant.path = place.path + descendant.path[len(old_path) :]
        if descendant.level == PlaceLevel.GRID and place.level == PlaceLevel.COMMUNITY:
            descendant.code = descendant.code[:6] + new_code + descendant.code[18:]
        descendant.save(update_fields=["path", "code"])
    PlaceEvent.objects.create(
        place=place, kind=PlaceEvent.Kind.MOVED, old_parent=old_parent, new_parent=new_parent,
        old_code=old_code, new_code=new_code, note=note, actor=_u(actor),
    )  # fmt: skip
    audit.record(
        actor=actor, action="place.move", obj=place,
        changes={"parent": [old_parent.name, new_parent.name], "code": [old_code, new_code]},
    )  # fmt: skip
    return place


@one_write
def place_merge(*, actor, place: Place, into: Place, note: str = "") -> Place:
    """Merge `place` into a sibling of the same level: its children move across, it becomes
    inactive with `merged_into` set, and role assignments there end. Nothing is deleted."""
    place = Place.objects.select_for_update().get(pk=place.pk)
    into = Place.objects.select_for_update().get(pk=into.pk)
    _require(actor, "core.restructure_place", place)
    _require(actor, "core.restructure_place", into)
    if place.pk == into.pk:
        raise ValidationError(_("不能与自身合并。"))
    if place.level != into.level or place.level == PlaceLevel.DISTRICT:
        raise ValidationError(_("只能合并同一层级的街道、社区或网格。"))
    if not (place.is_active and into.is_active):
        raise ValidationError(_("已撤销的地点不能合并。"))
    if place.district_id != into.district_id:
        raise ValidationError(_("不能跨区合并。"))
    moved = []
    if place.level == PlaceLevel.COMMUNITY:
        used = {int(c.code[18:]) for c in into.children.all()}
        sequence = max(used, default=0)
        for child in place.children.filter(is_active=True):
            sequence += 1
            if sequence > 99:
                raise ValidationError(_("合并后网格超过99个，无法编码。"))
            place_move(
                actor=actor,
                place=child,
                new_parent=into,
                new_code=child.code[:6] + into.code + f"{sequence:02d}",
                note=note,
            )
            moved.append(child.name)
    elif place.children.filter(is_active=True).exists():
        raise ValidationError(_("请先调整该地点下的下级，再合并。"))
    into.population += place.population
    into.households += place.households
    into.save(update_fields=["population", "households", "updated_at"])
    place.is_active = False
    place.merged_into = into
    place.closed_on = clock.today()
    place.save(update_fields=["is_active", "merged_into", "closed_on", "updated_at"])
    now = clock.now()
    RoleAssignment.objects.active().filter(place=place).update(ended_at=now, ended_by=_u(actor))
    PlaceEvent.objects.create(
        place=place, kind=PlaceEvent.Kind.MERGED, new_parent=into, note=note, actor=_u(actor)
    )
    PlaceEvent.objects.create(
        place=into, kind=PlaceEvent.Kind.CHANGED, note=note, actor=_u(actor),
        changes={"merged_from": place.name, "moved_children": moved},
    )  # fmt: skip
    audit.record(
        actor=actor,
        action="place.merge",
        obj=place,
        changes={"into": into.name, "moved_children": moved},
    )
    return into


def _parent_level(level):
    return {v: k for k, v in CHILD_LEVEL.items()}[level]


def _ensure_code_free(code: str) -> None:
    if Place.objects.filter(code=code).exists():
        raise ValidationError(_("代码%(code)s已被使用。"), params={"code": code}, code="code_taken")


def _u(actor):
    return actor if getattr(actor, "pk", None) else None


# ---------------------------------------------------------------- departments


@one_write
def department_create(*, actor, district: Place, name: str, short_code: str) -> Department:
    _require(actor, "core.manage_departments", district)
    if district.level != PlaceLevel.DISTRICT:
        raise ValidationError(_("职能部门只能设在区一级。"))
    name = _clean_name(name, _("部门名称"))
    short_code = (short_code or "").strip().lower()
    if (
        not short_code
        or not short_code.replace("-", "").replace("_", "").isalnum()
        or len(short_code) > 32
    ):
        raise ValidationError(_("简码应为1–32位字母、数字、-或_。"), code="short_code")
    if Department.objects.filter(district=district, name=name).exists():
        raise ValidationError(_("已有名为“%(name)s”的部门。"), params={"name": name})
    if Department.objects.filter(district=district, short_code=short_code).exists():
        raise ValidationError(_("简码%(code)s已被使用。"), params={"code": short_code})
    department = Department.objects.create(district=district, name=name, short_code=short_code)
    audit.record(
        actor=actor,
        action="department.create",
        obj=department,
        place=district,
        changes={"name": name},
    )
    return department


@one_write
def department_update(*, actor, department: Department, name: str, is_active: bool) -> Department:
    _require(actor, "core.manage_departments", department.district)
    name = _clean_name(name, _("部门名称"))
    if (
        Department.objects.filter(district=department.district, name=name)
        .exclude(pk=department.pk)
        .exists()
    ):
        raise ValidationError(_("已有名为“%(name)s”的部门。"), params={"name": name})
    changes = audit.diff(department, name=name, is_active=is_active)
    if changes:
        department.name, department.is_active = name, is_active
        department.save(update_fields=["name", "is_active"])
        audit.record(
            actor=actor,
            action="department.update",
            obj=department,
            place=department.district,
            changes=changes,
        )
    return department


# ---------------------------------------------------------------- people and accounts


@one_write
def person_register(
    *,
    actor,
    place: Place,
    name: str,
    id_number: str = "",
    mobile: str = "",
    address: str = "",
    username: str = "",
    password: str = "",
    role: str | None = None,
    department: Department | None = None,
) -> Person:
    """Register a person at `place`, optionally with a login account and a first role.

    Residents log in by mobile number; staff by username. The role must be one the actor may
    grant at `place`, which is also what allows registering people there at all.
    """
    place = Place.objects.get(pk=place.pk)
    if not grantable_roles(actor, place):
        raise PermissionDenied(_("您无权在“%(place)s”登记人员。") % {"place": place.name})
    person = Person(
        name=_clean_name(name, _("姓名")),
        place=place,
        district_id=place.district_id,
        address=(address or "").strip()[:200],
    )
    if id_number:
        personal_data.set_id_number(person, id_number)
        if Person.objects.filter(id_number_hash=person.id_number_hash).exists():
            raise ValidationError(_("该身份证号已登记，请勿重复登记。"), code="duplicate_person")
    if mobile:
        personal_data.set_mobile(person, mobile)
    wants_account = bool(username or password or role)
    if wants_account:
        if role is None:
            raise ValidationError(_("开通账号须同时分配一个角色。"))
        is_resident = role == Role.RESIDENT
        if is_resident and not mobile:
            raise ValidationError(_("居民账号须填写手机号，用于登录。"), code="mobile_required")
        if (
            is_resident
            and Person.objects.filter(
                mobile_hash=person.mobile_hash, account__isnull=False
            ).exists()
        ):
            raise ValidationError(_("该手机号已开通账号，请勿重复开通。"), code="duplicate_account")
        username = (username or "").strip() or (
            f"m{person.mobile_hash[:12]}" if is_resident else ""
        )
        if not username:
            raise ValidationError(_("工作人员账号须填写用户名。"), code="username_required")
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(
                _("用户名“%(u)s”已存在。"), params={"u": username}, code="duplicate_account"
            )
        user = User(username=username)
        person_for_validation = User(username=username, first_name=person.name)
        validate_password(password, user=person_for_validation)
        user.set_password(password)
        user.save()
        person.account = user
    person.save()
    audit.record(
        actor=actor, action="person.register", obj=person,
        changes={"name": person.name, "id_number": person.id_number_masked, "mobile": person.mobile_masked, "account": bool(person.account_id)},
    )  # fmt: skip
    if wants_account:
        role_assign(actor=actor, user=person.account, role=role, place=place, department=department)
    return person


@one_write
def role_assign(
    *, actor, user: User, role: str, place: Place, department: Department | None = None
) -> RoleAssignment:
    """Give `user` a role at `place`. The actor must be allowed to grant that role there."""
    if role not in Role.values:
        raise ValidationError(_("未知角色：%(role)s。"), params={"role": role})
    place = Place.objects.get(pk=place.pk)
    if role not in grantable_roles(actor, place):
        raise PermissionDenied(
            _("您无权在“%(place)s”分配“%(role)s”角色。")
            % {"place": place.name, "role": Role(role).label}
        )
    if not place.is_active:
        raise ValidationError(_("“%(place)s”已撤销，不能分配角色。"), params={"place": place.name})
    if place.level not in ROLE_LEVELS[role]:
        # The list separator is translated too: "、" in Chinese, ", " in English.
        allowed = _("、").join(str(PlaceLevel(level).label) for level in sorted(ROLE_LEVELS[role]))
        raise ValidationError(
            _("“%(role)s”只能在%(levels)s一级分配。"),
            params={"role": Role(role).label, "levels": allowed},
        )
    if role == Role.DEPARTMENT_OFFICER:
        if department is None or department.district_id != place.pk:
            raise ValidationError(
                _("职能部门角色须选择本区的一个部门。"), code="department_required"
            )
    else:
        department = None
    if RoleAssignment.objects.active().filter(user=user, role=role, place=place).exists():
        raise ValidationError(_("该账号已在此处拥有这个角色。"), code="duplicate_role")
    try:
        with transaction.atomic():
            assignment = RoleAssignment.objects.create(
                user=user, role=role, place=place, department=department, granted_by=_u(actor)
            )
    except IntegrityError:
        raise ValidationError(_("该账号已在此处拥有这个角色。"), code="duplicate_role") from None
    forget_assignments(user)
    audit.record(
        actor=actor, action="role.assign", obj=assignment, place=place,
        changes={"user": str(user), "role": role, "department": str(department or "")},
    )  # fmt: skip
    return assignment


@one_write
def role_end(*, actor, assignment: RoleAssignment) -> RoleAssignment:
    assignment = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.role not in grantable_roles(actor, assignment.place):
        raise PermissionDenied(_("您无权撤销这个角色。"))
    if assignment.ended_at:
        raise ValidationError(_("这个角色已撤销。"))
    assignment.ended_at = clock.now()
    assignment.ended_by = _u(actor)
    assignment.save(update_fields=["ended_at", "ended_by"])
    forget_assignments(assignment.user)
    audit.record(
        actor=actor,
        action="role.end",
        obj=assignment,
        place=assignment.place,
        changes={"user": str(assignment.user), "role": assignment.role},
    )
    return assignment


@one_write
def password_change(*, actor, user: User, old_password: str, new_password: str) -> None:
    if actor.pk != user.pk:
        raise PermissionDenied(_("只能修改自己的密码。"))
    if not user.check_password(old_password):
        raise ValidationError(_("原密码不正确。"), code="wrong_password")
    validate_password(new_password, user=user)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    audit.record(actor=actor, action="account.password_change", obj=user)


def login_failed(user: User) -> None:
    """Count a failed login; lock the account for a while after too many."""
    from django.conf import settings

    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        user.failed_logins += 1
        changes = {"failed_logins": user.failed_logins}
        if user.failed_logins >= settings.LOGIN_MAX_FAILURES:
            user.locked_until = clock.now() + datetime.timedelta(
                minutes=settings.LOGIN_LOCK_MINUTES
            )
            user.failed_logins = 0
            changes["locked_until"] = user.locked_until
        user.save(update_fields=["failed_logins", "locked_until"])
        audit.record(actor=None, action="account.login_failed", obj=user, changes=changes)


def login_succeeded(user: User) -> None:
    if user.failed_logins or user.locked_until:
        User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)


# ---------------------------------------------------------------- calendar


@one_write
def calendar_set_day(
    *, actor, date: datetime.date, is_working_day: bool, note: str = ""
) -> CalendarDay:
    """Enter one day of the official schedule, or a local override."""
    _require(actor, "core.manage_calendar")
    day, created = CalendarDay.objects.select_for_update().get_or_create(
        date=date, defaults={"is_working_day": is_working_day, "note": note[:100]}
    )
    old = None if created else [day.is_working_day, day.note]
    if not created:
        day.is_working_day, day.note = is_working_day, note[:100]
        day.save()
    audit.record(
        actor=actor,
        action="calendar.set_day",
        obj=day,
        changes={"date": str(date), "was": old, "now": [is_working_day, note]},
    )
    return day


@one_write
def calendar_mark_year_entered(*, actor, year: int, source: str) -> CalendarYear:
    """Declare that the official schedule for `year` has been entered, ending the weekday fallback."""
    _require(actor, "core.manage_calendar")
    source = (source or "").strip()
    if not source:
        raise ValidationError(_("请注明依据（如国务院办公厅关于节假日安排的通知文号）。"))
    if not 2000 <= int(year) <= 2100:
        raise ValidationError(_("年份超出范围。"))
    entry, _created = CalendarYear.objects.update_or_create(
        year=year, defaults={"schedule_entered": True, "source": source[:200]}
    )
    audit.record(
        actor=actor,
        action="calendar.year_entered",
        obj=entry,
        changes={"year": year, "source": source},
    )
    return entry


# ---------------------------------------------------------------- API tokens and notifications


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@one_write
def api_token_create(*, actor, name: str) -> tuple[ApiToken, str]:
    """A new token for the actor's own account; the secret is returned once and never stored."""
    if not actor.is_authenticated:
        raise PermissionDenied(_("请先登录。"))
    name = _clean_name(name, _("名称"))
    secret = "ll_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor, name=name, prefix=secret[:10], key_hash=_token_hash(secret)
    )
    audit.record(
        actor=actor,
        action="api_token.create",
        obj=token,
        changes={"name": name, "prefix": token.prefix},
    )
    return token, secret


@one_write
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk:
        raise PermissionDenied(_("只能撤销自己的令牌。"))
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action="api_token.revoke", obj=token)
    return token


def api_token_user(secret: str) -> User | None:
    """The account behind a bearer token, or None. Marks the token used (at most once a minute)."""
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_token_hash(secret or ""), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def notify(*, user: User, title: str, body: str = "", url: str = "") -> Notification:
    """Leave an in-app message for a user. Called by other services inside their transaction."""
    return Notification.objects.create(user=user, title=title[:200], body=body, url=url[:300])


@one_write
def notifications_mark_read(*, actor, ids: list[int]) -> int:
    return Notification.objects.filter(user=actor, pk__in=ids, read_at__isnull=True).update(
        read_at=clock.now()
    )
