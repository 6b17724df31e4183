"""Default rows a district starts from (editable: each is a row with its source and date)."""

import datetime

from django.utils.translation import gettext_lazy as _

START = datetime.date(2019, 9, 1)
SOURCE = _("《中国共产党问责条例》（2019年修订）；本区默认设置，请按本地规定修改")

# Which sanctions need a preceding reminder (谈话提醒、函询或诫勉), and how long each is in force
# (pauses grade progression). A disciplinary sanction follows the discipline rules, not a reminder.
SANCTION_RULES = [
    {"sanction": "notice", "requires_reminder": True, "months_in_force": 6},
    {"sanction": "adjustment", "requires_reminder": True, "months_in_force": 12},
    {"sanction": "discipline", "requires_reminder": False, "months_in_force": 12},
]

# Nanjing's community assessment: residents' satisfaction 70%, work 30% (POLICY-FACTS).
WEIGHTS = {
    "satisfaction_rate": 70,
    "response_rate": 10,
    "resolution_rate": 10,
    "on_time_rate": 5,
    "burden_trend": 5,
    "refused_unadmitted": 0,
    "typed_cells": 0,
}
WEIGHTS_SOURCE = _("南京市社区考核：居民满意度占70%，工作实绩占30%")
