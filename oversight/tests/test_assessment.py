"""The yearly assessment (issue #17 item 1): a scheme whose weights sum to 100% (else refused,
nothing written), approved by the coordinators, results computed from Linli's data with each
indicator explained, one objection per community and the district's answer, and the figure on
the district's one page."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from core.models import AuditEvent, Role
from dashboard.figures import Scope
from oversight import defaults, figures, services
from oversight.models import Result, Scheme
from services import services as request_services
from services.tests.conftest import build_world
from services.tests.test_lifecycle import to_state

pytestmark = pytest.mark.django_db
# A Wednesday in June, Beijing morning: the year's requests and its assessment.
MOMENT = datetime.datetime(2026, 6, 10, 1, 30, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def aw(django_db_setup, django_db_blocker):
    """A district with the default catalogue; one request closed and rated satisfied in the
    first community (its grid), nothing elsewhere."""
    with time_machine.travel(MOMENT, tick=True), django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        done = to_state(world, "closed")
        request_services.request_rate(actor=world.resident, request=done, rating="satisfied")
        yield world
        transaction.set_rollback(True)


def _draft(world, **weights):
    d = world.d
    return services.scheme_draft(
        actor=d.users[f"{Role.OVERSIGHT_OFFICER}:own"], district=d.district, year=2026,
        name="2026年度社区考核", weights={**defaults.WEIGHTS, **weights}, source="测试依据",
    )  # fmt: skip


def test_weights_must_sum_to_a_hundred(aw):
    before = (Scheme.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as refused:
        _draft(aw, satisfaction_rate=30)
    assert "合计须为100%" in refused.value.messages[0] and "90%" in refused.value.messages[0]
    assert (Scheme.objects.count(), AuditEvent.objects.count()) == before


@time_machine.travel(MOMENT, tick=True)
def test_results_explained_objection_and_answer(aw, client):
    d = aw.d
    officer, coordinator = (
        d.users[f"{Role.OVERSIGHT_OFFICER}:own"],
        d.users[f"{Role.COORDINATOR}:own"],
    )
    worker = d.users[f"{Role.COMMUNITY_WORKER}:own"]
    scheme = _draft(aw)
    with pytest.raises(ValidationError):  # not approved yet
        services.results_compute(actor=officer, scheme=scheme)
    with pytest.raises(PermissionDenied):  # the coordinators approve
        services.scheme_approve(actor=officer, scheme=scheme)
    services.scheme_approve(actor=coordinator, scheme=scheme)
    assert services.results_compute(actor=officer, scheme=scheme) == 4
    first = Result.objects.get(scheme=scheme, community=d.communities[0])
    assert (first.score, first.rank) == (100.0, 1)
    rows = {row["key"]: row for row in first.indicators}
    assert rows["satisfaction_rate"]["score"] == 100.0
    assert rows["burden_trend"]["score"] is None  # no burden last year: left out, weight shared
    assert rows["satisfaction_rate"]["effective_weight"] == round(40 / 65 * 100, 1)
    others = Result.objects.filter(scheme=scheme).exclude(pk=first.pk)
    assert {(r.score, r.rank) for r in others} == {(None, None)}

    client.force_login(worker)
    page = client.get(f"/oversight/results/{first.pk}/").content.decode()
    assert "已评价的诉求中评价为满意的比例" in page and "诉求1件，比率100.0%。" in page
    client.post(
        f"/oversight/results/{first.pk}/", {"action": "object", "objection": "满意率样本太少"}
    )
    first.refresh_from_db()
    assert first.objection == "满意率样本太少"
    with pytest.raises(ValidationError):  # once
        services.objection_file(actor=worker, result=first, objection="再提一次")
    with pytest.raises(PermissionDenied):  # another community's result
        services.objection_file(actor=worker, result=others.get(community=d.communities[3]),
                                objection="x")  # fmt: skip
    client.force_login(officer)
    client.post(f"/oversight/results/{first.pk}/",
                {"action": "answer", "kind": "adjusted", "adjusted_score": "95.5",
                 "answer": "样本不足，按区平均调整"})  # fmt: skip
    first.refresh_from_db()
    assert first.score == 95.5 and first.answer_kind == "adjusted"
    page = client.get("/oversight/").content.decode()
    assert "95.5" in page and "已调整" in page

    scope = Scope(
        d.district, d.district, d.communities, datetime.date(2026, 6, 10), user=coordinator
    )
    with CaptureQueriesContext(connection) as queries:
        value = figures.assessment(scope)
    assert len(queries) == 2  # the one page's QUERY_PIN counts them
    assert value.current == 95.5 and value.previous is None and "异议1件" in value.detail


@time_machine.travel(MOMENT, tick=True)
def test_the_demo_builder(aw):
    """The demo's hook: default sanction rules, last year's scheme approved and computed."""
    from oversight import demo
    from oversight.models import SanctionRule

    lines = []
    demo.build(district=aw.d.district, builder=aw.d.root, seed=1, out=lines.append)
    scheme = Scheme.objects.get(district=aw.d.district, year=2025)
    assert scheme.state == Scheme.State.COMPUTED and scheme.results.count() == 4
    assert SanctionRule.objects.filter(district=aw.d.district).count() == 3
    assert "2025年度考核4个社区" in lines[0]
    # Residents' surveys: last year's two in the first two communities, answered and scored
    # (which the assessment read), and this year's open one in the first.
    from oversight import selectors
    from oversight.models import Survey

    first, second = aw.d.communities[:2]
    assert Survey.objects.filter(year=2025).count() == 4 and "5份问卷" in lines[1]
    review = selectors.democratic_review_score(first, 2025)
    assert review is not None and 0 < review < 100
    assert selectors.satisfaction_survey_score(second, 2025) is not None
    result = scheme.results.get(community=first)
    review_row = next(i for i in result.indicators if i["key"] == "democratic_review")
    assert review_row["value"] == review
    open_now = Survey.objects.get(year=2026)
    assert open_now.community == first and open_now.closes_on > datetime.date(2026, 6, 10)
    assert 0 < open_now.answers.count() < open_now.recipients
    # Last year's invitations are resolved (read); this year's is still open to answer.
    from notify.models import Message

    invitations = Message.objects.filter(kind="oversight.survey")
    assert invitations.filter(subject=f"oversight.survey:{open_now.pk}", resolved_at=None).exists()
    assert (
        not invitations.filter(resolved_at=None)
        .exclude(subject=f"oversight.survey:{open_now.pk}")
        .exists()
    )
