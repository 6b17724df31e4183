"""The accountability chain (issue #17 item 2): a reminder before a sanction where the rule
says so; a case's reply, 容错 judged against the three distinctions, rectification, follow-up and
销号 by a second officer; every step told to and seen by the person concerned; sanctions in
force as workforce reads them (selectors.sanctioned_people)."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from core.models import AuditEvent, Notification, Role
from oversight import selectors, services
from oversight.models import Case, CaseEvent, Reminder

pytestmark = pytest.mark.django_db
OFFICER = f"{Role.OVERSIGHT_OFFICER}:own"
TODAY = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _worker(d):
    return d.users[f"{Role.COMMUNITY_WORKER}:own"]


def _open(d, sanction="notice", **extra):
    return services.case_open(
        actor=d.users[OFFICER], district=d.district, person=_worker(d).person,
        facts="台账造假", rule_broken="社区工作规程第5条", decision="予以通报", sanction=sanction,
        **extra,
    )  # fmt: skip


def _counts():
    return (Case.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count())


def test_a_sanction_that_needs_a_reminder_is_refused_without_one(world):
    own, _other = world
    before = _counts()
    with pytest.raises(ValidationError) as refused:
        _open(own)
    assert "须先对" in refused.value.messages[0] and "通报" in refused.value.messages[0]
    assert _counts() == before
    # A disciplinary sanction follows the discipline rules: no reminder required.
    case = _open(own, sanction="discipline")
    assert case.reminder is None and case.in_force_until > case.decided_on


@time_machine.travel(TODAY, tick=False)
def test_the_chain_from_reminder_to_closing(world, client):
    own, _other = world
    officer, second, worker = own.users[OFFICER], own.users["second_officer"], _worker(own)
    told = Notification.objects.filter(user=worker).count()
    reminder = services.reminder_issue(actor=officer, district=own.district, person=worker.person,
                                       kind=Reminder.Kind.TALK, facts="入户走访记录不实")  # fmt: skip
    services.reminder_reply(actor=worker, reminder=reminder, reply="已核实更正")
    case = _open(own)
    assert case.reminder == reminder and case.in_force_until == datetime.date(2026, 9, 2)
    assert worker.person in selectors.sanctioned_people(datetime.date(2026, 5, 1))
    assert worker.person not in selectors.sanctioned_people(datetime.date(2026, 9, 2))

    services.case_reply(actor=worker, case=case, reply="情况有出入")
    with pytest.raises(ValidationError):  # no distinction named
        services.tolerance_apply(actor=worker, case=case, reason="先行先试", grounds=[])
    services.tolerance_apply(actor=worker, case=case, reason="先行先试", grounds=["inexperience"])
    with pytest.raises(PermissionDenied):  # only the officers judge
        services.tolerance_judge(actor=worker, case=case, granted=True, inexperience="a",
                                 exploration="b", development="c")  # fmt: skip
    before = _counts()
    with pytest.raises(ValidationError) as refused:  # a reason for each of the three
        services.tolerance_judge(actor=officer, case=case, granted=True, inexperience="属实",
                                 exploration="", development="无私利")  # fmt: skip
    assert "认定理由" in refused.value.messages[0] and _counts() == before
    services.tolerance_judge(actor=officer, case=case, granted=True, inexperience="属实",
                             exploration="未被明令禁止", development="无私利")  # fmt: skip
    case.refresh_from_db()
    assert case.tolerance_granted and case.state == Case.State.DECIDED
    assert worker.person not in selectors.sanctioned_people(datetime.date(2026, 5, 1))
    with pytest.raises(ValidationError):  # once
        services.tolerance_apply(actor=worker, case=case, reason="再次", grounds=["exploration"])

    services.rectification_order(actor=officer, case=case, rectification="重新核对台账",
                                 rectify_by=datetime.date(2026, 4, 1))  # fmt: skip
    services.case_follow_up(actor=officer, case=case, note="已督促")
    services.rectification_report(actor=worker, case=case, report="已完成")
    with pytest.raises(PermissionDenied):  # not the officer who opened it
        services.case_close(actor=officer, case=case, note="核实")
    services.case_close(actor=second, case=case, note="经核实整改到位")
    case.refresh_from_db()
    assert case.state == Case.State.CLOSED and case.closed_by == second
    steps = list(case.events.values_list("step", flat=True))
    assert steps == ["decided", "replied", "tolerance_asked", "tolerance_judged",
                     "rectification_ordered", "followed_up", "rectified", "closed"]  # fmt: skip
    # The person was told of the reminder and of each officer's step.
    assert Notification.objects.filter(user=worker).count() - told == 6

    client.force_login(worker)
    page = client.get("/oversight/mine/").content.decode()
    assert "谈话提醒" in page and "已销号" in page
    page = client.get(f"/oversight/cases/{case.pk}/").content.decode()
    assert "经核实整改到位" in page and "未被明令禁止" in page


def test_only_the_officers_and_the_person_see_a_case(world, client):
    own, other = world
    case = _open(own, sanction="discipline")
    for key in (
        f"{Role.COMMUNITY_WORKER}:other",
        f"{Role.ADMIN}:own",
        f"{Role.STREET_OFFICER}:own",
    ):
        client.force_login(own.users[key])
        assert client.get(f"/oversight/cases/{case.pk}/").status_code == 404, key
    client.force_login(other.users[OFFICER])
    assert client.get(f"/oversight/cases/{case.pk}/").status_code == 404
    client.force_login(own.users["second_officer"])
    views = AuditEvent.objects.filter(action="oversight.case_view").count()
    assert client.get(f"/oversight/cases/{case.pk}/").status_code == 200
    assert AuditEvent.objects.filter(action="oversight.case_view").count() == views + 1
    assert client.get("/oversight/chain/").status_code == 200


def test_reminders_concern_staff_of_the_district_only(world):
    own, other = world
    officer = own.users[OFFICER]
    for person in (other.users[f"{Role.COMMUNITY_WORKER}:own"].person, None):
        with pytest.raises(ValidationError):
            services.reminder_issue(actor=officer, district=own.district, person=person,
                                    kind="talk", facts="x")  # fmt: skip


@time_machine.travel(TODAY, tick=False)
def test_the_rule_table_is_editable_from_a_date(world):
    """A district may decide that 通报 no longer needs a reminder, from a date: before it the
    old rule still refuses, from it the new one allows (the rule is kept on the case)."""
    own, _other = world
    officer = own.users[OFFICER]
    rule = services.sanction_rule_create(
        actor=officer, district=own.district, sanction="notice", requires_reminder=False,
        months_in_force=3, source="本区2026年第1号文", effective_from=datetime.date(2026, 3, 2),
    )  # fmt: skip
    with pytest.raises(ValidationError):  # the same start twice
        services.sanction_rule_create(
            actor=officer, district=own.district, sanction="notice", requires_reminder=True,
            months_in_force=3, source="x", effective_from=datetime.date(2026, 3, 2),
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.sanction_rule_create(
            actor=own.users[f"{Role.COORDINATOR}:own"], district=own.district, sanction="notice",
            requires_reminder=False, months_in_force=3, source="x",
            effective_from=datetime.date(2026, 4, 1),
        )  # fmt: skip
    case = _open(own)
    assert case.rule == rule and case.in_force_until == datetime.date(2026, 6, 2)


@time_machine.travel(TODAY, tick=False)
def test_a_sanction_in_force_pauses_the_workers_grade_years_until_tolerance(world):
    """workforce asks its registered sources (workforce.hooks): the year of a sanction in force
    does not count towards grade progression; a 容错 decision gives the year back."""
    from workforce import hooks
    from workforce.models import Worker

    own, _other = world
    officer, worker = own.users[OFFICER], _worker(own)
    filed = Worker.objects.create(
        district=own.district, community=worker.person.place, person=worker.person,
        kind="hired", education="bachelor", service_start=datetime.date(2015, 1, 1),
    )  # fmt: skip
    assert hooks.paused_years([filed.pk], 2026) == {}
    case = _open(own, sanction="discipline")  # in force from 2026-03-02 into 2027
    paused = hooks.paused_years([filed.pk], 2026)
    assert set(paused[filed.pk]) == {2026} and f"C{case.pk}" in paused[filed.pk][2026]
    assert set(hooks.paused_years([filed.pk], 2027)[filed.pk]) == {2026, 2027}
    services.case_reply(actor=worker, case=case, reply="情况有出入")
    services.tolerance_apply(actor=worker, case=case, reason="先行先试", grounds=["inexperience"])
    services.tolerance_judge(actor=officer, case=case, granted=True, inexperience="属实",
                             exploration="未被明令禁止", development="无私利")  # fmt: skip
    assert hooks.paused_years([filed.pk], 2027) == {}
