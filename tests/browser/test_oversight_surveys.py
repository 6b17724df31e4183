"""Issue #17 item 1's survey walk: the street officer sends the year's 民主评议 to a community on
a desktop; a resident opens it from the message on a phone, answers each question once, and
sees it taken; the counts page shows numbers and no names."""

from core.models import Role
from oversight.models import Survey
from tests.browser.conftest import DESKTOP, PHONE, screenshots, signed_in

shot = screenshots("oversight-survey-")


def test_a_review_sent_answered_on_a_phone_and_counted(new_page, district):
    d = district
    desk = signed_in(new_page, d.logins[f"{Role.STREET_OFFICER}:own"], DESKTOP)
    desk.goto("/oversight/surveys/")
    desk.click("#send-survey summary")
    desk.select_option("#send-survey select[name=community]", str(d.communities[0].pk))
    desk.select_option("#send-survey select[name=kind]", "review")
    desk.fill("#send-survey input[name=closes_on]", "2099-12-31")
    shot(desk, "1-send-desktop")
    desk.click("#send-survey button.primary")
    desk.get_by_text("问卷已发给本社区居民。").wait_for()
    survey = Survey.objects.get()
    assert survey.recipients >= 1

    phone = signed_in(new_page, d.logins[f"{Role.RESIDENT}:own"], PHONE)
    phone.goto("/")  # the message on the workbench opens the survey
    phone.click("main a:has-text('年度民主评议')")
    phone.locator("#survey-form").wait_for()
    for i, grade in enumerate(["satisfied", "basic", "satisfied", "unsatisfied"]):
        phone.check(f"#survey-form input[name=q{i}][value={grade}]")
    shot(phone, "2-answer-phone")
    phone.click("#survey-form button.primary")
    phone.locator("#survey-done").wait_for()
    shot(phone, "3-done-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    desk.goto(f"/oversight/surveys/{survey.pk}/")
    counts = desk.locator("#survey-counts").inner_text()
    assert "社区居委会全年工作总体评价" in counts
    assert d.users[f"{Role.RESIDENT}:own"].person.name not in desk.content()
    shot(desk, "4-counts-desktop")
