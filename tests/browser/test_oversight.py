"""Issue #17's walk-throughs for oversight: a 容错 application from request to decision (the
officer on a desktop records a reminder and the decision; the person, on a phone, applies
naming the distinction; the officer judges with a reason for each of the three; the person
sees the effect removed), and a community's assessment with its explanation and objection."""

import pytest

from core import clock
from core.models import Role
from oversight import defaults, services
from oversight.models import Case, Result
from tests.browser.conftest import DESKTOP, PHONE, screenshots, signed_in

shot = screenshots("oversight-")
OFFICER, WORKER = f"{Role.OVERSIGHT_OFFICER}:own", f"{Role.COMMUNITY_WORKER}:own"


def test_a_tolerance_application_from_request_to_decision(new_page, district):
    d = district
    person = d.users[WORKER].person
    desk = signed_in(new_page, d.logins[OFFICER], DESKTOP)
    desk.goto("/oversight/chain/")
    desk.click("button:has-text('载入默认问责规则')")
    desk.get_by_text("已载入3条问责规则。").wait_for()
    desk.click("#new-reminder summary")
    desk.select_option("#new-reminder select[name=person]", str(person.pk))
    desk.select_option("#new-reminder select[name=kind]", "talk")
    desk.fill("#new-reminder textarea[name=facts]", "入户走访记录与实际不符")
    desk.click("#new-reminder button.primary")
    desk.get_by_text("提醒已登记，并已通知本人。").wait_for()
    desk.click("#new-case summary")
    desk.select_option("#new-case select[name=person]", str(person.pk))
    desk.select_option("#new-case select[name=sanction]", "notice")
    desk.fill("#new-case textarea[name=facts]", "提醒后仍未更正走访台账")
    desk.fill("#new-case input[name=rule_broken]", "社区工作规程第五条")
    desk.fill("#new-case textarea[name=decision]", "予以通报")
    desk.click("#new-case button.primary")
    desk.get_by_text("问责决定已登记，并已通知本人。").wait_for()
    shot(desk, "1-case-desktop")
    case = Case.objects.get()

    phone = signed_in(new_page, d.logins[WORKER], PHONE)
    phone.goto("/oversight/mine/")
    phone.click(f"a[href='/oversight/cases/{case.pk}/']")
    phone.check("#apply_tolerance input[value=inexperience]")
    phone.fill(
        "#apply_tolerance textarea[name=reason]", "新推行的入户登记办法，第一次使用时理解有误"
    )
    shot(phone, "2-apply-phone")
    phone.click("button[value=apply_tolerance]")
    phone.get_by_text("容错申请已提交。").wait_for()
    assert phone.locator("#case-state").inner_text() == "容错申请待认定"

    desk.goto(f"/oversight/cases/{case.pk}/")
    desk.check("#judge_tolerance input[value=yes]")
    desk.fill(
        "#judge_tolerance textarea[name=inexperience]", "属于推行新办法中的失误，不是明知故犯"
    )
    desk.fill("#judge_tolerance textarea[name=exploration]", "该办法未被禁止")
    desk.fill("#judge_tolerance textarea[name=development]", "未谋取私利")
    shot(desk, "3-judge-desktop")
    desk.click("button[value=judge_tolerance]")
    desk.get_by_text("容错认定已作出。").wait_for()

    phone.reload()
    phone.locator("#tolerated").wait_for()
    assert "不是明知故犯" in phone.locator("#tolerance").inner_text()
    assert "容错认定" in phone.locator("#events").inner_text()
    shot(phone, "4-tolerated-phone")


@pytest.fixture
def assessed(district):
    d = district
    officer = d.users[OFFICER]
    scheme = services.scheme_draft(
        actor=officer, district=d.district, year=clock.today().year, name="年度社区考核",
        weights=dict(defaults.WEIGHTS), source=str(defaults.WEIGHTS_SOURCE),
    )  # fmt: skip
    services.scheme_approve(actor=d.users[f"{Role.COORDINATOR}:own"], scheme=scheme)
    services.results_compute(actor=officer, scheme=scheme)
    return d


def test_a_communitys_assessment_with_explanation_and_objection(new_page, assessed):
    d = assessed
    result = Result.objects.get(community=d.communities[0])
    phone = signed_in(new_page, d.logins[WORKER], PHONE)
    phone.goto("/oversight/")
    shot(phone, "5-results-phone")
    phone.click(f"a[href='/oversight/results/{result.pk}/']")
    assert "已评价的诉求中评价为满意的比例" in phone.locator("#indicators").inner_text()
    assert "当年没有可计算此项的诉求" in phone.locator("#indicators").inner_text()
    phone.fill("#objection textarea[name=objection]", "本社区当年诉求均由街道直接办理，请核实")
    phone.click("#objection button.primary")
    phone.get_by_text("异议已提交，等待区里答复。").wait_for()
    assert phone.locator("#objection button.primary").count() == 0  # once

    desk = signed_in(new_page, d.logins[OFFICER], DESKTOP)
    desk.goto(f"/oversight/results/{result.pk}/")
    desk.check("#objection input[value=maintained]")
    desk.fill("#objection textarea[name=answer]", "经核实，诉求按提交地点计入社区，维持原结果")
    desk.click("#objection button.primary")
    desk.get_by_text("已答复异议。").wait_for()
    shot(desk, "6-answered-desktop")

    phone.reload()
    assert "维持原结果" in phone.locator("#answer").inner_text()
    shot(phone, "7-answer-phone")
