"""Default rules a district starts from (each an editable row with its source and start date).

The 居民代表会议 follows the Organic Law of Urban Residents' Committees (城市居民委员会组织法, 2018
revision) art. 10: a meeting of residents' representatives needs two thirds (以上) of the
representatives present, and decides by more than half of those present. Notice periods and the
support threshold are local choices; the defaults say so and are to be set by the district."""

import datetime

from django.utils.translation import gettext_lazy as _

START = datetime.date(2019, 1, 1)
LOCAL = _("本区默认设置，请按本地规定修改")
LAW = _("《中华人民共和国城市居民委员会组织法》第十条")

MEETING_RULES = [
    {"kind": "representatives", "notice_days": 5, "quorum": (2, 3, True), "passing": (1, 2, False),
     "source": LAW},
    {"kind": "hearing", "notice_days": 7, "quorum": (1, 2, False), "passing": (1, 2, False),
     "source": LOCAL},
    {"kind": "deliberation", "notice_days": 3, "quorum": (1, 2, False), "passing": (1, 2, False),
     "source": LOCAL},
]  # fmt: skip
SUPPORTS = 10
