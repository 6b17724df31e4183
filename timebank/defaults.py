"""Default time-bank rules, each with its policy source (copied from POLICY-FACTS, time bank).

Seeded by a data migration as the rows without a district; a district edits its own copy.
Boolean rules are 1 (on) or 0 (off).
"""

from django.utils.translation import gettext_noop as _

STORAGE_CAP = "storage_cap_minutes"
DAILY_DEPOSIT_CAP = "daily_deposit_cap_minutes"
WITHDRAWAL_AGE = "withdrawal_min_age"
RELATIVE_TRANSFER_BY_WORKER = "relative_transfer_needs_worker"
DONATIONS_ALLOWED = "donations_allowed"
TEAM_DONATE_ONLY = "team_hours_donate_only"
DISTRICT_WIDE = "district_wide_exchange"
PRIORITY_AGE_ALONE = "priority_elderly_age_alone"
SIGN_IN_WINDOW = "sign_in_window_minutes"
MINUTES_MISMATCH = "minutes_mismatch_percent"

RULES = [
    {
        "code": STORAGE_CAP,
        "name": _("个人存储上限"),
        "value": 1500 * 60,
        "unit": "minutes",
        "source": _(
            "南京市时间银行实施方案（2019年7月）：个人账户最多存储1500小时，超出部分可捐赠或转为荣誉。"
        ),
    },
    {
        "code": DAILY_DEPOSIT_CAP,
        "name": _("每日存入上限"),
        "value": 8 * 60,
        "unit": "minutes",
        "source": _(
            "本区设定：每人每日最多存入8小时（参照上海长宁试点设每日上限的做法，可调整）。"
        ),
    },
    {
        "code": WITHDRAWAL_AGE,
        "name": _("支取年龄"),
        "value": 60,
        "unit": "years",
        "source": _("南京市时间银行实施方案：年满60周岁可支取本人存储的时间。"),
    },
    {
        "code": RELATIVE_TRANSFER_BY_WORKER,
        "name": _("转赠亲属须社区核实"),
        "value": 1,
        "unit": "bool",
        "source": _("南京市时间银行实施方案：存储时间可赠与亲属；由社区工作者核实亲属关系后办理。"),
    },
    {
        "code": DONATIONS_ALLOWED,
        "name": _("允许捐赠"),
        "value": 1,
        "unit": "bool",
        "source": _("南京市时间银行实施方案：存储时间可以捐赠。"),
    },
    {
        "code": TEAM_DONATE_ONLY,
        "name": _("团队时间只能捐赠"),
        "value": 1,
        "unit": "bool",
        "source": _("南京市时间银行实施方案：团体志愿服务时间只能用于捐赠。"),
    },
    {
        "code": DISTRICT_WIDE,
        "name": _("区内通存通兑"),
        "value": 1,
        "unit": "bool",
        "source": _("南京市时间银行（2020年9月起全市通存通兑）：可在区内任一社区存入和支取。"),
    },
    {
        "code": PRIORITY_AGE_ALONE,
        "name": _("基金优先服务年龄（独居）"),
        "value": 80,
        "unit": "years",
        "source": _(
            "南京市时间银行实施方案：80周岁以上独居老人，或60–79周岁独居且失能并享受低保的老人，由基金优先提供服务。"
        ),
    },
    {
        "code": SIGN_IN_WINDOW,
        "name": _("签到时间窗口"),
        "value": 2 * 60,
        "unit": "minutes",
        "source": _(
            "本区设定：志愿者只能在约定服务时间前后2小时内签到，防止提前签到或事后补签"
            "虚增服务时长（可调整）。"
        ),
    },
    {
        "code": MINUTES_MISMATCH,
        "name": _("时长差异提示比例"),
        "value": 50,
        "unit": "percent",
        "source": _(
            "本区设定：确认时长或签到签退时长与约定时长相差超过约定时长的50%时，"
            "确认页提示核实，审核页标注“时长与约定不符”（可调整）。"
        ),
    },
]

BOOLEAN_RULES = {RELATIVE_TRANSFER_BY_WORKER, DONATIONS_ALLOWED, TEAM_DONATE_ONLY, DISTRICT_WIDE}
