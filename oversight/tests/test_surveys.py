"""Residents' 民主评议 and satisfaction surveys (issue #17 item 1): sent through notify to the
community's residents, answered once each on the phone page, counted anonymously, scored under
the survey rule in force, and read by workforce (selectors) and the assessment (an indicator)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from core import clock
from core import services as core_services
from core.models import AuditEvent, Notification, Role
from core.testing import PASSWORD
from oversight import defaults, indicators, selectors, services
from oversight.models import Result, Scheme, Survey, SurveyAnswer, SurveyRule

pytestmark = pytest.mark.django_db
OFFICER = f"{Role.OVERSIGHT_OFFICER}:own"


@pytest.fixture
def sw(world):
    """The own district with two more residents in its first community (three in all) and a
    survey rule scoring from two answers."""
    own, _other = world
    with transaction.atomic():
        residents = [own.users[f"{Role.RESIDENT}:own"]]
        for n in (1, 2):
            person = core_services.person_register(
                actor=own.root, place=own.grids[n - 1], name=f"居民{n}", mobile=f"1370000{n:04d}",
                username=f"survey-resident-{n}", password=PASSWORD, password_is_temporary=False,
                role=Role.RESIDENT,
            )  # fmt: skip
            residents.append(person.account)
        services.survey_rule_create(
            actor=own.users[OFFICER], district=own.district, points_satisfied=100, points_basic=60,
            points_unsatisfied=0, min_answers=2, source="测试：本区规定", effective_from=datetime.date(2021, 1, 1),
        )  # fmt: skip
        yield own, residents
        transaction.set_rollback(True)


def _send(d, kind="review", **extra):
    args = {"community": d.communities[0], "kind": kind, "year": clock.today().year,
            "closes_on": clock.today() + datetime.timedelta(days=14), **extra}  # fmt: skip
    return services.survey_send(actor=d.users[OFFICER], **args)


def _counts():
    return (Survey.objects.count(), SurveyAnswer.objects.count(), AuditEvent.objects.count())


def test_send_answer_once_and_score(sw, client):
    d, residents = sw
    assert selectors.democratic_review_score(d.communities[0], clock.today().year) is None
    survey = _send(d)
    assert survey.recipients == 3
    told = Notification.objects.filter(
        user__in=residents, url=f"/oversight/surveys/{survey.pk}/answer/"
    )
    assert told.count() == 3
    # A resident answers on the page; the second time is refused, nothing written.
    client.force_login(residents[0])
    page = client.get(f"/oversight/surveys/{survey.pk}/answer/").content.decode()
    assert "社区居委会全年工作总体评价" in page and "基本满意" in page
    data = {f"q{i}": "satisfied" for i in range(4)}
    assert client.post(f"/oversight/surveys/{survey.pk}/answer/", data).status_code == 302
    assert "您已作答" in client.get(f"/oversight/surveys/{survey.pk}/answer/").content.decode()
    before = _counts()
    with pytest.raises(ValidationError, match="只能回答一次"):
        services.survey_answer(actor=residents[0], survey=survey, grades=["basic"] * 4)
    assert _counts() == before
    # One answer is below the rule's two: no score yet.
    assert selectors.democratic_review_score(d.communities[0], survey.year) is None
    services.survey_answer(actor=residents[1], survey=survey,
                           grades=["basic", "basic", "unsatisfied", "satisfied"])  # fmt: skip
    # (100 + (60+60+0+100)/4) / 2 = (100 + 55) / 2 = 77.5
    assert selectors.democratic_review_score(d.communities[0], survey.year) == 77.5
    assert selectors.satisfaction_survey_score(d.communities[0], survey.year) is None
    # The counts page names nobody.
    client.force_login(d.users[f"{Role.COMMUNITY_WORKER}:own"])
    page = client.get(f"/oversight/surveys/{survey.pk}/").content.decode()
    assert "77.5" in page and "2 / 3" in page
    assert residents[0].person.name not in page and residents[1].username not in page


def test_bad_input_refused_nothing_written(sw):
    d, residents = sw
    survey = _send(d)
    before = _counts()
    with pytest.raises(ValidationError, match="每年一次"):
        _send(d)
    with pytest.raises(ValidationError, match="截止日期不能早于今天"):
        _send(d, kind="satisfaction", closes_on=clock.today() - datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="满意、基本满意或不满意"):
        services.survey_answer(actor=residents[0], survey=survey, grades=["satisfied"])
    with pytest.raises(ValidationError, match="满意、基本满意或不满意"):
        services.survey_answer(actor=residents[0], survey=survey, grades=["great"] * 4)
    with pytest.raises(PermissionDenied):  # a community worker is not a resident
        services.survey_answer(actor=d.users[f"{Role.COMMUNITY_WORKER}:own"], survey=survey,
                               grades=["satisfied"] * 4)  # fmt: skip
    with pytest.raises(PermissionDenied):  # a resident of another community
        services.survey_answer(actor=d.users[f"{Role.RESIDENT}:other"], survey=survey,
                               grades=["satisfied"] * 4)  # fmt: skip
    rules_before = SurveyRule.objects.count()
    with pytest.raises(ValidationError, match="满意不低于基本满意"):
        services.survey_rule_create(
            actor=d.users[OFFICER], district=d.district, points_satisfied=50, points_basic=60,
            points_unsatisfied=0, min_answers=2, source="x", effective_from=datetime.date(2030, 1, 1),
        )  # fmt: skip
    assert _counts() == before and SurveyRule.objects.count() == rules_before
    survey.closes_on = clock.today() - datetime.timedelta(days=1)
    survey.save(update_fields=["closes_on"])
    with pytest.raises(ValidationError, match="截止"):
        services.survey_answer(actor=residents[0], survey=survey, grades=["satisfied"] * 4)
    assert _counts() == before


def test_the_survey_is_an_indicator_and_a_result_is_read_by_workforce(sw):
    d, residents = sw
    year = clock.today().year
    survey = _send(d, kind="satisfaction")
    for resident in residents:
        services.survey_answer(
            actor=resident, survey=survey, grades=["satisfied", "basic", "basic"]
        )
    values = indicators.compute(d.communities[0], year, clock.today())
    value, score, explanation = values["satisfaction_survey"]
    assert round(score, 1) == 73.3 and "收回3份" in indicators.explained(explanation)
    assert values["democratic_review"][1] is None  # no review sent: left out
    settled = values["settled_in_grid"]  # no finished request in this district: left out
    assert settled[1] is None and "没有已办结的诉求" in indicators.explained(settled[2])
    scheme = services.scheme_draft(actor=d.users[OFFICER], district=d.district, year=year,
                                   name="考核", weights=dict(defaults.WEIGHTS), source="测试")  # fmt: skip
    assert selectors.community_result(d.communities[0], year) is None
    services.scheme_approve(actor=d.root, scheme=scheme)
    services.results_compute(actor=d.users[OFFICER], scheme=scheme)
    result = selectors.community_result(d.communities[0], year)
    assert isinstance(result, Result) and result.scheme.state == Scheme.State.COMPUTED
    rows = {r["key"]: r for r in result.indicators}
    assert rows["satisfaction_survey"]["score"] == score
    assert selectors.community_result(d.communities[1], year - 1) is None


def test_pages_by_role(sw, client):
    d, residents = sw
    survey = _send(d)
    client.force_login(d.users[f"{Role.STREET_OFFICER}:own"])
    page = client.get("/oversight/surveys/").content.decode()
    assert "发送问卷" in page and d.communities[0].name in page
    client.force_login(residents[0])
    assert client.get("/oversight/surveys/").status_code == 403
    assert client.get(f"/oversight/surveys/{survey.pk}/").status_code == 404
    client.force_login(d.users[f"{Role.RESIDENT}:other"])
    assert client.get(f"/oversight/surveys/{survey.pk}/answer/").status_code == 403
    client.force_login(d.users[OFFICER])
    before = _counts()
    response = client.post("/oversight/surveys/", {"action": "send", "community": d.communities[0].pk,
                                                   "kind": "review", "year": survey.year,
                                                   "closes_on": "2000-01-01"})  # fmt: skip
    assert response.status_code == 200 and "截止日期不能早于今天" in response.content.decode()
    assert _counts() == before
