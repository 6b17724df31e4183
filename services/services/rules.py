"""The district's rules of request handling (services.rule_defaults): read where they apply,
set by the district's dispatchers with the source that justifies each value."""

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from core import audit
from core.clock import one_write
from core.models import Place
from core.validation import require_perm
from services import rule_defaults
from services.models import ServiceRule


def rule_values(district: Place | int) -> dict[str, int]:
    """Every rule's value in the district (its own row, else the default row, else the code's
    default), in one query."""
    district_id = district if isinstance(district, int) else district.pk
    values = {r["code"]: r["value"] for r in rule_defaults.RULES}
    rows = ServiceRule.objects.filter(
        Q(district_id__isnull=True) | Q(district_id=district_id), code__in=list(values)
    ).values_list("district_id", "code", "value")
    # The default rows first, the district's own after them: the district's value wins.
    for _district, code, value in sorted(rows, key=lambda row: row[0] is not None):
        values[code] = value
    return values


def rule_value(code: str, district: Place | int) -> int:
    values = rule_values(district)
    if code not in values:
        raise LookupError(code)
    return values[code]


def rules_for(district: Place) -> list[ServiceRule]:
    """Every rule as it applies in the district (its own row, else the default)."""
    own = {r.code: r for r in ServiceRule.objects.filter(district=district)}
    base = {r.code: r for r in ServiceRule.objects.filter(district__isnull=True)}
    shown = []
    for spec in rule_defaults.RULES:
        code = spec["code"]
        rule = own.get(code) or base.get(code)
        if rule is None:  # the default row is missing: show the code's default
            rule = ServiceRule(
                code=code, name=spec["name"], value=spec["value"], unit=spec["unit"],
                source=spec["source"],
            )  # fmt: skip
        shown.append(rule)
    return shown


@one_write
def rule_update(*, actor, district: Place, code: str, value, source: str) -> ServiceRule:
    """Set the district's value of a rule, with the source that justifies it."""
    require_perm(
        actor, "services.edit_rules", district,
        _("只有本区派单员（区管理员、区减负办）可以修改诉求办理规则。"),
    )  # fmt: skip
    spec = rule_defaults.BY_CODE.get(code)
    if spec is None:
        raise ValidationError(_("未知规则。"), code="rule_unknown")
    try:
        value = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(_("规则取值应为整数。"), code="rule_value") from None
    if not spec["min"] <= value <= spec["max"]:
        raise ValidationError(
            _("取值应在%(low)d到%(high)d之间。"),
            params={"low": spec["min"], "high": spec["max"]},
            code="rule_value",
        )
    source = " ".join((source or "").split())
    if not source:
        raise ValidationError(_("请注明依据。"), code="rule_source")
    if len(source) > 300:
        raise ValidationError(_("依据最多300字。"), code="rule_source")
    rule, _created = ServiceRule.objects.select_for_update().get_or_create(
        district=district, code=code,
        defaults={"name": spec["name"], "unit": spec["unit"], "value": value, "source": source},
    )  # fmt: skip
    old = [rule.value, rule.source]
    rule.value, rule.source, rule.updated_by = value, source, actor
    rule.save()
    audit.record(
        actor=actor, action="services.rule_update", obj=rule, place=district,
        changes={"code": code, "value": [old[0], value], "source": [old[1], source]},
    )  # fmt: skip
    return rule
