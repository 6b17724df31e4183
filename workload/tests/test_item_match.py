"""Tasks that match their item; items not yet in force on the dispatch list; refusals that name
a street office (issue #13 items 1 and 3)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from admission import services as admission
from admission.models import ListKind
from admission.tests.conftest import application, decide
from core.models import AuditEvent, Department, Notification
from core.tests.refused import refused
from workload import selectors, services
from workload.models import RefusedWork, Task, Trace
from workload.tests.conftest import page_as

pytestmark = pytest.mark.django_db


def dispatch(d, item, **overrides):
    values = {
        "actor": d.users["department_officer:own"], "item": item,
        "communities": [d.communities[0]], "title": "收集本月高龄津贴申报材料",
        "description": "请于期限内收齐并初审。", "due_in_working_days": 10,
        "dispatch_token": "match-1",
    }  # fmt: skip
    values.update(overrides)
    return services.tasks_dispatch(**values)


def counts():
    return (
        Task.objects.count(),
        Trace.objects.count(),
        AuditEvent.objects.count(),
        Notification.objects.count(),
    )


def test_a_task_matching_its_item_goes_out_with_its_score(d, item):
    [task] = dispatch(d, item)
    assert task.match_percent >= 50 and task.mismatch_reason is None


def test_other_work_under_an_item_is_refused_and_nothing_written(d, item):
    """The issue's case: a cold-wave reminder sent under 高龄津贴申报."""
    before = counts()
    with refused("task_mismatch", match="寒潮安全提醒.*高龄津贴申报材料收集.*内容不符"):
        dispatch(d, item, title="寒潮安全提醒", description="提醒居民做好防寒保暖。")
    # A reason does not let other work through.
    with refused("task_mismatch"):
        dispatch(
            d, item, title="寒潮安全提醒", description="提醒居民防寒。", mismatch_reason="领导要求"
        )
    assert counts() == before


def test_a_partial_match_needs_a_reason_the_coordinator_sees(client, d, item):
    before = counts()
    partial = {"title": "高龄老人走访摸底", "description": "上门核实老人情况。"}
    with refused("task_needs_reason", match="部分|不完全相符.*请说明"):
        dispatch(d, item, **partial)
    with refused("task_needs_reason"):
        dispatch(d, item, mismatch_reason="   ", **partial)
    assert counts() == before
    [task] = dispatch(
        d, item, mismatch_reason="核实申报对象是否在世，属申报材料收集的一环", **partial
    )
    assert 20 <= task.match_percent < 50
    assert task.mismatch_reason.startswith("核实申报对象")
    coordinator = d.users["coordinator:own"]
    note = Notification.objects.get(user=coordinator, title__contains="高龄老人走访摸底")
    assert "核实申报对象" in note.body and note.url.endswith(f"/{task.pk}/")
    detail = client
    detail.force_login(coordinator)
    page = detail.get(reverse("workload:task_detail", args=[task.pk])).content.decode()
    assert "data-mismatch" in page and "核实申报对象是否在世" in page
    listing = page_as(client, d, "coordinator:own", "workload:task_list")
    assert "与事项部分相符" in listing


def test_the_dispatch_form_takes_the_reason(client, d, item):
    client.force_login(d.users["department_officer:own"])
    url = reverse("workload:dispatch", args=[item.pk])
    token = "form-match"
    data = {
        "dispatch_token": token, "title": "寒潮安全提醒", "description": "",
        "communities": [d.communities[0].pk], "due_in_working_days": 5,
    }  # fmt: skip
    page = client.post(url, data).content.decode()
    assert "内容不符" in page and not Task.objects.filter(dispatch_token=token).exists()
    data.update(title="高龄老人走访摸底", mismatch_reason="核实申报对象")
    assert client.post(url, data).status_code == 302
    assert Task.objects.get(dispatch_token=token).mismatch_reason == "核实申报对象"


def test_an_item_not_yet_in_force_is_listed_with_its_start_date(client, d):
    officer = d.users["department_officer:own"]
    start = admission.local_today() + datetime.timedelta(days=40)
    request = admission.request_submit(
        **application(
            d, officer, title="明年的垃圾分类督导", period_start=start,
            period_end=start + datetime.timedelta(days=200), submit_token="later",
        )
    )  # fmt: skip
    decide(d, request)
    request.refresh_from_db()
    later = request.admitted_item
    client.force_login(officer)
    page = client.get(reverse("workload:task_list")).content.decode()
    assert f'data-upcoming="{later.number}"' in page
    assert f"{start:%Y-%m-%d}起生效" in page
    with refused("item_not_usable"):
        dispatch(d, later, title="明年的垃圾分类督导", dispatch_token="early")


def test_a_refusal_names_the_street_office_and_the_ranking_counts_both(client, d, item):
    worker = d.users["community_worker:own"]
    community = d.communities[0]
    services.unadmitted_refuse(
        actor=worker, community=community, department=d.departments[1], channel="phone",
        description="电话要求上报巡查照片",
    )  # fmt: skip
    refusal = services.unadmitted_refuse(
        actor=worker, community=community, street_office=True, channel="meeting",
        description="街道例会布置招商引资任务",
    )  # fmt: skip
    office = refusal.department
    assert office.street == community.parent and office.name == "第1街道办事处"
    assert Notification.objects.filter(
        user=d.users["coordinator:own"], title__contains="拒绝了第1街道办事处"
    ).exists()
    month = admission.local_today()
    start, end = selectors.month_bounds(month)
    ranking = list(selectors.refusals_by_department(d.district.pk, start, end))
    assert {(r["department__name"], r["department__street"], r["n"]) for r in ranking} == {
        ("城管局", None, 1),
        ("第1街道办事处", community.parent_id, 1),
    }
    client.force_login(d.users["coordinator:own"])
    burden = client.get(reverse("workload:burden")).content.decode()
    assert "第1街道办事处" in burden and "城管局" in burden
    # Through the page: the street office is one of the choices.
    client.force_login(worker)
    response = client.post(
        reverse("workload:refusals"),
        {"community": community.pk, "pusher": "street", "channel": "phone",
         "description": "街道电话要求填报表格"},
    )  # fmt: skip
    assert response.status_code == 302
    assert RefusedWork.objects.filter(department=office).count() == 2


def test_a_refusal_cannot_name_another_streets_office_or_none(d, item):
    worker = d.users["community_worker:own"]
    other_office = Department.objects.create(
        district=d.district, street=d.streets[1], name="第2街道办事处", short_code="s2"
    )
    before = (RefusedWork.objects.count(), AuditEvent.objects.count())
    with pytest.raises(Exception, match="不管辖本社区"):
        services.unadmitted_refuse(
            actor=worker, community=d.communities[0], department=other_office,
            channel="phone", description="x",
        )  # fmt: skip
    with pytest.raises(Exception, match="请选择派活单位"):
        services.unadmitted_refuse(
            actor=worker, community=d.communities[0], channel="phone", description="x"
        )
    with pytest.raises(PermissionDenied):
        services.unadmitted_refuse(
            actor=d.users["community_worker:other"], community=d.communities[0],
            street_office=True, channel="phone", description="x",
        )  # fmt: skip
    assert (RefusedWork.objects.count(), AuditEvent.objects.count()) == before


def test_a_street_offices_task_reaches_its_community(d):
    """The street office applies, is admitted, and its officer dispatches to a community."""
    officer = d.users["street_officer:own"]
    jd03 = admission.entries_in_force(d.district, ListKind.POWER).get(key="JD-03")
    request = admission.request_submit(
        **application(
            d, officer, department=None, street=d.streets[0], title="居民议事协商指导",
            description="指导居委会开展议事协商。", cited_entry=jd03, legal_basis="",
            communities=d.communities[:2], submit_token="street-task",
        )
    )  # fmt: skip
    decide(d, request)
    request.refresh_from_db()
    [task] = services.tasks_dispatch(
        actor=officer, item=request.admitted_item, communities=[d.communities[1]],
        title="居民议事协商指导（第二季度）", due_in_working_days=5, dispatch_token="street",
    )  # fmt: skip
    assert task.department.street == d.streets[0]
    assert task.item.department.name == "第1街道办事处"
    assert task in selectors.tasks_visible_to(officer)
    with pytest.raises(PermissionDenied):
        services.tasks_dispatch(
            actor=d.users["street_officer:other"], item=request.admitted_item,
            communities=[d.communities[0]], title="居民议事协商指导", due_in_working_days=5,
            dispatch_token="street-other",
        )  # fmt: skip
