"""Default rules of request handling, each with its source. Seeded by a data migration as the
rows without a district; a district's dispatchers set their own value (services.services.rules).
"""

from django.utils.translation import gettext_noop as _

ROUTING_MIN_CONFIDENCE = "routing_min_confidence"
GRID_DAYS = "grid_handling_days"
COMMUNITY_DAYS = "community_handling_days"
STREET_DAYS = "street_handling_days"
WHISTLE_REPORT_DAYS = "whistle_report_days"

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
    {
        "code": GRID_DAYS,
        "name": _("网格处置时限"),
        "value": 2,
        "unit": "working_days",
        "source": _(
            "本区设定：网格员能就地解决的小事，从受理起若干个工作日内答复并办结；"
            "处置不了的上报社区（可调整）。"
        ),
        "min": 1,
        "max": 15,
    },
    {
        "code": COMMUNITY_DAYS,
        "name": _("社区处置时限"),
        "value": 3,
        "unit": "working_days",
        "source": _(
            "本区设定：社区从受理或网格上报起若干个工作日内办结，处置不了的上报街道（可调整）。"
        ),
        "min": 1,
        "max": 15,
    },
    {
        "code": STREET_DAYS,
        "name": _("街道处置时限"),
        "value": 5,
        "unit": "working_days",
        "source": _(
            "本区设定：街道从受理或社区上报起若干个工作日内办结；需要职能部门的，吹哨召集部门（可调整）。"
        ),
        "min": 1,
        "max": 30,
    },
    {
        "code": WHISTLE_REPORT_DAYS,
        "name": _("部门报到时限"),
        "value": 1,
        "unit": "working_days",
        "source": _(
            "“街乡吹哨、部门报到”（北京，2018年起）：街道吹哨后职能部门须在规定时间内报到，"
            "由街道评价；本区设定为若干个工作日（可调整）。"
        ),
        "min": 1,
        "max": 10,
    },
]
LEVEL_DAYS = {"grid": GRID_DAYS, "community": COMMUNITY_DAYS, "street": STREET_DAYS}
BY_CODE = {rule["code"]: rule for rule in RULES}
