"""Buildings (幢/栋) and the houses in them, registered by the community."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit
from core.clock import one_write
from core.models import Place, PlaceLevel
from core.validation import require_perm as _require
from registry import values
from registry.models import Building, House, Unit
from registry.services.residences import norm_address

BUILDING_RE = re.compile(r"^.+?\d+号(?:\d+[幢栋])?$")
UNIT_RE = re.compile(r"^(\d{1,2})(?:单元)?$")
ROOM_RE = re.compile(r"^(\d{1,5})(?:室)?$")


def _building_address(raw: str) -> str:
    address = norm_address(values.text(raw))
    if not address:
        raise ValidationError(_("请填写楼栋地址。"), code="required")
    if len(address) > 200:
        raise ValidationError(_("楼栋地址过长（最多200字）。"))
    if not BUILDING_RE.match(address):
        raise ValidationError(
            _(
                "楼栋地址应写到门牌号或幢（栋），如“中华路249号”或“中华路249号6幢”，不含单元和室号。"
            ),
            code="building_address",
        )
    return address


def _grid_in(community: Place, grid: Place | None) -> None:
    if community.level != PlaceLevel.COMMUNITY:
        raise ValidationError(_("请选择社区。"))
    if grid is not None and (grid.level != PlaceLevel.GRID or grid.parent_id != community.pk):
        raise ValidationError(_("网格不属于所选社区。"))


@one_write
def building_create(
    *, actor, community: Place, address: str, grid: Place | None = None
) -> Building:
    """Register a building (幢/栋) or courtyard address in a community (and grid)."""
    _require(actor, "registry.manage_residents", grid or community)
    _grid_in(community, grid)
    address = _building_address(address)
    if Building.objects.filter(district_id=community.district_id, address=address).exists():
        raise ValidationError(_("楼栋“%(a)s”已登记。"), params={"a": address}, code="duplicate")
    building = Building.objects.create(
        district_id=community.district_id, community=community, grid=grid, address=address
    )
    audit.record(actor=actor, action="registry.building_create", obj=building, place=community,
                 changes={"address": address, "grid": grid.name if grid else ""})  # fmt: skip
    return building


@one_write
def building_update(
    *, actor, building: Building, address: str, grid: Place | None = None
) -> Building:
    """Correct a building's address (while it has no houses) or the grid it belongs to."""
    building = Building.objects.select_for_update().select_related("community").get(pk=building.pk)
    _require(actor, "registry.manage_residents", building.grid or building.community)
    if grid is not None:
        _require(actor, "registry.manage_residents", grid)
    _grid_in(building.community, grid)
    address = _building_address(address)
    if address != building.address:
        if building.houses.exists():
            raise ValidationError(
                _("楼栋下已有房屋，不能修改地址；请新登记正确的楼栋。"), code="has_houses"
            )
        if Building.objects.filter(district_id=building.district_id, address=address).exists():
            raise ValidationError(_("楼栋“%(a)s”已登记。"), params={"a": address}, code="duplicate")
    changes = audit.diff(building, address=address, grid=grid)
    building.address, building.grid = address, grid
    building.save(update_fields=["address", "grid"])
    audit.record(actor=actor, action="registry.building_update", obj=building,
                 place=building.community, changes=changes)  # fmt: skip
    return building


@one_write
def house_create(*, actor, building: Building, number: str, unit: str = "") -> House:
    """Register a dwelling: a room number in a building, in a unit when it has units."""
    building = (
        Building.objects.select_for_update(of=("self",))
        .select_related("community", "grid")
        .get(pk=building.pk)
    )
    _require(actor, "registry.manage_residents", building.grid or building.community)
    unit_text = values.text(unit).replace(" ", "")
    room_text = values.text(number).replace(" ", "")
    unit_match = UNIT_RE.match(unit_text) if unit_text else None
    if unit_text and unit_match is None:
        raise ValidationError(_("单元应为1–2位数字，如“2”或“2单元”。"), code="unit")
    room = ROOM_RE.match(room_text)
    if room is None:
        raise ValidationError(_("室号应为1–5位数字，如“502”或“502室”。"), code="room")
    unit_no = str(int(unit_match[1])) if unit_match else ""
    room_no = f"{room[1]}室"
    address = f"{building.address}{unit_no + '单元' if unit_no else ''}{room_no}"
    if House.objects.filter(district_id=building.district_id, address=address).exists():
        raise ValidationError(_("房屋“%(a)s”已登记。"), params={"a": address}, code="duplicate")
    unit_obj = None
    if unit_no:
        unit_obj, _new = Unit.objects.get_or_create(building=building, number=unit_no)
    house = House.objects.create(
        district_id=building.district_id, community=building.community, grid=building.grid,
        building=building, unit=unit_obj, number=room_no, address=address,
    )  # fmt: skip
    audit.record(actor=actor, action="registry.house_create", obj=house, place=building.community,
                 changes={"address": address})  # fmt: skip
    return house
