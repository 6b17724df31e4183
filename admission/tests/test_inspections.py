"""Inspections through the gate (issue #13 item 4): yearly caps with their source, refused at
submission with the numbers; criteria that are formalism refused; the annual plan; merging
inspections of one community into one visit; the community's rating."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from admission import services
from admission.models import (
    AdmissionRequest,
    AdmittedItem,
    Inspection,
    InspectionPlan,
    InspectionRating,
    ListKind,
)
from admission.selectors_formalism import gate_load_by_month, merge_proposals
from admission.tests.conftest import application, decide
from core.models import AuditEvent
from core.tests.refused import refused

pytestmark = pytest.mark.django_db


def inspection(d, actor, **overrides):
    values = application(
        d, actor, kind="inspection", title="养老服务机构安全检查",
        description="检查辖区养老服务站点消防安全。", frequency="yearly",
        minutes_per_community=120, materials="消防设施检查记录\n安全培训名单",
        criteria="消防通道畅通\n隐患按期整改", submit_token="insp-1",
    )  # fmt: skip
    values.update(overrides)
    return values


def street_inspection(d, actor, **overrides):
    power = services.entries_in_force(d.district, ListKind.POWER).get(key="JD-03")
    return inspection(
        d, actor, department=None, street=d.streets[0], title="社区治理工作年度考核",
        description="考核居民委员会议事协商开展情况。", legal_basis="", cited_entry=power,
        materials="议事协商记录", submit_token="insp-street", **overrides,
    )  # fmt: skip


def counts():
    return (AdmissionRequest.objects.count(), AuditEvent.objects.count())


def test_an_inspection_over_the_department_cap_is_refused_with_the_numbers(d, officer):
    first = services.request_submit(**inspection(d, officer))
    assert first.status == AdmissionRequest.Status.UNDER_REVIEW
    assert first.materials == ["消防设施检查记录", "安全培训名单"]
    before = counts()
    with refused("over_cap") as refusal:
        services.request_submit(
            **inspection(d, officer, title="食品安全专项检查", submit_token="insp-2")
        )
    message = refusal.value.messages[0]
    assert "民政局" in message and "已申报1项" in message and "上限1项" in message
    assert "整治形式主义为基层减负若干规定" in message
    assert counts() == before
    # Other kinds are not counted against the inspection cap.
    services.request_submit(**application(d, officer, submit_token="work-1"))


def test_the_cap_is_an_editable_rule_with_its_source(d, officer, coordinator):
    start = services.local_today()
    with pytest.raises(PermissionDenied):
        services.cap_set(
            actor=officer, district=d.district, kind="inspection", per="department",
            yearly_limit=5, source="x", effective_from=start,
        )  # fmt: skip
    services.cap_set(
        actor=coordinator, district=d.district, kind="inspection", per="department",
        yearly_limit=2, source="区减负办2026年第1号通知", effective_from=start,
    )  # fmt: skip
    services.cap_set(
        actor=coordinator, district=d.district, kind="inspection", per="community",
        yearly_limit=1, source="区减负办2026年第1号通知", effective_from=start,
    )  # fmt: skip
    assert services.cap_in_force(d.district, "inspection", "department", start)[0] == 2
    services.request_submit(**inspection(d, officer, communities=d.communities[:1]))
    before = counts()
    with refused("over_cap") as refusal:
        services.request_submit(
            **inspection(d, officer, title="食品安全专项检查", submit_token="insp-2")
        )
    assert "第1街道第1社区" in refusal.value.messages[0]
    assert "每个社区上限1项" in refusal.value.messages[0]
    assert counts() == before
    # The same application for a community not yet inspected this year goes through.
    services.request_submit(
        **inspection(d, officer, title="食品安全专项检查", submit_token="insp-2",
                     communities=d.communities[1:2])
    )  # fmt: skip
    with refused("same_start"):
        services.cap_set(
            actor=coordinator, district=d.district, kind="inspection", per="community",
            yearly_limit=3, source="x", effective_from=start,
        )  # fmt: skip


@pytest.mark.parametrize(
    "criterion", ["上传工作照片", "每月召开会议不少于2次", "发文数量", "拍照留痕齐全", "学习笔记"]
)
def test_formalism_is_no_criterion(d, officer, criterion):
    before = counts()
    with refused("banned_criterion"):
        services.request_submit(**inspection(d, officer, criteria=f"隐患按期整改\n{criterion}"))
    assert counts() == before


def test_an_approved_plan_refuses_inspections_outside_it(d, officer, coordinator):
    year = services.local_today().year
    with refused("empty_plan"):
        services.plan_file(actor=officer, department=d.departments[0], year=year)
    services.request_submit(**inspection(d, officer))
    with pytest.raises(PermissionDenied):
        services.plan_file(actor=d.users["street_officer:own"], department=d.departments[0],
                           year=year)  # fmt: skip
    plan = services.plan_file(actor=officer, department=d.departments[0], year=year)
    assert (plan.status, plan.total) == (InspectionPlan.Status.FILED, 1)
    with pytest.raises(PermissionDenied):
        services.plan_approve(actor=officer, plan=plan)
    plan = services.plan_approve(actor=coordinator, plan=plan)
    assert plan.status == InspectionPlan.Status.APPROVED
    services.cap_set(
        actor=coordinator, district=d.district, kind="inspection", per="department",
        yearly_limit=9, source="x", effective_from=services.local_today(),
    )  # fmt: skip
    before = counts()
    with refused("outside_plan") as refusal:
        services.request_submit(
            **inspection(d, officer, title="食品安全专项检查", submit_token="insp-2")
        )
    assert "计划外" in refusal.value.messages[0]
    assert counts() == before


def admitted_pair(d, officer):
    """A department's and a street office's inspections admitted for the first community."""
    ours = services.request_submit(**inspection(d, officer, communities=d.communities[:1]))
    theirs = services.request_submit(
        **street_inspection(d, d.users["street_officer:own"], communities=d.communities[:1])
    )
    decide(d, ours)
    decide(d, theirs)
    return AdmittedItem.objects.get(request=ours), AdmittedItem.objects.get(request=theirs)


def test_inspections_of_one_community_are_merged_and_rated(d, officer):
    ours, theirs = admitted_pair(d, officer)
    community = d.communities[0]
    today = services.local_today()
    [proposal] = merge_proposals([c.pk for c in d.communities], today)
    assert proposal["community"] == community
    assert {i.pk for i in proposal["items"]} == {ours.pk, theirs.pk}
    held = services.inspection_record(
        actor=officer, community=community, items=[ours, theirs], held_on=today,
        submit_token="visit-1",
    )  # fmt: skip
    assert held.merged
    labels = [m["label"] for m in held.materials]
    assert any("工作台账" in label for label in labels)
    assert any("消防设施检查记录" in label and "从系统台账调取" in label for label in labels)
    assert any("议事协商记录" in label for label in labels)
    with refused("duplicate_submit"):
        services.inspection_record(
            actor=officer, community=community, items=[ours], held_on=today,
            submit_token="visit-1",
        )  # fmt: skip
    month = today.replace(day=1)
    load = gate_load_by_month([community.pk], month, month + datetime.timedelta(days=31))
    assert load[(community.pk, month)]["inspections"] == 1  # one visit, not two
    with pytest.raises(PermissionDenied):
        services.inspection_rate(actor=d.users["community_worker:other"], inspection=held, score=5)
    with pytest.raises(PermissionDenied):
        services.inspection_rate(actor=officer, inspection=held, score=5)
    worker = d.users["community_worker:own"]
    with refused(None):
        services.inspection_rate(actor=worker, inspection=held, score=9)
    rating = services.inspection_rate(
        actor=worker, inspection=held, score=4, comment="一次查完，没有要求准备材料"
    )
    assert rating.score == 4 and rating.burden_free
    with refused("rated"):
        services.inspection_rate(actor=worker, inspection=held, score=1)
    assert InspectionRating.objects.count() == 1


def test_no_inspection_without_an_admitted_item_for_that_community(d, officer):
    ours, _theirs = admitted_pair(d, officer)
    before = (Inspection.objects.count(), AuditEvent.objects.count())
    with refused("not_admitted"):
        services.inspection_record(
            actor=officer, community=d.communities[1], items=[ours],
            held_on=services.local_today(), submit_token="visit-x",
        )  # fmt: skip
    with refused("not_admitted"):
        services.inspection_record(
            actor=officer, community=d.communities[0], items=[ours],
            held_on=ours.period_end + datetime.timedelta(days=1), submit_token="visit-y",
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.inspection_record(
            actor=d.users["community_worker:own"], community=d.communities[0], items=[ours],
            held_on=services.local_today(), submit_token="visit-z",
        )  # fmt: skip
    assert (Inspection.objects.count(), AuditEvent.objects.count()) == before


def test_the_district_page_shows_caps_plans_merges_and_ratings(d, officer, client):
    ours, theirs = admitted_pair(d, officer)
    held = services.inspection_record(
        actor=officer, community=d.communities[0], items=[ours, theirs],
        held_on=services.local_today(), submit_token="visit-page",
    )  # fmt: skip
    services.inspection_rate(
        actor=d.users["community_worker:own"], inspection=held, score=5, comment="一次查完"
    )
    client.force_login(d.users["department_officer:own"])
    page = client.get(reverse("admission:formalism")).content.decode()
    for text in ("整治形式主义为基层减负若干规定", "建议合并的检查", "联合检查", "5分：一次查完"):
        assert text in page
