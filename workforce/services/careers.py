"""Career rules (issue #16 item 8): what the next post needs, as a district's rule row."""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core import audit
from core.clock import one_write
from core.models import Place
from core.validation import clean_text
from core.validation import require_perm as _require
from workforce import defaults
from workforce.models import CareerRule
from workforce.services.checks import a_date
from workforce.services.pay import _district, _int


@one_write
def career_rule_create(
    *, actor, district: Place, name: str, min_years_in_post, assessments_needed,
    training_required: bool, source: str, effective_from: datetime.date,
) -> CareerRule:  # fmt: skip
    district = _district(district)
    _require(actor, "workforce.set_grade_rules", district, _("只有区管理员或区减负办可以设定岗位晋升条件。"))  # fmt: skip
    rule = CareerRule(
        district=district, name=clean_text(name, _("名称"), limit=100),
        min_years_in_post=_int(min_years_in_post, _("现岗位最少年限"), 0, 20),
        assessments_needed=_int(assessments_needed, _("须连续称职以上的年度数"), 0, 10),
        training_required=bool(training_required), source=clean_text(source, _("政策依据"), limit=300),
        effective_from=a_date(effective_from, _("生效日期")), created_by=actor,
    )  # fmt: skip
    if CareerRule.objects.filter(district=district, effective_from=effective_from).exists():
        raise ValidationError(_("%(date)s已有一条岗位晋升条件生效；请换一个生效日期。"),
                              params={"date": effective_from.isoformat()}, code="same_start")  # fmt: skip
    rule.save()
    audit.record(actor=actor, action="workforce.career_rule_create", obj=rule, place=district,
                 changes={"min_years_in_post": rule.min_years_in_post,
                          "assessments_needed": rule.assessments_needed,
                          "training_required": rule.training_required, "source": rule.source,
                          "effective_from": effective_from.isoformat()})  # fmt: skip
    return rule


@one_write
def career_rules_seed(*, actor, district: Place) -> int:
    district = _district(district)
    _require(actor, "workforce.set_grade_rules", district)
    if CareerRule.objects.filter(district=district).exists():
        return 0
    CareerRule.objects.create(district=district, created_by=actor, **defaults.CAREER_RULE)
    audit.record(
        actor=actor, action="workforce.career_rules_seed", obj=district, changes={"rules": 1}
    )
    return 1
