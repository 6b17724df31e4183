"""Pay standards (issue #16 item 4), not payroll: the pay scale per grade with its floor rule
and welfare items, and the city's average wage entered by the district each year."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Place, PlaceLevel
from core.validation import clean_text
from core.validation import require_perm as _require
from workforce import defaults
from workforce.models import AverageWage, PayScale, Post
from workforce.services.checks import a_date

MAX_MONTHLY_FEN = 10_000_000  # 100,000 元 a month
MAX_ANNUAL_FEN = 100_000_000_00  # 100 million 元 a year


def _district(place: Place) -> Place:
    if place is None or place.level != PlaceLevel.DISTRICT:
        raise ValidationError(_("工资标准按区设定，请选择区。"), code="not_a_district")
    return place


def _int(value, label: str, low: int, high: int) -> int:
    try:
        number = None if isinstance(value, bool) else int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise ValidationError(_("%(label)s应为%(low)d到%(high)d之间的整数。"),
                              params={"label": label, "low": low, "high": high}, code="out_of_range")  # fmt: skip
    return number


def _amounts(amounts) -> dict:
    """{"1": fen, …}: every grade from 1 up, none lower than the grade below."""
    if not isinstance(amounts, dict) or not amounts:
        raise ValidationError(_("请填写各等级的月岗位工资。"), code="amounts")
    grades = sorted(_int(g, _("等级"), 1, 40) for g in amounts)
    if grades != list(range(1, len(grades) + 1)):
        raise ValidationError(_("等级须从1级起连续填写。"), code="amounts")
    clean, last = {}, 0
    for g in grades:
        fen = _int(amounts.get(str(g), amounts.get(g)), _("%(g)d级月工资") % {"g": g}, 1, MAX_MONTHLY_FEN)  # fmt: skip
        if fen < last:
            raise ValidationError(_("%(g)d级的工资不能低于%(h)d级。"), params={"g": g, "h": g - 1}, code="amounts")  # fmt: skip
        clean[str(g)], last = fen, fen
    return clean


def _shares(shares) -> dict:
    if not isinstance(shares, dict) or not shares:
        raise ValidationError(_("请填写各岗位的保底比例。"), code="floor_shares")
    clean = {}
    for post, share in shares.items():
        if post not in Post.values:
            raise ValidationError(_("保底比例中有未知的岗位。"), code="floor_shares")
        clean[post] = _int(share, _("保底比例（千分比）"), 0, 2000)
    return clean


def _welfare(items) -> list:
    clean = []
    for item in items or []:
        if not isinstance(item, dict) or item.get("kind") not in ("percent", "fixed"):
            raise ValidationError(_("福利项目须写明按比例还是固定金额。"), code="welfare")
        name = clean_text(item.get("name"), _("福利项目名称"), limit=30)
        high = 10_000 if item["kind"] == "percent" else MAX_MONTHLY_FEN
        clean.append({"name": name, "kind": item["kind"], "value": _int(item.get("value"), name, 0, high)})  # fmt: skip
    return clean


@one_write
def pay_scale_create(
    *, actor, district: Place, name: str, amounts: dict, floor_shares: dict, source: str,
    effective_from: datetime.date, welfare=(),
) -> PayScale:  # fmt: skip
    """A pay scale for a district from a date (earlier ones stay, for history)."""
    district = _district(district)
    _require(actor, "workforce.set_pay", district, _("只有区管理员或区减负办可以设定工资标准。"))
    scale = PayScale(
        district=district, name=clean_text(name, _("名称"), limit=100), amounts=_amounts(amounts),
        floor_shares=_shares(floor_shares), welfare=_welfare(welfare),
        source=clean_text(source, _("政策依据"), limit=300),
        effective_from=a_date(effective_from, _("生效日期")), created_by=actor,
    )  # fmt: skip
    if PayScale.objects.filter(district=district, effective_from=effective_from).exists():
        raise ValidationError(_("%(date)s已有一套工资标准生效；请换一个生效日期。"),
                              params={"date": effective_from.isoformat()}, code="same_start")  # fmt: skip
    scale.save()
    audit.record(actor=actor, action="workforce.pay_scale_create", obj=scale, place=district,
                 changes={"name": scale.name, "source": scale.source,
                          "effective_from": effective_from.isoformat()})  # fmt: skip
    return scale


@one_write
def pay_scales_seed(*, actor, district: Place) -> int:
    district = _district(district)
    _require(actor, "workforce.set_pay", district)
    if PayScale.objects.filter(district=district).exists():
        return 0
    PayScale.objects.create(district=district, created_by=actor, **defaults.PAY_SCALE)
    audit.record(actor=actor, action="workforce.pay_scales_seed", obj=district, changes={"scales": 1})  # fmt: skip
    return 1


@one_write
def average_wage_enter(*, actor, district: Place, year, annual_fen, source: str) -> AverageWage:
    """The city's average wage in non-private units for ``year`` (the floor of the next year
    is computed from it at once: nothing else is stored)."""
    district = _district(district)
    _require(actor, "workforce.set_pay", district, _("只有区管理员或区减负办可以录入平均工资。"))
    year = _int(year, _("年度"), 2000, clock.today().year)
    annual_fen = _int(annual_fen, _("年平均工资"), 100_000, MAX_ANNUAL_FEN)
    source = clean_text(source, _("数据来源"), limit=300)
    if AverageWage.objects.filter(district=district, year=year).exists():
        raise ValidationError(_("%(year)d年度的平均工资已录入。"), params={"year": year}, code="already_entered")  # fmt: skip
    wage = AverageWage.objects.create(district=district, year=year, annual_fen=annual_fen,
                                      source=source, created_by=actor)  # fmt: skip
    audit.record(actor=actor, action="workforce.average_wage_enter", obj=wage, place=district,
                 changes={"year": year, "annual_fen": annual_fen, "source": source})  # fmt: skip
    return wage


@one_write
def pay_view_record(*, actor, district: Place, purpose: str, what: str) -> None:
    """A full view of workers' pay standards (the amounts, or the roster), with its purpose."""
    _require(actor, "workforce.view_pay", district)
    purpose = (purpose or "").strip()
    if len(purpose) < 2:
        raise ValidationError(_("查看完整工资信息须说明用途。"), code="purpose_required")
    audit.record(actor=actor, action=f"workforce.{what}", obj=district, purpose=purpose[:200])
