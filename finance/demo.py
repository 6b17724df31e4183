"""The demo district's books: default rules, this year's budgets in a few communities, and last
month's payments (some with a receipt photo, one without, two that look split) waiting for the
street office, so 社区财务 and 财务监督 have something to show."""

import datetime
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext as _
from PIL import Image

from core import clock
from core.models import Place, PlaceLevel
from finance import services

BUDGETS = {"office": 3_000_000, "activity": 2_000_000, "service": 5_000_000}
PAYMENTS = [
    ("office", 126_000, "惠民文具店", "打印纸、硒鼓", True),
    ("activity", 358_050, "社区老年活动中心", "重阳节敬老活动", True),
    ("service", 88_000, "便民家政服务社", "独居老人上门保洁", False),
]


def _receipt(rng: random.Random) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (120, 160), tuple(rng.randrange(200, 256) for _ in range(3))).save(out, "PNG")
    return SimpleUploadedFile("receipt.png", out.getvalue(), content_type="image/png")


def build(*, district, builder, seed, out):
    rng = random.Random(seed)
    services.rules_seed(actor=builder, district=district)
    day = (clock.today().replace(day=1) - datetime.timedelta(days=1)).replace(day=5)
    communities = list(
        Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY, is_active=True)
        .order_by("code")[:4]
    )  # fmt: skip
    count = 0
    for community in communities:
        for category, amount in BUDGETS.items():
            services.budget_set(actor=builder, community=community, year=day.year,
                                category=category, amount_fen=amount)  # fmt: skip
        for category, amount, payee, purpose, with_receipt in PAYMENTS:
            services.spending_record(
                actor=builder, community=community, category=category, amount_fen=amount,
                payee=payee, purpose=purpose, spent_on=day,
                receipt=_receipt(rng) if with_receipt else None,
            )  # fmt: skip
            count += 1
    if communities:
        for offset in (0, 6):  # two payments to one payee, each just under the threshold
            services.spending_record(
                actor=builder, community=communities[0], category="service", amount_fen=480_000,
                payee="某某绿化工程队", purpose="小区绿化补植",
                spent_on=day + datetime.timedelta(days=offset), receipt=_receipt(rng),
            )  # fmt: skip
            count += 1
    out(_("社区财务：载入默认规则，%(n)d笔待审批支出") % {"n": count})
