"""The sign-up rule a district starts with (``rules_seed``), editable on /channel/rules/: no
national rule fixes these numbers, so the source says they are the platform's defaults until
the district enters its own (a new row with a later start)."""

import datetime

SOURCE = "平台默认值（无统一规定；区可按本地社区公众号管理办法修改）"
IN_FORCE = datetime.date(2024, 1, 1)
MAX_CAPACITY = 500
CANCEL_HOURS = 2
