"""Default rules, loaded per district by the seed services (then edited there). The threshold is
a local choice: no national figure exists, so the row says so in its source."""

import datetime

# No national or provincial figure for the two-person threshold was found (POLICY-FACTS names
# 居账街管 but no amount): the district sets it. The seeded row says so, and the rules page marks
# a row with this source as a district setting still to confirm.
THRESHOLD_SOURCE = (
    "由本区财务制度确定（无全国统一标准）；5000元为系统占位默认值，须由本区确认或修改"
)

APPROVAL_RULES = [
    {
        "two_person_above_fen": 500_000,  # 5,000 yuan
        "split_days": 30,
        "split_margin_percent": 20,
        "source": THRESHOLD_SOURCE,
        "effective_from": datetime.date(2020, 1, 1),
    },
]

# POLICY-FACTS: finances commonly monthly, the other boards quarterly.
DISCLOSURE_RULES = [
    {
        "board": "finance",
        "cadence": "monthly",
        "due_days": 10,
        "source": "村（居）务公开：财务每月公开（默认值，可修改）",
        "effective_from": datetime.date(2020, 1, 1),
    },
    {
        "board": "affairs",
        "cadence": "quarterly",
        "due_days": 15,
        "source": "村（居）务公开：居务每季度公开（默认值，可修改）",
        "effective_from": datetime.date(2020, 1, 1),
    },
    {
        "board": "party",
        "cadence": "quarterly",
        "due_days": 15,
        "source": "党务公开：每季度公开（默认值，可修改）",
        "effective_from": datetime.date(2020, 1, 1),
    },
]
