"""Places (districts, streets, communities, grids: create, rename, move, merge) and departments."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.identifiers import validate_place_code
from core.models import (
    CHILD_LEVEL,
    Department,
    Place,
    PlaceEvent,
    PlaceLevel,
    RoleAssignment,
    TokenRevocation,
    User,
)
from core.rules import forget_assignments
from core.services.tokens import revoke_tokens_of
from core.validation import clean_name
from core.validation import require_perm as _require


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
    name = clean_name(name, _("名称"))
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
    name = clean_name(name, _("名称"))
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
    name = clean_name(name, _("名称"))
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
    ending = RoleAssignment.objects.active().filter(place=place)
    losing = list(User.objects.filter(pk__in=ending.values("user_id")))
    ending.update(ended_at=now, ended_by=_u(actor))
    for user in losing:
        forget_assignments(user)
        revoke_tokens_of(actor=actor, user=user, because=TokenRevocation.ROLE_ENDED)
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
    name = clean_name(name, _("部门名称"))
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
    name = clean_name(name, _("部门名称"))
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
