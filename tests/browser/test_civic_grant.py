"""Issue #18's first walk-through: a community social organisation files with the street office
(no credit code) and wins a 公益创投 grant — the street officer files it and adds its member,
sets up the street's fund and publishes a call; the member applies on a phone; two reviewers
score on their phones; the officer awards, sets a milestone,
the member reports it and the officer accepts it, paid from the fund."""

import pytest

from civic.models import Grant, Milestone, SocialOrganisation
from tests.browser.conftest import DESKTOP, PHONE, screenshots, signed_in, submit

shot = screenshots("civic-")


def _form(page, action):
    return page.locator(f"form:has(input[name=action][value={action}])")


def _open(page, action):
    """Open the <details> holding the form, if it is folded.

    Waits for the form first: after a click that navigates, the old page may still be shown,
    and counting its <details> would find none and leave the new page's form folded."""
    _form(page, action).first.wait_for(state="attached")
    details = page.locator(f"details:has(input[name=action][value={action}])")
    if details.count() and not details.first.evaluate("e => e.open"):
        details.locator("summary").first.click()
    return _form(page, action)


@pytest.mark.django_db(transaction=True)
def test_an_organisation_files_and_wins_a_grant(new_page, district):
    d = district
    officer = signed_in(new_page, d.logins["street_officer:own"], DESKTOP)
    officer.goto("/civic/")
    form = _form(officer, "file")
    form.locator("select[name=community]").select_option(str(d.communities[0].pk))
    form.locator("input[name=name]").fill("夕阳红志愿服务队")
    form.locator("select[name=domain]").select_option("elderly")
    form.locator("textarea[name=purpose]").fill("为独居老人助餐、陪伴。")
    form.locator("button").click()
    officer.get_by_text("已备案“夕阳红志愿服务队”。").wait_for()
    org = SocialOrganisation.objects.get(name="夕阳红志愿服务队")
    assert org.uscc == "" and org.kind == "filed"
    officer.click('#orgs a:has-text("夕阳红志愿服务队")')
    form = _open(officer, "member")
    form.locator("input[name=user]").fill(d.logins["social_org_member:own"])
    form.locator("button").click()
    officer.get_by_text("已添加成员。").wait_for()
    shot(officer, "org-desktop")

    officer.goto("/civic/calls/")
    form = _open(officer, "fund")
    form.locator("select[name=place]").select_option(str(d.streets[0].pk))
    form.locator("input[name=name]").fill("第1街道社区发展基金")
    form.locator("input[name=source]").fill("街道财政、福彩公益金")
    form.locator("button").click()
    officer.get_by_text("已设立基金。").wait_for()
    form = _open(officer, "deposit")
    form.locator("input[name=amount_fen]").fill("500000")
    form.locator("input[name=note]").fill("2026年度注资")
    form.locator("button").click()
    officer.get_by_text("已注资。").wait_for()
    form = _open(officer, "call")
    form.locator("input[name=title]").fill("2026年第1街道公益创投")
    form.locator("textarea[name=description]").fill(
        "面向本街道社区社会组织，资助为老、助残、儿童项目。"
    )
    form.locator("input[name=budget_fen]").fill("200000")
    form.locator("input[name=max_grant_fen]").fill("50000")
    form.locator("input[name=closes_on]").fill("2099-12-31")
    form.locator("button").click()
    officer.get_by_text("已发布公益创投。").wait_for()
    shot(officer, "calls-desktop")

    member = signed_in(new_page, d.logins["social_org_member:own"], PHONE)
    member.goto("/civic/")
    member.click("#mine >> text=夕阳红志愿服务队")
    member.click("text=查看可申报的公益创投")
    member.click("text=2026年第1街道公益创投")
    form = _form(member, "apply")
    form.locator("input[name=title]").fill("助老餐桌")
    form.locator("textarea[name=summary]").fill("每周三次为独居老人送餐，一年约450人次。")
    form.locator("input[name=requested_fen]").fill("30000")
    form.locator("button").click()
    member.get_by_text("已提交申报。").wait_for()
    shot(member, "apply-phone")
    call_url = member.url

    officer.goto(call_url)
    for who in ("community_worker:own", "department_officer:own"):
        form = _open(officer, "seat")
        form.locator("input[name=user]").fill(d.logins[who])
        # (The second time the old page says 已加入评审组 too: wait for the new one.)
        submit(officer, form.locator("button"))
        officer.get_by_text("已加入评审组。").wait_for()
    _form(officer, "review").locator("button").click()
    officer.get_by_text("评审已开始。").wait_for()

    for who, points in (("community_worker:own", "88"), ("department_officer:own", "92")):
        reviewer = signed_in(new_page, d.logins[who], PHONE)
        reviewer.goto(call_url)
        form = _form(reviewer, "score")
        form.locator("input[name=points]").fill(points)
        form.locator("button").click()
        reviewer.get_by_text("已评分。").wait_for()
    officer.goto(call_url)
    officer.get_by_text("平均分90.0（2人评分）").wait_for()
    form = _form(officer, "award")
    form.locator("input[name=amount_fen]").fill("25000")
    form.locator("button").click()
    officer.get_by_text("已立项资助。").wait_for()
    assert Grant.objects.get().amount_fen == 2_500_000
    shot(officer, "call-desktop")

    officer.click("text=资助25,000.00元")
    form = _open(officer, "milestone")
    form.locator("input[name=title]").fill("启动与首月送餐")
    form.locator("input[name=due_on]").fill("2099-03-31")
    form.locator("input[name=amount_fen]").fill("10000")
    form.locator("button").click()
    officer.get_by_text("已设定节点。").wait_for()
    grant_url = officer.url

    member.goto(grant_url)
    form = _form(member, "report")
    form.locator("textarea[name=report]").fill("3月送餐36次，服务独居老人12位。")
    form.locator("button").click()
    member.get_by_text("已报告进展。").wait_for()
    shot(member, "grant-phone")

    officer.goto(grant_url)
    _form(officer, "accept").locator("button").click()
    officer.get_by_text("已验收并从基金拨付。").wait_for()
    assert officer.locator("#paid").inner_text() == "10,000.00"
    assert Milestone.objects.get().status == "accepted"
    officer.goto("/civic/calls/")
    assert officer.locator(".fund-balance").first.inner_text() == "490,000.00"
