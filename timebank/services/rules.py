"""The district's time-bank rules (caps, ages, switches): read on every write, set by the
district with the policy source that justifies each value."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import audit
from core.clock import one_write
from core.models import Place
from core.validation import require_perm as _require
from timebank import defaults
from timebank.models import (
    Rule,
)
from timebank.services.common import MAX_MINUTES


def rule_values(district: Place | int) -> dict[str, int]:
    """Every rule's value in the district (its own row, else the default), in one query."""
    district_id = district if isinstance(district, int) else district.pk
    values = {r["code"]: r["value"] for r in defaults.RULES}
    # Plain SQL: it runs on every ledger write, and compiling the ORM query cost more client
    # CPU than sending it. The default rows (no district) come first and the district's own
    # rows after them, so a district's value wins — as rules_for() shows them.
    with transaction.get_connection().cursor() as cursor:
        cursor.execute(RULES_SQL, [district_id])
        values.update(cursor.fetchall())
    return values


RULES_SQL = (
    f"SELECT code, value FROM {Rule._meta.db_table} "  # noqa: S608
    "WHERE district_id IS NULL OR district_id = %s ORDER BY district_id IS NOT NULL"
)


def rule_value(code: str, district: Place | int) -> int:
    """The district's value of a rule, or the default when the district has not set its own."""
    values = rule_values(district)
    if code not in values:
        raise LookupError(code)
    return values[code]


def rules_for(district: Place) -> list[Rule]:
    """Every rule as it applies in the district (its own row, else the default)."""
    own = {r.code: r for r in Rule.objects.filter(district=district)}
    base = {r.code: r for r in Rule.objects.filter(district__isnull=True)}
    return [own.get(code) or base[code] for code in sorted(base)]


@one_write
def rule_update(*, actor, district: Place, code: str, value, source: str) -> Rule:
    """Set a district's value of a rule, with the policy source that justifies it."""
    _require(actor, "timebank.edit_rules", district, _("只有区管理员和区减负办可以修改规则。"))
    if code not in {r["code"] for r in defaults.RULES}:
        raise ValidationError(_("未知规则。"), code="rule_unknown")
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise ValidationError(_("规则取值应为整数。"), code="rule_value") from None
    if code in defaults.BOOLEAN_RULES and value not in (0, 1):
        raise ValidationError(_("开关类规则只能取0或1。"), code="rule_value")
    if value < 0 or (code not in defaults.BOOLEAN_RULES and value == 0):
        raise ValidationError(_("规则取值必须大于零。"), code="rule_value")
    if code == defaults.STORAGE_CAP and value > MAX_MINUTES:
        raise ValidationError(_("存储上限不能超过1500小时。"), code="rule_value")
    source = " ".join((source or "").split())
    if not source:
        raise ValidationError(_("请注明政策依据。"), code="rule_source")
    base = Rule.objects.get(code=code, district__isnull=True)
    rule, _created = Rule.objects.select_for_update().get_or_create(
        district=district, code=code,
        defaults={"name": base.name, "unit": base.unit, "value": value, "source": source[:300]},
    )  # fmt: skip
    old = {"value": rule.value, "source": rule.source}
    rule.value, rule.source, rule.updated_by = value, source[:300], actor
    rule.save()
    audit.record(
        actor=actor, action="timebank.rule_update", obj=rule, place=district,
        changes={"code": code, "value": [old["value"], value], "source": source[:300]},
    )  # fmt: skip
    return rule
