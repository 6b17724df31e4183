"""Street offices (街道办事处) apply for admission for their own street's communities, checked
against the street power list, through the same review and joint meeting (issue #13 item 1)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from admission import services
from admission.models import AdmissionRequest, AdmittedItem, ListKind
from admission.offices import acts_for, street_office
from admission.tests.conftest import application, decide
from core.models import AuditEvent, Department, Notification
from core.tests.refused import refused

pytestmark = pytest.mark.django_db


def power(d, key: str):
    return services.entries_in_force(d.district, ListKind.POWER).get(key=key)


@pytest.fixture
def street_officer(d):
    return d.users["street_officer:own"]


def street_application(d, actor, **overrides):
    values = application(
        d, actor, department=None, street=d.streets[0], communities=d.communities[:2],
        title="社区治理工作指导", description="指导居民委员会开展换届后的议事协商。",
        legal_basis="", cited_entry=power(d, "JD-03"), submit_token="street-1",
    )  # fmt: skip
    values.update(overrides)
    return values


def counts():
    return (
        AdmissionRequest.objects.count(),
        Department.objects.filter(street__isnull=False).count(),
        AuditEvent.objects.count(),
    )


def test_a_street_officer_applies_and_the_joint_meeting_admits(d, street_officer):
    request = services.request_submit(**street_application(d, street_officer))
    assert request.status == AdmissionRequest.Status.UNDER_REVIEW
    office = request.department
    assert office.street == d.streets[0] and office.name == "第1街道办事处"
    assert acts_for(street_officer, office)
    assert not acts_for(d.users["street_officer:other"], office)
    assert not acts_for(d.users["department_officer:own"], office)
    assert street_office(d.streets[0]) == office  # one office per street
    assert Notification.objects.filter(
        user=d.users["coordinator:own"], title__contains="社区治理工作指导"
    ).exists()
    decide(d, request)
    item = AdmittedItem.objects.get(request=request)
    assert item.department == office
    assert sorted(s.community_id for s in item.scopes.all()) == [c.pk for c in d.communities[:2]]
    # The street's officers hear of the decision, as a department's officers do.
    assert Notification.objects.filter(user=street_officer, url__contains=str(request.pk)).exists()
    assert street_officer.has_perm("admission.view_request", request)
    assert street_officer.has_perm("workload.dispatch", item)
    assert not d.users["street_officer:other"].has_perm("workload.dispatch", item)


def test_another_streets_communities_are_refused_and_nothing_is_written(d, street_officer):
    before = counts()
    with refused("outside_street", match="第2街道第1社区.*只能为本街道所辖社区"):
        services.request_submit(
            **street_application(
                d, street_officer, communities=[d.communities[0], d.communities[2]]
            )
        )
    assert counts() == before


def test_only_the_streets_own_officer_applies_for_it(d):
    before = counts()
    with pytest.raises(PermissionDenied, match="本街道办事处"):
        services.request_submit(**street_application(d, d.users["street_officer:other"]))
    for who in ("community_worker:own", "resident:own", "auditor:own"):
        with pytest.raises(PermissionDenied):
            services.request_submit(**street_application(d, d.users[who]))
    assert counts() == before


def test_a_withdrawn_power_is_refused_by_the_power_list(d, street_officer):
    before = counts()
    with refused("power_withdrawn", match="JD-11 招商引资任务.*已由上级收回"):
        services.request_submit(
            **street_application(d, street_officer, cited_entry=power(d, "JD-11"))
        )
    # Named in words, without citing it, it is refused the same.
    with refused("power_withdrawn", match="JD-11"):
        services.request_submit(
            **street_application(
                d, street_officer, cited_entry=None, title="社区招商引资任务分解",
                description="各社区落实招商引资任务。",
            )
        )  # fmt: skip
    assert counts() == before


def test_a_street_cites_the_power_list_and_a_department_cannot(d, street_officer):
    duty = services.entries_in_force(d.district, ListKind.DUTY).first()
    with refused("power_list", match="权力清单"):
        services.request_submit(**street_application(d, street_officer, cited_entry=duty))
    with pytest.raises(ValidationError, match="依法履职或依法协助"):
        services.request_submit(
            **application(d, d.users["department_officer:own"], cited_entry=power(d, "JD-03"))
        )


def test_without_a_power_the_request_is_incomplete_until_amended(d, street_officer):
    request = services.request_submit(
        **street_application(d, street_officer, cited_entry=None, legal_basis="区委文件")
    )
    assert request.status == AdmissionRequest.Status.INCOMPLETE
    assert any("权力清单" in f["message"] for f in request.findings)
    request = services.request_amend(
        actor=street_officer, request=request, legal_basis="区委文件",
        cited_entry=power(d, "JD-03"), funding_fen=500_000,
    )  # fmt: skip
    assert request.status == AdmissionRequest.Status.UNDER_REVIEW
    with pytest.raises(PermissionDenied):
        services.request_amend(
            actor=d.users["street_officer:other"], request=request, legal_basis="x",
            cited_entry=None, funding_fen=1,
        )  # fmt: skip


def test_the_street_officer_reads_their_offices_requests_only(d, street_officer):
    mine = services.request_submit(**street_application(d, street_officer))
    from admission.selectors import requests_visible_to

    assert mine in requests_visible_to(street_officer)
    assert mine not in requests_visible_to(d.users["street_officer:other"])
    assert not d.users["street_officer:other"].has_perm("admission.view_request", mine)
