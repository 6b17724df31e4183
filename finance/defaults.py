"""Default rules, loaded per district by the seed services (then edited there). The threshold is
a local choice: no national figure exists, so the row says so in its source."""

import datetime

APPROVAL_RULES = [
    {
        "two_person_above_fen": 500_000,  # 5,000 yuan
        "split_days": 30,
        "split_margin_percent": 20,
        "source": "居账街管：大额支出两人审批（默认值5000元，请按本区财务制度修改）",
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
