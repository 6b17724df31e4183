"""Compounds, their buildings and exclusive parts, and the district's threshold table."""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit
from core.clock import one_write
from core.models import Person, Place, PlaceLevel
from core.validation import clean_name, clean_text
from core.validation import require_perm as _require
from owners import defaults
from owners.models import AreaBasis, Compound, CompoundBuilding, DecisionRule, Matter, Part
from owners.services.common import locked_compound

MAX_AREA = 10_000_000  # 100,000 m² in hundredths: no one part is larger


@one_write
def compound_create(*, actor, community: Place, name: str, address: str = "") -> Compound:
    """A compound (小区) in a community."""
    if community is None or community.level != PlaceLevel.COMMUNITY:
        raise ValidationError(_("小区应建在社区之下，请选择社区。"), code="community")
    _require(actor, "owners.keep_compound", community, _("只有本社区的工作人员可以登记小区。"))
    name = clean_name(name, _("小区名称"))
    address = clean_text(address, _("地址"), required=False)
    if Compound.objects.filter(community=community, name=name).exists():
        raise ValidationError(_("本社区已有小区“%(n)s”。"), params={"n": name}, code="duplicate")
    compound = Compound.objects.create(
        district_id=community.district_id, community=community, name=name, address=address
    )
    audit.record(actor=actor, action="owners.compound_create", obj=compound,
                 changes={"name": name})  # fmt: skip
    return compound


@one_write
def building_add(*, actor, compound: Compound, building) -> CompoundBuilding:
    """Put a registry building of the compound's community into the compound."""
    compound = locked_compound(compound)
    _require(actor, "owners.keep_compound", compound, _("只有本社区的工作人员可以调整小区楼栋。"))
    if building is None or building.community_id != compound.community_id:
        raise ValidationError(_("楼栋不在本小区所在社区。"), code="building")
    held = CompoundBuilding.objects.filter(building=building).select_related("compound").first()
    if held is not None:
        raise ValidationError(
            _("楼栋“%(b)s”已属于小区“%(c)s”。"),
            params={"b": building.address, "c": held.compound.name}, code="duplicate",
        )  # fmt: skip
    link = CompoundBuilding.objects.create(compound=compound, building=building)
    audit.record(actor=actor, action="owners.building_add", obj=compound,
                 changes={"building": building.address})  # fmt: skip
    return link


def parse_area(raw) -> int:
    """An area in square metres (text or Decimal, at most two decimals) as hundredths."""
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        value = None
    if (
        value is None
        or not value.is_finite()
        or value <= 0
        or value != value.quantize(Decimal("0.01"))
    ):
        raise ValidationError(
            _("面积应为大于0的平方米数，最多两位小数，如“89.5”。"), code="area"
        )  # fmt: skip
    hundredths = int(value * 100)
    if hundredths > MAX_AREA:
        raise ValidationError(_("面积过大，请核对。"), code="area")
    return hundredths


@one_write
def part_set(
    *, actor, compound: Compound, house, area, area_basis: str,
    owner: Person | None = None, developer_held: bool = False,
) -> Part:  # fmt: skip
    """Record (or correct) a house of the compound as an exclusive part: its area, the basis of
    the area (registered, else surveyed, else contract) and its holder (an owner, or the
    developer for an unsold or undelivered part)."""
    compound = locked_compound(compound)
    _require(actor, "owners.keep_compound", compound, _("只有本社区的工作人员可以登记业主。"))
    if (
        house is None
        or not CompoundBuilding.objects.filter(
            compound=compound, building_id=house.building_id
        ).exists()
    ):
        raise ValidationError(_("房屋不在本小区的楼栋里。"), code="house")
    hundredths = parse_area(area)
    if area_basis not in AreaBasis.values:
        raise ValidationError(_("请选择面积依据。"), code="area_basis")
    if bool(developer_held) == (owner is not None):
        raise ValidationError(
            _("请选择业主，或注明为建设单位未售出（未交付）的房屋，二者选一。"), code="holder"
        )  # fmt: skip
    part = Part.objects.filter(house=house).first() or Part(
        house=house, district_id=compound.district_id, community=compound.community,
        compound=compound,
    )  # fmt: skip
    changes = audit.diff(part, area=hundredths, area_basis=area_basis,
                         owner=owner, developer_held=bool(developer_held))  # fmt: skip
    part.area, part.area_basis = hundredths, area_basis
    part.owner, part.developer_held = owner, bool(developer_held)
    part.save()
    audit.record(actor=actor, action="owners.part_set", obj=part, place=compound.community,
                 changes=changes)  # fmt: skip
    return part


def _district(place: Place) -> Place:
    if place is None or place.level != PlaceLevel.DISTRICT:
        raise ValidationError(_("表决规则按区设定，请选择区。"), code="not_a_district")
    return place


@one_write
def rule_create(
    *, actor, district: Place, matter: str, turnout: tuple, approval: tuple, source: str,
    effective_from: datetime.date,
) -> DecisionRule:  # fmt: skip
    """A new threshold row for a matter from a date: ``turnout``/``approval`` are
    (numerator, denominator, inclusive); earlier rows stay for decisions opened under them."""
    district = _district(district)
    _require(actor, "owners.set_rules", district, _("只有区管理员或区减负办可以设定表决规则。"))
    if matter not in Matter.values:
        raise ValidationError(_("请选择表决事项。"), code="matter")
    fractions = {}
    for label, value in ((_("参与表决比例"), turnout), (_("同意比例"), approval)):
        try:
            num, den, inclusive = int(value[0]), int(value[1]), bool(value[2])
        except (TypeError, ValueError, IndexError):
            num = den = 0
            inclusive = False
        if not 0 < num <= den <= 100:
            raise ValidationError(
                _("%(label)s应为不大于1的分数，如2/3。"), params={"label": label}, code="fraction"
            )  # fmt: skip
        fractions[label] = (num, den, inclusive)
    source = clean_text(source, _("政策依据"), limit=300)
    if not isinstance(effective_from, datetime.date):
        raise ValidationError(_("请填写生效日期。"), code="effective_from")
    if DecisionRule.objects.filter(district=district, matter=matter,
                                   effective_from=effective_from).exists():  # fmt: skip
        raise ValidationError(
            _("该事项在这一天已有规则生效；请换一个生效日期。"), code="same_start"
        )
    (t_num, t_den, t_inc), (a_num, a_den, a_inc) = fractions.values()
    rule = DecisionRule.objects.create(
        district=district, matter=matter, turnout_num=t_num, turnout_den=t_den,
        turnout_inclusive=t_inc, approval_num=a_num, approval_den=a_den, approval_inclusive=a_inc,
        source=source, effective_from=effective_from, created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="owners.rule_create", obj=rule, place=district,
                 changes={"matter": matter, "turnout": [t_num, t_den, t_inc],
                          "approval": [a_num, a_den, a_inc], "source": source})  # fmt: skip
    return rule


@one_write
def rules_seed(*, actor, district: Place) -> int:
    """Load the Civil Code art. 278 defaults for a district that has none yet."""
    district = _district(district)
    _require(actor, "owners.set_rules", district)
    if DecisionRule.objects.filter(district=district).exists():
        return 0
    rows = defaults.rows()
    DecisionRule.objects.bulk_create(
        DecisionRule(district=district, created_by=actor, **row) for row in rows
    )
    audit.record(
        actor=actor, action="owners.rules_seed", obj=district, changes={"rules": len(rows)}
    )
    return len(rows)
