"""The notices a step on a request sends: to the requester (in the app, and an SMS through the
configured backend) and to a department's officers."""

from core.models import Department, Notification
from services import notify
from services.models import Channel, ServiceRequest


def tell_requester(request: ServiceRequest, title: str, body: str = "") -> None:
    """In-app notice to the requester (and an SMS through the configured backend)."""
    from django.urls import reverse

    users = set()
    if request.submitted_by_id and request.channel == Channel.H5:
        users.add(request.submitted_by_id)
    if request.resident_id and request.resident.account_id:
        users.add(request.resident.account_id)
    url = reverse("services:request_detail", args=[request.pk])
    for user_id in users:
        Notification.objects.create(
            user_id=user_id, title=f"{request.number} {title}"[:200], body=body, url=url
        )
    if request.resident_id and request.resident.mobile_enc:
        notify.queue_sms(person=request.resident, text=f"【邻里】您的诉求{request.number}{title}")


def tell_department(department: Department | None, request: ServiceRequest, title: str) -> None:
    if department is None:
        return
    from django.urls import reverse

    from core.models import Role, RoleAssignment

    url = reverse("services:request_detail", args=[request.pk])
    for user_id in (
        RoleAssignment.objects.active()
        .filter(role=Role.DEPARTMENT_OFFICER, department=department)
        .values_list("user_id", flat=True)
        .distinct()
    ):
        Notification.objects.create(
            user_id=user_id, title=f"{request.number} {title}"[:200], url=url
        )
