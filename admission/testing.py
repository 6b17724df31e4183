"""For tests, benchmarks and the demo: an admitted item of kind form for a department, made
through the real services (application, preparation, joint meeting, decision)."""

import datetime

from admission import services
from admission.models import AdmittedItem, JointMeeting, WorkKind
from core.models import Department, Role, RoleAssignment
from core.selectors import role_holders


def _officer(department: Department):
    officer = role_holders({Role.DEPARTMENT_OFFICER}, department=department).first()
    if officer is not None:
        return officer
    from django.contrib.auth import get_user_model

    officer = get_user_model().objects.create_user(
        username=f"form-officer-{department.pk}", password=None
    )
    RoleAssignment.objects.create(
        user=officer, role=Role.DEPARTMENT_OFFICER, place=department.district,
        department=department,
    )  # fmt: skip
    return officer


def _coordinator(district):
    from django.contrib.auth import get_user_model

    return (
        role_holders({Role.COORDINATOR}, places=[district]).first()
        or get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    )


def admitted_form_item(
    department: Department, *, title: str = "", form_fields=("走访日期",), communities=None
) -> AdmittedItem:
    """An admitted item of kind form of `department`, usable today, reaching `communities` (all
    the district's by default). Returns the existing one with that title if there is one."""
    from core.models import Place, PlaceLevel

    district = department.district
    title = title or f"{department.name}报表"
    found = AdmittedItem.objects.filter(
        department=department, kind=WorkKind.FORM, title=title, status="active"
    ).first()
    if found is not None:
        return found
    today = services.local_today()
    if communities is None:
        communities = Place.objects.filter(district=district, level=PlaceLevel.COMMUNITY)
    request = services.request_submit(
        actor=_officer(department), department=department, kind=WorkKind.FORM, title=title,
        description=f"{title}，由社区按季度填报。", legal_basis="区减负办准入目录",
        communities=list(communities), frequency="quarterly", minutes_per_community=60,
        funding_fen=100_000, period_start=today,
        period_end=today + datetime.timedelta(days=730), submit_token=f"form-{department.pk}-{title}"[:64],
        form_fields=list(form_fields),
    )  # fmt: skip
    coordinator = _coordinator(district)
    if request.status == "under_review":
        services.request_prepare(actor=coordinator, request=request, opinion="报表类事项，建议准入")
    token = f"form-meeting-{request.pk}"
    meeting = JointMeeting.objects.filter(district=district, submit_token=token).first()
    meeting = meeting or services.meeting_record(
        actor=coordinator, district=district, held_on=today, attendees="区减负办、民政局、城管局",
        departments=list(Department.objects.filter(district=district, street__isnull=True)[:5]),
        submit_token=token,
    )  # fmt: skip
    services.request_decide(actor=coordinator, request=request, meeting=meeting, decision="approve")
    return AdmittedItem.objects.get(request=request)
