"""The demo district's workforce: the national staffing rule and 三岗十八级 loaded as a
coordinator would; for every community a roster through the services — its community-worker
accounts on file (the first as the elected 书记/主任, terms and contracts running past the day it is built), a few more hired workers, certificates,
a probation, a leave and a paused year here and there. Deterministic given the seed."""

import datetime
import random

from django.utils.translation import gettext as _

from core import clock
from core.demo import generate
from core.models import Person, Place, PlaceLevel, Role
from workforce import services
from workforce.models import Worker
from workforce.workers import in_post

EXTRA_TITLES = [("other", "社区专职工作者"), ("other", "网格员"), ("deputy", "居委会副主任")]
EDUCATION = ["college", "bachelor", "bachelor", "bachelor", "master", "high_school"]
LEVELS = ["assistant", "assistant", "social_worker", "senior"]


def build(*, district, builder, seed, out):
    added = services.staffing_rules_seed(actor=builder, district=district)
    services.grade_schemes_seed(actor=builder, district=district)
    services.pay_scales_seed(actor=builder, district=district)
    last_year = clock.today().year - 1
    services.average_wage_enter(actor=builder, district=district, year=last_year,
                                annual_fen=13_000_000, source=f"示例：{last_year}年城市非私营单位在岗职工平均工资")  # fmt: skip
    rng = random.Random(f"workforce:{seed}")
    communities = list(
        Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY, is_active=True)
        .order_by("code")
    )  # fmt: skip
    accounts = {}
    for person in Person.objects.filter(
        district=district, account__role_assignments__role=Role.COMMUNITY_WORKER,
        account__role_assignments__ended_at__isnull=True,
    ).order_by("pk"):  # fmt: skip
        accounts.setdefault(person.place_id, []).append(person)
    enrolled = 0
    for c, community in enumerate(communities):
        people = accounts.get(community.pk, [])
        extra = rng.randint(3, 5) if c < 3 else rng.randint(1, 2)  # a full team in the first few
        for k in range(len(people) + extra):
            worker = _enrol(builder, community, people[k] if k < len(people) else None, k, rng)
            _extras(builder, worker, c * 10 + k, rng)
            enrolled += 1
    out(_("人员配备：载入%(n)d条配备标准；社区工作者名册%(w)d人") % {"n": added, "w": enrolled})
    _assessments_and_surge(builder, district, communities, rng)


def _assessments_and_surge(builder, district, communities, rng):
    """Last year's assessment in the first three communities (one 优秀 where the quota allows,
    a 基本称职 in a larger team); two surge tasks, one approved, one waiting."""
    from workforce import assessment

    services.assessment_rules_seed(actor=builder, district=district)
    services.surge_rates_seed(actor=builder, district=district)
    services.career_rules_seed(actor=builder, district=district)
    year = clock.today().year - 1
    for community in communities[:3]:
        inputs = assessment.inputs_for(community, year)
        results = {w.pk: "competent" for w in inputs.workers}
        reviews = {}
        if inputs.workers and inputs.quota:
            results[inputs.workers[0].pk], reviews[inputs.workers[0].pk] = (
                "excellent",
                rng.randint(86, 97),
            )
        if len(inputs.workers) >= 5:
            results[inputs.workers[-1].pk] = "basic"
        if results:
            services.assessment_record(actor=builder, community=community, year=year,
                                       results=results, reviews=reviews)  # fmt: skip
    today = clock.today()
    tasks = [("cold", "寒潮期间入户排查独居老人、困难群众取暖情况", "区应急管理局寒潮防御紧急通知（示例）", 40),
             ("flood", "暴雨期间转移低洼地区居民、值守积水点", "区防汛抗旱指挥部紧急通知（示例）", 9)]  # fmt: skip
    for n, (kind, reason, instruction, ago) in enumerate(tasks):
        community = communities[n]
        team = list(
            Worker.objects.filter(community=community).filter(
                in_post(today - datetime.timedelta(ago))
            )
        )[:4]
        if not team:
            continue
        task = services.surge_task_record(
            actor=builder, community=community, kind=kind, reason=reason, instruction=instruction,
            started_on=today - datetime.timedelta(ago), ended_on=today - datetime.timedelta(ago - 2),
            hours={w.pk: rng.choice([6, 8, 10, 12.5]) for w in team},
        )  # fmt: skip
        if n == 0:
            services.surge_task_approve(actor=builder, task=task, note="经核实，按标准补贴")


def _enrol(builder, community, person, k, rng) -> Worker:
    start = datetime.date(rng.randint(2004, 2024), rng.randint(1, 12), 1)
    common = {"actor": builder, "community": community, "service_start": start,
              "education": rng.choice(EDUCATION), "starts_on": max(start, datetime.date(2021, 1, 1))}  # fmt: skip
    name = person.name if person else generate.person_name(rng, rng.random() < 0.4)
    if k == 0:  # the first: elected 书记 and 主任 (一肩挑)
        return services.worker_enrol(
            **common, person=person, name=name, kind="elected",
            post="chief", title="社区党组织书记、居委会主任", body="party",
            term_ends_on=datetime.date(clock.today().year + 2, 12, 31),
        )  # fmt: skip
    post, title = EXTRA_TITLES[k % len(EXTRA_TITLES)]
    probation = 3 if start.year == 2024 else 0
    return services.worker_enrol(
        **common, person=person, name=name, kind="hired", post=post, title=title,
        contract_ends_on=datetime.date(clock.today().year + 1, 12, 31), probation_months=probation,
    )  # fmt: skip


def _extras(builder, worker, n, rng):
    if rng.random() < 0.45:
        services.qualification_add(
            actor=builder, worker=worker, level=rng.choice(LEVELS),
            certificate_number=f"DEMO{worker.district_id:04d}{n:06d}",
            obtained_on=max(worker.service_start, datetime.date(2019, 6, 1)),
        )  # fmt: skip
    if rng.random() < 0.04:
        services.progression_pause_record(
            actor=builder, worker=worker, year=2024, reason="2024年度考核不称职"
        )
    if rng.random() < 0.05:
        services.leave_add(
            actor=builder, worker=worker, kind="sick", starts_on=clock.today().replace(day=1),
            ends_on=datetime.date(clock.today().year + 1, 6, 30), note="长期病假",
        )  # fmt: skip
