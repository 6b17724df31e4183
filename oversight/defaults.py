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
# The satisfaction part is the requests' satisfaction rate, the satisfaction survey and the
# residents' 民主评议; an indicator without data that year gives its weight to the others.
WEIGHTS = {
    "satisfaction_rate": 40,
    "satisfaction_survey": 20,
    "democratic_review": 10,
    "response_rate": 10,
    "resolution_rate": 10,
    "on_time_rate": 5,
    "burden_trend": 5,
    "settled_in_grid": 0,
    "refused_unadmitted": 0,
    "typed_cells": 0,
}
WEIGHTS_SOURCE = _("南京市社区考核：居民满意度占70%，工作实绩占30%")

# Residents' surveys: the questions of each kind (msgids, answered 满意 / 基本满意 / 不满意) and
# the default scoring rule (editable: a new rule row from a date).
SURVEY_QUESTIONS = {
    "review": [
        _("社区居委会全年工作总体评价"),
        _("社区工作者的服务态度和作风"),
        _("为民办事的效率"),
        _("居务公开和听取居民意见"),
    ],
    "satisfaction": [
        _("社区环境和公共秩序"),
        _("社区提供的服务"),
        _("反映问题后的处理结果"),
    ],
}
SURVEY_SOURCE = _(
    "多地社区工作者年度考核将居民民主评议纳入考核（计分方法由本区确定）；本区默认设置，请按本地规定修改"
)


def survey_rule() -> dict:
    return {
        "points_satisfied": 100, "points_basic": 60, "points_unsatisfied": 0, "min_answers": 10,
        "source": str(SURVEY_SOURCE), "effective_from": datetime.date(2020, 1, 1),
    }  # fmt: skip
