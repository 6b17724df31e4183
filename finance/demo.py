"""The demo district's books: default rules, this year's budgets in a few communities, and last
month's payments (some with a receipt photo, one without, two that look split) waiting for the
street office, so 社区财务 and 财务监督 have something to show.

And its boards (居务公开): every community's 党务, 居务 and 财务 boards of the past two years and
more, each prepared and submitted by the community's worker and published by its 居务监督委员会
member (the builder where the demo has none), through the services at back-dated moments
(``clock.moment``, relative to the day the demo is built): most within their due days, about one
in twelve late, and a few communities that stopped publishing one board for its last periods
(and last month's finance board waits wherever a payment still waits for the street office).
The communities with books also paid small sums each month before (receipts attached, approved
by their street officer, within budgets set for those years), so their finance boards show
them. So the street office's overdue list and the district page's 居务公开按时公开率 have both kinds to
show, and the newest boards that are not yet due may wait for review."""

import datetime
import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image

from core import clock
from core.models import Place, PlaceLevel, Role, RoleAssignment
from finance import periods, services
from finance.models import Board, DisclosureRule, Spending
from finance.selectors import board_periods

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
    made = boards(district=district, builder=builder, seed=seed)
    out(_("居务公开：%(published)d期已公开，%(waiting)d期待审核") % made)


# ---------------------------------------------------------------- boards

HISTORY_MONTHS = 26  # the district page's 24 months back to the quarter due in the first
LATE = 0.08  # the share of periods published after their due day
STOPPED_EVERY = 5  # one community in five has stopped publishing one of its boards
PAYING = 4  # the communities with books (above) pay small sums every month
MONTHLY = [  # category, payee, purpose, yuan from, to (well within the year's budget)
    ("office", "惠民文具店", "打印纸、墨盒等办公用品", 300, 1000),
    ("activity", "社区老年活动中心", "居民文体活动场地与茶水", 300, 800),
]
PARTY_NOTES = [
    "本季度召开党员大会1次、支部委员会3次，开展主题党日活动3次；党费收缴按时足额。",
    "本季度组织党员志愿服务4次；发展预备党员1名，转正1名；党员民主评议按期完成。",
    "本季度召开支部委员会3次，开展“三会一课”；走访困难党员5人次，发放慰问金。",
]


def _at(day: datetime.date, rng: random.Random) -> datetime.datetime:
    """A moment of working hours on ``day`` (Beijing time)."""
    at = datetime.datetime.combine(day, datetime.time(rng.randint(9, 16), rng.randint(0, 59)))
    return timezone.make_aware(at)


def _actors(district) -> dict[tuple, object]:
    """(place id, role) -> the first holder: each community's worker (who prepares its boards
    and records its payments) and 居务监督委员会 member (who publishes its boards), each street's
    officer (who approves the payments)."""
    found: dict[tuple, object] = {}
    for a in (
        RoleAssignment.objects.active()
        .filter(role__in=[Role.COMMUNITY_WORKER, Role.SUPERVISION_MEMBER, Role.STREET_OFFICER],
                place__district=district)
        .select_related("user").order_by("user_id")
    ):  # fmt: skip
        found.setdefault((a.place_id, a.role), a.user)
    return found


def _stopped(n: int, board: str) -> int:
    """How many of its last due periods community ``n`` left unpublished on ``board``."""
    if n % STOPPED_EVERY != 2:
        return 0
    stopped_board = Board.values[(n // STOPPED_EVERY) % len(Board.values)]
    return 1 + (n // STOPPED_EVERY) % 3 if board == stopped_board else 0


def _days(end, rule, late: bool, rng: random.Random) -> tuple[datetime.date, datetime.date]:
    """When a period's board is prepared and when it is published: within the due days, or
    prepared after the due day when late."""
    due = end + datetime.timedelta(days=rule.due_days)
    if late:
        prepared = due + datetime.timedelta(days=rng.randint(2, 12))
    else:
        prepared = end + datetime.timedelta(days=rng.randint(1, max(1, rule.due_days - 3)))
    return prepared, prepared + datetime.timedelta(days=rng.randint(0, 2))


def _paid(worker, officer, community, start: datetime.date, rng: random.Random) -> None:
    """A month's small payments, recorded with their receipts by the worker and approved by the
    street officer in the month (so the month's finance board has something to show)."""
    for category, payee, purpose, low, high in MONTHLY:
        spent_on = start + datetime.timedelta(days=rng.randint(2, 20))
        with clock.moment(_at(spent_on, rng)):
            spending = services.spending_record(
                actor=worker, community=community, category=category, payee=payee,
                purpose=purpose, amount_fen=rng.randint(low, high) * 100, spent_on=spent_on,
                receipt=_receipt(rng),
            )  # fmt: skip
        with clock.moment(_at(spent_on + datetime.timedelta(days=1), rng)):
            services.spending_approve(actor=officer, spending=spending)


def _one(worker, reviewer, community, board, start, days, rng) -> str:
    """Prepare and submit one board; publish it unless its publishing day is still ahead."""
    prepared, published = days
    note = rng.choice(PARTY_NOTES) if board == Board.PARTY else ""
    with clock.moment(_at(prepared, rng)):
        disclosure = services.disclosure_prepare(
            actor=worker, community=community, board=board, period_start=start, note=note
        )
        services.disclosure_submit(actor=worker, disclosure=disclosure)
    if published >= clock.today():
        return "waiting"
    with clock.moment(_at(published, rng) + datetime.timedelta(hours=1)):
        services.disclosure_publish(actor=reviewer, disclosure=disclosure)
    return "published"


def _board(community, n, board, ctx) -> dict[str, int]:
    made = {"published": 0, "waiting": 0}
    due_periods = [p for p in ctx["periods"][board]
                   if p[1] + datetime.timedelta(days=p[2].due_days) < ctx["today"]]  # fmt: skip
    stop = len(due_periods) - _stopped(n, board)
    worker = ctx["actors"].get((community.pk, Role.COMMUNITY_WORKER), ctx["builder"])
    reviewer = ctx["actors"].get((community.pk, Role.SUPERVISION_MEMBER), ctx["builder"])
    rng = ctx["rng"]
    for k, (start, end, rule) in enumerate(ctx["periods"][board]):
        waits = board == Board.FINANCE and any(
            start <= day <= end for day in ctx["pending"].get(community.pk, ())
        )  # a payment of the period still waits for the street office
        late = rng.random() < LATE or (n == 0 and board == Board.AFFAIRS and k == 1)
        days = _days(end, rule, late, rng)
        if k >= stop or waits or days[0] >= ctx["today"]:
            break  # a board never skips a period: the later ones wait too
        if board == Board.FINANCE and community.pk in ctx["paying"]:
            _paid(worker, ctx["paying"][community.pk], community, start, rng)
        made[_one(worker, reviewer, community, board, start, days, rng)] += 1
    return made


def _paying(communities, actors: dict, first: datetime.date) -> dict:
    """The first communities with a worker and a street officer: the officer of each, who sets
    the years' budgets before this one (this year's are set above) and approves its payments."""
    found = {}
    for community in communities[:PAYING]:
        officer = actors.get((community.parent_id, Role.STREET_OFFICER))
        if officer is None or (community.pk, Role.COMMUNITY_WORKER) not in actors:
            continue
        found[community.pk] = officer
        for year in range(first.year, clock.today().year):
            for category, amount in BUDGETS.items():
                services.budget_set(actor=officer, community=community, year=year,
                                    category=category, amount_fen=amount)  # fmt: skip
    return found


def boards(*, district, builder, seed) -> dict[str, int]:
    """Every active community's boards since ``HISTORY_MONTHS`` ago; how many were published
    and how many wait for review."""
    today = clock.today()
    rules = list(DisclosureRule.objects.filter(district=district).order_by("effective_from", "id"))
    first = periods.add_months(today.replace(day=1), -HISTORY_MONTHS)
    pending: dict[int, list] = {}
    for community_id, day in Spending.objects.filter(
        district=district, status=Spending.Status.PENDING
    ).values_list("community_id", "spent_on"):
        pending.setdefault(community_id, []).append(day)
    communities = list(
        Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY, is_active=True)
        .order_by("code")
    )  # fmt: skip
    actors = _actors(district)
    ctx = {
        "today": today, "builder": builder, "pending": pending, "actors": actors,
        "rng": random.Random(f"boards:{seed}"),
        "paying": _paying(communities, actors, first),
        "periods": {b: list(board_periods(rules, district.pk, b, first, today))
                    for b in Board.values},
    }  # fmt: skip
    made = {"published": 0, "waiting": 0}
    for n, community in enumerate(communities):
        for board in Board.values:
            for kind, count in _board(community, n, board, ctx).items():
                made[kind] += count
    return made
