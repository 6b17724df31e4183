"""Results feed community funding (issue #17 item 1): the district's funding rule turns each
community's assessment result into the next year's district grant, recorded as income once per
result, with the rule and the score in its note."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Place
from core.money import fen, yuan_sign
from core.validation import clean_int, clean_text
from core.validation import require_perm as _require
from finance.models import FundingRule, Income
from finance.services.common import day, district_of
from oversight import selectors as oversight

NOT_SETTER = _("只有区管理员或区减负办可以设定考核拨款规则和拨付考核拨款。")


def funding_rule(district_id: int, on: datetime.date) -> FundingRule | None:
    return FundingRule.objects.in_force(on, district_id=district_id)


@one_write
def funding_rule_create(
    *, actor, district: Place, floor_score: int, full_fen: int, source: str,
    effective_from: datetime.date,
) -> FundingRule:  # fmt: skip
    """A new funding rule from a date (rules are never edited in place)."""
    district = district_of(district)
    _require(actor, "finance.set_rules", district, NOT_SETTER)
    floor_score = clean_int(floor_score, _("起拨分数"), 0, 99)
    full_fen = fen(full_fen, _("满分拨款"))
    source = clean_text(source, _("政策依据"), limit=300)
    effective_from = day(effective_from, _("生效日期"))
    if FundingRule.objects.filter(district=district, effective_from=effective_from).exists():
        raise ValidationError(_("这一天已有一条考核拨款规则生效。"), code="duplicate")
    rule = FundingRule.objects.create(
        district=district, floor_score=floor_score, full_fen=full_fen, source=source,
        effective_from=effective_from, created_by=actor,
    )  # fmt: skip
    audit.record(actor=actor, action="finance.funding_rule_create", obj=rule, place=district,
                 changes={"floor_score": floor_score, "full_fen": full_fen})  # fmt: skip
    return rule


@one_write
def assessment_grants_pay(*, actor, district: Place, year: int) -> list[Income]:
    """Each community's grant from its ``year`` assessment result (the final score, after an
    objection's adjustment) under the rule in force on 1 January of the next year, recorded as
    district-grant income today; once per result (a second run pays nothing more)."""
    district = district_of(district)
    _require(actor, "finance.set_rules", district, NOT_SETTER)
    today = clock.today()
    year = clean_int(year, _("考核年度"), 2000, today.year)
    if year >= today.year:
        raise ValidationError(
            _("%(year)d年度结束后才能按考核结果拨付次年经费。"), params={"year": year},
            code="year_not_over",
        )  # fmt: skip
    rule = funding_rule(district.pk, datetime.date(year + 1, 1, 1))
    if rule is None:
        raise ValidationError(
            _("%(next)d年1月1日没有生效的考核拨款规则，请先设定。"), params={"next": year + 1},
            code="no_rule",
        )  # fmt: skip
    results = list(oversight.results_of_year(district, year))
    if not results:
        raise ValidationError(_("%(year)d年度考核结果尚未计算。"), params={"year": year},
                              code="no_results")  # fmt: skip
    paid = set(
        Income.objects.filter(district=district, source_key__startswith="oversight.result:")
        .values_list("source_key", flat=True)
    )  # fmt: skip
    made = []
    for result in results:
        key, amount = f"oversight.result:{result.pk}", rule.grant_fen(result.final_tenths)
        if key in paid or not amount:
            continue
        note = _("%(year)d年度考核%(score)s分，按考核拨款规则（%(from)s起，%(source)s）拨付%(amount)s") % {
            "year": year, "score": f"{result.score:.1f}", "from": rule.effective_from,
            "source": rule.source, "amount": yuan_sign(amount),
        }  # fmt: skip
        made.append(Income.objects.create(
            district=district, community=result.community, kind=Income.Kind.GRANT,
            amount_fen=amount, received_on=today, payer=district.name, note=note[:300],
            recorded_by=actor, source_key=key,
        ))  # fmt: skip
    audit.record(actor=actor, action="finance.assessment_grants_pay", obj=district,
                 changes={"year": year, "rule": rule.pk, "grants": len(made),
                          "total_fen": sum(i.amount_fen for i in made)})  # fmt: skip
    return made
