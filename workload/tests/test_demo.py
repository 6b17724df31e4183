"""The demo district gets lists, applications with every outcome, a year of tasks and refusals."""

import io

import pytest
from django.urls import reverse

from admission.models import AdmissionRequest, AdmittedItem, CertificateAnswer, ListVersion
from core.demo import build_demo
from core.models import Place, PlaceLevel, Role, RoleAssignment
from workload import selectors, summary
from workload.models import RefusedWork, Task, Trace
from workload.tests.test_burden import nonzero


@pytest.mark.django_db
def test_tiny_demo_has_admission_and_workload_data(client):
    build_demo("tiny", 2026, io.StringIO())
    district = Place.objects.get(level=PlaceLevel.DISTRICT, code="320104")
    assert ListVersion.objects.filter(district=district, status="published").count() == 5
    statuses = set(AdmissionRequest.objects.values_list("status", flat=True))
    assert {"approved", "approved_conditions", "refused", "refused_negative", "incomplete",
            "under_review"} <= statuses  # fmt: skip
    # Four departments' items, the first street office's (issue #13) and the registry's form.
    items = AdmittedItem.objects.filter(district=district)
    assert items.count() == 7  # and the street office's inspection (issue #13 item 4)
    street_item = items.get(department__street__isnull=False, kind="work_item")
    assert street_item.title == "居民议事协商会议指导"
    assert Task.objects.filter(item=street_item).exists()  # its street officer dispatched
    assert items.filter(kind="form", forms__isnull=False).exists()  # a form on its item
    assert CertificateAnswer.objects.filter(outcome="redirected").count() > 0
    assert Task.objects.count() > 20 and RefusedWork.objects.count() == 8
    assert RefusedWork.objects.filter(department__street__isnull=False).count() == 2
    assert Trace.objects.filter(action="completed").count() > 10
    communities = list(Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY))
    months = selectors.months_back(Task.objects.latest("created_at").created_at.date(), 12)
    rows = selectors.burden([c.pk for c in communities], months[0], months[-1])
    assert len({month for _c, month in rows}) >= 10  # a year of history to show as a trend
    assert sum(r.meetings for r in rows.values()) > 0
    assert any(r.service_share and r.self_government_share for r in rows.values())
    assert nonzero(summary.stored()) == nonzero(summary.recount())
    # A joint inspection of the first community, rated; a plan approved; meetings and documents.
    from admission.models import Inspection, InspectionPlan, SentDown

    joint = Inspection.objects.get(district=district)
    assert joint.merged and joint.rating.score == 5
    assert InspectionPlan.objects.filter(district=district, status="approved").exists()
    assert SentDown.objects.filter(district=district, kind="document").count() == 3
    assert sum(r.inspections for r in rows.values()) >= 1
    # Shares from activity (issue #13 item 6): the demo types no time log; the three shares
    # come from the time sources (requests handled, time-bank records approved, meetings,
    # inspections, tasks' logged minutes) — and the burden page shows them.
    from workload import hooks
    from workload.models import TimeLog

    assert not TimeLog.objects.exists()
    found = hooks.external_minutes([c.pk for c in communities], months[0], months[-1])
    for category in ("administration", "service", "self_government"):
        assert sum(m.get(category, 0) for m in found.values()) > 0, category
    full = [
        r for r in rows.values()
        if r.administration_share and r.service_share and r.self_government_share
    ]  # fmt: skip
    assert full, "no community month with all three shares from activity"
    row = max(full, key=lambda r: r.month)
    worker = (
        RoleAssignment.objects.active()
        .filter(role=Role.COMMUNITY_WORKER, place_id=row.community_id)
        .first()
        .user
    )
    client.force_login(worker)
    page = client.get(
        reverse("workload:burden"),
        {"month": f"{row.month:%Y-%m}", "community": row.community_id},
    ).content.decode()
    for category in ("administration", "service", "self_government"):
        share = getattr(row, f"{category}_share")
        assert f'data-share="{category}">{share}%' in page
