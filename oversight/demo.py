"""The demo district's oversight: the default sanction rules; residents' surveys (last year's
民主评议 and satisfaction survey in the first two communities, answered by their residents,
and this year's satisfaction survey open in the first); and last year's assessment scheme (the
default weights) approved and its results computed from the demo's data, surveys included."""

import datetime
import random

from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
from core import services as core_services
from core.demo import generate
from core.models import Place, PlaceLevel, Role
from notify.services import muted, resolve
from oversight import defaults, services
from oversight.models import Grade, Survey
from oversight.services.surveys import residents_of

SURVEYED = 2  # communities (the first by code)
ANSWERING = 12  # resident accounts each surveyed community has (the survey rule counts 10)
MOBILE_BASE = 95_000_000  # apart from the staff's and the residents' numbers
# How residents of each surveyed community lean: (satisfied, basic) out of 100; the rest not.
LEANING = [(70, 22), (48, 34)]


def _at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _respondents(builder, community: Place, rng: random.Random, first: int) -> list:
    """The community's resident accounts, registered (with the demo password) up to
    ``ANSWERING``: residents who signed up to answer the community's surveys."""
    from core.demo.build import DEMO_PASSWORD, shared_password_hash

    have = residents_of(community)
    grid = Place.objects.filter(parent=community, level=PlaceLevel.GRID).order_by("code").first()
    with shared_password_hash(DEMO_PASSWORD):
        for k in range(first, first + max(ANSWERING - len(have), 0)):
            core_services.person_register(
                actor=builder, place=grid or community, name=generate.person_name(rng, k % 2 == 0),
                mobile=generate.mobile_number(MOBILE_BASE + k, rng), password=DEMO_PASSWORD,
                password_is_temporary=False, role=Role.RESIDENT,
            )  # fmt: skip
    return residents_of(community)


def _grades(rng: random.Random, n: int, leaning: tuple[int, int]) -> list[str]:
    satisfied, basic = leaning
    out = []
    for _q in range(n):
        roll = rng.randrange(100)
        out.append(
            Grade.SATISFIED if roll < satisfied else Grade.BASIC if roll < satisfied + basic
            else Grade.UNSATISFIED
        )  # fmt: skip
    return out


def _answered(builder, community, kind, year, sent_on, closes_on, accounts, rng, leaning, skip=0):
    """A survey sent on ``sent_on`` and answered over the following days by ``accounts``
    (but the first ``skip``, who have not answered yet)."""
    from django.contrib.auth import get_user_model

    with clock.moment(_at(sent_on)):
        survey = services.survey_send(
            actor=builder, community=community, kind=kind, year=year, closes_on=closes_on
        )
    users = get_user_model().objects.in_bulk(accounts)
    last = min(closes_on, clock.today())
    for i, pk in enumerate(accounts[skip:]):
        day = min(sent_on + datetime.timedelta(days=1 + i % 10), last)
        with clock.moment(_at(day, 9 + i % 10)):
            services.survey_answer(actor=users[pk], survey=survey,
                                   grades=_grades(rng, len(survey.questions), leaning))  # fmt: skip
    return survey


def _surveys(builder, district, seed: int) -> int:
    communities = list(
        Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY, is_active=True)
        .order_by("code")[:SURVEYED]
    )  # fmt: skip
    rng = random.Random(f"surveys:{seed}")
    today, made = clock.today(), 0
    last_year = today.year - 1
    sent_on, closes_on = datetime.date(last_year, 12, 1), datetime.date(last_year, 12, 20)
    for n, community in enumerate(communities):
        accounts = sorted(_respondents(builder, community, rng, first=n * ANSWERING))
        for kind in (Survey.Kind.REVIEW, Survey.Kind.SATISFACTION):
            closed = _answered(builder, community, kind, last_year, sent_on, closes_on, accounts,
                               rng, LEANING[n % len(LEANING)])  # fmt: skip
            resolve(subject=closed)  # closed last year: its invitations are no longer open
            made += 1
        if n == 0:  # this year's, still open: the first residents have not answered yet
            start = today - datetime.timedelta(days=5)
            _answered(builder, community, Survey.Kind.SATISFACTION, today.year,
                      max(start, datetime.date(today.year, 1, 1)),
                      today + datetime.timedelta(days=25), accounts, rng, LEANING[0], skip=4)  # fmt: skip
            made += 1
    return made


def build(*, district, builder, seed, out):
    services.sanction_rules_seed(actor=builder, district=district)
    with muted():  # back-dated surveys tell residents in the app only
        surveys = _surveys(builder, district, seed)
    year = clock.today().year - 1
    scheme = services.scheme_draft(
        actor=builder, district=district, year=year, name=_("%(year)d年度社区考核") % {"year": year},
        weights=dict(defaults.WEIGHTS), source=str(defaults.WEIGHTS_SOURCE),
    )  # fmt: skip
    services.scheme_approve(actor=builder, scheme=scheme)
    n = services.results_compute(actor=builder, scheme=scheme)
    out(_("监督考核：载入问责规则，%(year)d年度考核%(n)d个社区") % {"year": year, "n": n})
    out(_("民主评议和满意度调查：%(n)d份问卷") % {"n": surveys})
