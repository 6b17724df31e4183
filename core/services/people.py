"""People, their accounts and roles: registration, roles given and ended, passwords, logins."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import audit, clock, personal_data
from core.clock import one_write
from core.models import (
    ROLE_LEVELS,
    Department,
    Person,
    Place,
    PlaceLevel,
    Role,
    RoleAssignment,
    TokenRevocation,
    User,
)
from core.rules import forget_assignments, grantable_roles
from core.services.places import _u
from core.services.tokens import revoke_tokens_of
from core.validation import clean_name

# ---------------------------------------------------------------- people and accounts


def person_register(**registration) -> Person:
    """Register a person (see `_person_register`). A refusal because the ID number is already
    registered is audited even though nothing is written: the answer tells the asker that
    someone with that number is on file, so who asked, where and when is kept."""
    try:
        return _person_register(**registration)
    except ValidationError as refused:
        if getattr(refused, "code", None) == "duplicate_person":
            _duplicate_id_number_refused(
                actor=registration["actor"], place=registration["place"],
                id_number=registration.get("id_number", ""),
            )  # fmt: skip
        raise


@one_write
def _duplicate_id_number_refused(*, actor, place: Place, id_number: str) -> None:
    probe = Person()
    personal_data.set_id_number(probe, id_number)
    audit.record(
        actor=actor, action="person.duplicate_id_number", place=place,
        changes={"id_number": probe.id_number_masked},
    )  # fmt: skip


@one_write
def _person_register(
    *,
    actor,
    place: Place,
    name: str,
    id_number: str = "",
    mobile: str = "",
    address: str = "",
    username: str = "",
    password: str = "",
    password_is_temporary: bool = True,
    role: str | None = None,
    department: Department | None = None,
) -> Person:
    """Register a person at `place`, optionally with a login account and a first role.

    Residents log in by mobile number; staff by username. The role must be one the actor may
    grant at `place`, which is also what allows registering people there at all. The password
    the actor sets must be changed at the first login, unless `password_is_temporary` is False
    (test and demo accounts, whose passwords are published).
    """
    place = Place.objects.get(pk=place.pk)
    if not grantable_roles(actor, place):
        raise PermissionDenied(_("您无权在“%(place)s”登记人员。") % {"place": place.name})
    person = Person(
        name=clean_name(name, _("姓名")),
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
        user = User(
            username=username,
            password_changed_at=clock.now(),
            must_change_password=password_is_temporary,
        )
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
    revoke_tokens_of(actor=actor, user=assignment.user, because=TokenRevocation.ROLE_ENDED)
    audit.record(
        actor=actor,
        action="role.end",
        obj=assignment,
        place=assignment.place,
        changes={"user": str(assignment.user), "role": assignment.role},
    )
    return assignment


@one_write
def password_change(*, actor, user: User, old_password: str, new_password: str) -> int:
    """Change one's own password; every API token of the account ends with it (how many is
    returned)."""
    if actor.pk != user.pk:
        raise PermissionDenied(_("只能修改自己的密码。"))
    if not user.check_password(old_password):
        raise ValidationError(_("原密码不正确。"), code="wrong_password")
    validate_password(new_password, user=user)
    if new_password == old_password:
        raise ValidationError(_("新密码不能与原密码相同。"), code="password_unchanged")
    user.set_password(new_password)
    user.password_changed_at = clock.now()
    user.must_change_password = False
    user.save(update_fields=["password", "password_changed_at", "must_change_password"])
    audit.record(actor=actor, action="account.password_change", obj=user)
    return revoke_tokens_of(actor=actor, user=user, because=TokenRevocation.PASSWORD)


# ---------------------------------------------------------------- logins (core.auth)


@one_write
def login_failed(*, login: str, user: User | None, failures: int, captcha_now: bool) -> None:
    """Audit a wrong password for `login` (masked; `user` when the name has an account). The
    pace of further attempts is core.throttle's: no account is ever locked."""
    changes = {"login": login, "failures": failures}
    audit.record(actor=None, action="account.login_failed", obj=user, changes=changes)
    if captcha_now:
        audit.record(actor=None, action="account.captcha_required", obj=user, changes=changes)


@one_write
def login_refused(*, login: str, reason: str, wait: int = 0) -> None:
    """Audit an attempt refused before its password was checked (too early, no CAPTCHA)."""
    changes = {"login": login, "reason": reason, "wait": wait}
    audit.record(actor=None, action="account.login_refused", changes=changes)


@one_write
def login_succeeded(*, user: User) -> None:
    audit.record(actor=user, action="account.login", obj=user)


@one_write
def logged_out(*, user: User) -> None:
    audit.record(actor=user, action="account.logout", obj=user)
