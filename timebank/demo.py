"""Demo time bank: accounts in the first communities, volunteer teams and funds, a few weeks of
services from need to approved deposit, and some needs still open, waiting for family
confirmation or for a worker's approval. Everything goes through the services; deterministic
given the seed.
"""

import datetime
import random

from django.core.exceptions import ValidationError
from django.utils import timezone

from core import clock
from core.models import Person, Place, PlaceLevel, Role, RoleAssignment
from timebank import services
from timebank.models import Account, AccountKind, Listing, Order, Payer

OFFERS = [
    ("company", "陪老人聊天、读报", "读报，下棋", "135", (9, 11)),
    ("tech", "教老人用智能手机", "微信，挂号，健康码", "67", (14, 17)),
    ("repair", "小修小补", "水龙头，灯泡，换锁", "", None),
    ("errand", "下班顺路代购", "买菜，取药", "12345", (18, 20)),
]

NEEDS = [
    ("company", "陪{n}聊天读报", 60),
    ("errand", "帮{n}买菜取药", 45),
    ("escort", "陪{n}去社区医院复诊", 120),
    ("cleaning", "帮{n}打扫卫生", 90),
    ("repair", "帮{n}修理水龙头", 30),
    ("tech", "教{n}用手机挂号", 60),
]


def build(*, district, builder, seed, out):
    rng = random.Random(f"timebank:{seed}")
    communities = list(
        Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY, is_active=True)
        .order_by("code")[:3]
    )  # fmt: skip
    if not communities:
        return
    volunteers = _volunteers(district, builder)
    elders = _elders(builder, communities)
    if not volunteers or not elders:
        return
    _teams_and_funds(district, builder, communities, rng)
    # Elders who volunteered when younger hold stored time (deposited by their community).
    for i, (_person, account) in enumerate(elders):
        if i % 2 == 0:
            services.deposit(
                actor=builder, account=account, minutes=rng.choice([120, 180, 300]),
                key=f"demo-{district.code}-elder-{account.pk}", memo="历年志愿服务转入",
            )  # fmt: skip
    _offers(volunteers)
    served = _services(district, builder, volunteers, elders, rng)
    out(
        f"时间银行：{len(volunteers)} 名志愿者、{len(elders)} 位老人开户，"
        f"{served} 次服务已入账，"
        f"{Listing.objects.filter(district=district, status='open').count()} 条需求待接单，"
        f"{Order.objects.filter(district=district, status='confirmed').count()} 条待审核"
    )


def _volunteers(district, builder) -> list[tuple]:
    """The residents who can log in (they live in the first communities), with new accounts."""
    login_people = Person.objects.filter(
        district=district, account__isnull=False, id_number_hash__gt="",
        account__role_assignments__role=Role.RESIDENT,
        account__role_assignments__ended_at__isnull=True,
    ).select_related("place").distinct().order_by("pk")  # fmt: skip
    return [
        (person, services.member_account_open(actor=builder, person=person))
        for person in login_people
        if person.place is not None
    ]


def _elders(builder, communities) -> list[tuple]:
    """Real-name residents aged 62+ in the communities (six each), with new accounts."""
    today = timezone.localdate()
    elders = []
    for community in communities:
        candidates = Person.objects.filter(
            place__path__startswith=community.path, account__isnull=True,
            id_number_hash__gt="", birth_date__lte=today.replace(year=today.year - 62),
        ).order_by("pk")[:6]  # fmt: skip
        elders += [(p, services.member_account_open(actor=builder, person=p)) for p in candidates]
    return elders


def _teams_and_funds(district, builder, communities, rng) -> None:
    """Each community's volunteer team (with some hours) and fund (with the team's gift)."""
    for community in communities:
        team = services.group_account_open(
            actor=builder, community=community, kind=AccountKind.TEAM,
            name=f"{community.name}青年志愿服务队",
        )  # fmt: skip
        fund = services.group_account_open(
            actor=builder, community=community, kind=AccountKind.FUND,
            name=f"{community.name}时间公益基金",
        )  # fmt: skip
        services.deposit(
            actor=builder, account=team, minutes=rng.choice([240, 360, 480]),
            key=f"demo-{district.code}-team-{community.pk}", memo="团队助老活动", place=community,
        )  # fmt: skip
        services.donate(
            actor=builder, source=team, fund=fund, minutes=180,
            key=f"demo-{district.code}-donate-{community.pk}", memo="团队时间捐赠",
        )  # fmt: skip


def _offers(volunteers) -> None:
    """What the first volunteers can do, and when."""
    for (person, _account), (category, title, skills, days, hours) in zip(
        volunteers, OFFERS, strict=False
    ):
        services.listing_create(
            actor=person.account, kind="offer", category=category, title=title, minutes=60,
            skills=skills, weekdays=days,
            start_time=datetime.time(hours[0]) if hours else None,
            end_time=datetime.time(hours[1]) if hours else None,
        )  # fmt: skip


def _services(district, builder, volunteers, elders, rng) -> int:
    """A need for each elder, carried to a stage by its number: open (5), taken (4), waiting
    for the family (3) or the worker (2), or approved. The number approved."""
    workers, second = _workers(district)
    served = 0
    daily = {}
    for i, (elder, elder_account) in enumerate(elders):
        community = elder_account.place
        worker = workers.get(community.pk, builder)
        stage = i % 6
        listing = _need(district, worker, i, elder, elder_account, rng, stage=stage)
        if stage == 5:
            continue  # still open: waiting for a volunteer
        person, volunteer = volunteers[i % len(volunteers)]
        if daily.get(volunteer.pk, 0) + listing.minutes > 8 * 60:
            continue
        daily[volunteer.pk] = daily.get(volunteer.pk, 0) + listing.minutes
        order = _carry(person.account, worker, listing, stage, rng)
        if order is None:
            continue
        approver = second.get(community.pk, builder)
        try:
            services.order_approve(actor=approver, order=order)
        except ValidationError:  # a payer short of time: the service stays waiting
            continue
        served += 1
        _afterwards(i, person.account, worker, order)
    return served


def _need(district, worker, i, elder, elder_account, rng, *, stage: int) -> Listing:
    """The i-th need, posted by the community worker for the elder; paid by the elder when
    they hold the time, by the fund for a priority elder now and then. A need carried past the
    sign-in (stages 0-3) was agreed for a morning of the last days, and posted the day before
    it (the volunteer signs in at the agreed time: the sign-in window)."""
    category, title, minutes = NEEDS[i % len(NEEDS)]
    balance = Account.objects.get(pk=elder_account.pk).balance
    payer = Payer.SELF if balance >= minutes else Payer.NONE
    if i % 5 == 4 and services.fund_ineligibility(elder, district_id=district.pk) is None:
        payer = Payer.FUND  # a priority elder by the registry's status tags
    if stage <= 3:
        wanted = _a_past_morning(rng)
        with clock.moment(wanted - datetime.timedelta(days=1)):
            return _post_need(worker, category, title, elder, minutes, payer, wanted)
    wanted = timezone.now() + datetime.timedelta(days=rng.randint(1, 6))
    return _post_need(worker, category, title, elder, minutes, payer, wanted)


def _a_past_morning(rng) -> datetime.datetime:
    day = clock.today() - datetime.timedelta(days=rng.randint(1, 5))
    at = datetime.datetime.combine(day, datetime.time(rng.randint(8, 10), rng.choice([0, 30])))
    return timezone.make_aware(at)


def _post_need(worker, category, title, elder, minutes, payer, wanted) -> Listing:
    return services.listing_create(
        actor=worker, kind="need", category=category,
        title=title.format(n=elder.name[0] + ("奶奶" if elder.gender == "F" else "大爷")),
        minutes=minutes, recipient=elder, payer=payer,
        wanted_at=wanted,
    )  # fmt: skip


def _carry(volunteer, worker, listing, stage: int, rng) -> Order | None:
    """Take the need and carry it up to its stage; the order when it is ready for approval."""
    wanted = listing.wanted_at
    if stage == 4:
        services.order_take(actor=volunteer, listing=listing)
        return None  # taken, not started
    with clock.moment(wanted - datetime.timedelta(hours=20)):
        order = services.order_take(actor=volunteer, listing=listing)
    with clock.moment(wanted + datetime.timedelta(minutes=rng.randint(-10, 10))):
        services.order_sign_in(actor=volunteer, order=order)
    served = listing.minutes + rng.randint(-10, 5)
    with clock.moment(order.listing.wanted_at + datetime.timedelta(minutes=served)):
        services.order_sign_out(actor=volunteer, order=order)
    if stage == 3:
        return None  # waiting for the family's confirmation
    services.order_confirm(
        actor=worker, order=order, minutes=listing.minutes, rating=rng.choice([4, 5, 5])
    )
    if stage == 2:
        return None  # waiting for the worker's approval
    return order


def _afterwards(i: int, volunteer, worker, order) -> None:
    if i % 3 == 0:  # the volunteer rates the visit too
        services.order_rate(actor=volunteer, order=order, rating=5, comment="老人很热情")
    if i == 1:  # one family disagrees with the minutes: waiting for the street office
        services.dispute_raise(actor=worker, order=order, reason="家属反映实际服务时间较短，请核实")


def _workers(district) -> tuple[dict, dict]:
    """The first community worker of each community (posts and confirms for elders without a
    phone) and another one (approves: who confirms does not approve)."""
    by_place: dict = {}
    for a in (
        RoleAssignment.objects.active()
        .filter(role=Role.COMMUNITY_WORKER, place__district=district)
        .select_related("user")
        .order_by("user_id")
    ):
        by_place.setdefault(a.place_id, []).append(a.user)
    first = {place: users[0] for place, users in by_place.items()}
    second = {place: users[1] for place, users in by_place.items() if len(users) > 1}
    return first, second
