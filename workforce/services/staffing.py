"""Every write of the workforce app: staffing rules (each with its policy source)."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit
from core.clock import one_write
from core.models import Place, PlaceLevel
from core.validation import clean_text
from core.validation import require_perm as _require
from workforce import defaults
from workforce.models import StaffingRule

MAX_PER_10K = 100
MAX_STAFF = 200


def _district(place: Place) -> Place:
    if place is None or place.level != PlaceLevel.DISTRICT:
        raise ValidationError(_("配备标准按区设定，请选择区。"), code="not_a_district")
    return place


def _whole(value, label: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or isinstance(value, bool) or not low <= number <= high:
        raise ValidationError(
            _("%(label)s应为%(low)d到%(high)d之间的整数。"),
            params={"label": label, "low": low, "high": high}, code="out_of_range",
        )  # fmt: skip
    return number


def _bands(bands) -> list[list[int]]:
    """[[households below which, staff], …]: households rising, staff not falling."""
    if not isinstance(bands, list | tuple) or not bands:
        raise ValidationError(_("请至少填写一档户数和人数。"), code="bands")
    clean = []
    for entry in bands:
        if not isinstance(entry, list | tuple) or len(entry) != 2:
            raise ValidationError(_("每一档须写成“户数上限, 人数”。"), code="bands")
        below = _whole(entry[0], _("户数上限"), 1, 1_000_000)
        staff = _whole(entry[1], _("配备人数"), 1, MAX_STAFF)
        if clean and (below <= clean[-1][0] or staff < clean[-1][1]):
            raise ValidationError(
                _("户数分档须从少到多排列，人数不能比上一档少（第%(n)d档）。"),
                params={"n": len(clean) + 1}, code="bands",
            )  # fmt: skip
        clean.append([below, staff])
    return clean


@one_write
def staffing_rule_create(
    *, actor, district: Place, name: str, kind: str, source: str,
    effective_from: datetime.date, per_10k_residents=0, bands=(), step_households=0, cap=0,
) -> StaffingRule:  # fmt: skip
    """A new staffing rule for a district from a date (the rules before it stay, for history)."""
    district = _district(district)
    _require(actor, "workforce.set_staffing_rules", district, _("只有区管理员或区减负办可以设定配备标准。"))  # fmt: skip
    name = clean_text(name, _("名称"), limit=100)
    source = clean_text(source, _("政策依据"), limit=300)
    if kind not in StaffingRule.Kind.values:
        raise ValidationError(_("请选择计算方式。"), code="kind")
    if not isinstance(effective_from, datetime.date):
        raise ValidationError(_("请填写生效日期。"), code="effective_from")
    rule = StaffingRule(district=district, name=name, kind=kind, source=source,
                        effective_from=effective_from, created_by=actor)  # fmt: skip
    if kind == StaffingRule.Kind.PER_RESIDENTS:
        rule.per_10k_residents = _whole(per_10k_residents, _("每万名居民配备人数"), 1, MAX_PER_10K)
    else:
        rule.bands = _bands(bands)
        rule.step_households = _whole(step_households or 0, _("超出最高档后每增加户数"), 0, 100_000)
    rule.cap = _whole(cap or 0, _("上限"), 0, MAX_STAFF)
    if StaffingRule.objects.filter(district=district, effective_from=effective_from).exists():
        raise ValidationError(
            _("%(date)s已有一条配备标准生效；请换一个生效日期。"),
            params={"date": effective_from.isoformat()}, code="same_start",
        )  # fmt: skip
    rule.save()
    audit.record(actor=actor, action="workforce.staffing_rule_create", obj=rule, place=district,
                 changes={"name": name, "kind": kind, "source": source,
                          "effective_from": effective_from.isoformat()})  # fmt: skip
    return rule


@one_write
def staffing_rules_seed(*, actor, district: Place) -> int:
    """Load the default rules (with their sources) for a district that has none yet."""
    district = _district(district)
    _require(actor, "workforce.set_staffing_rules", district)
    if StaffingRule.objects.filter(district=district).exists():
        return 0
    for row in defaults.RULES:
        StaffingRule.objects.create(district=district, created_by=actor, **row)
    audit.record(actor=actor, action="workforce.staffing_rules_seed", obj=district,
                 changes={"rules": len(defaults.RULES)})  # fmt: skip
    return len(defaults.RULES)
