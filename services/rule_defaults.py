"""Default rules of request handling, each with its source. Seeded by a data migration as the
rows without a district; a district's dispatchers set their own value (services.services.rules).
"""

from django.utils.translation import gettext_noop as _

ROUTING_MIN_CONFIDENCE = "routing_min_confidence"

RULES = [
    {
        "code": ROUTING_MIN_CONFIDENCE,
        "name": _("系统建议主办部门的最低把握"),
        "value": 70,
        "unit": "percent",
        "source": _(
            "本区设定：系统的把握是在留出的样例上校准过的命中率；低于此值时不作建议、不预选部门，"
            "由派单员判断（评测见 docs/benchmarks.md 的 routing 一行，可调整）。"
        ),
        "min": 1,
        "max": 100,
    },
]
BY_CODE = {rule["code"]: rule for rule in RULES}
