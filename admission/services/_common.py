"""What every part of the admission services shares: the district check, today, the people
who are told, numbering."""

import datetime

from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _

from admission.models import (
    AdmissionRequest,
)
from admission.offices import unit_officers
from core import calendar as workcal
from core import clock
from core.models import Department, Place, PlaceLevel, Role
from core.selectors import role_holders
from notify import services as notify


def _district(place: Place) -> Place:
    if place is None or place.level != PlaceLevel.DISTRICT:
        raise ValidationError(_("清单和准入按区设置，请选择一个区。"))
    return place


def local_today() -> datetime.date:
    return workcal.local_today()


def _coordinators(district: Place):
    return role_holders({Role.COORDINATOR}, places=[district])


def _department_officers(department: Department):
    """A department's officers, or the street officers of a street office's street."""
    return unit_officers(department)


def _request_url(request: AdmissionRequest) -> str:
    return reverse("admission:request_detail", args=[request.pk])


def _tell_applicants(request: AdmissionRequest, *, kind: str, **params) -> int:
    """A notice of ``kind`` about ``request`` (linking it) to each officer of the department
    that applied."""
    users = _department_officers(request.department)
    return _tell(users, kind=kind, url=_request_url(request), subject=request, **params)


def _tell_reviewers(request: AdmissionRequest, *, kind: str, **params) -> int:
    """A notice of ``kind`` about ``request`` (linking it) to each coordinator of its district."""
    users = _coordinators(request.district)
    return _tell(users, kind=kind, url=_request_url(request), subject=request, **params)


def _next_number(district: Place, prefix: str, model) -> str:
    """District-wide sequence per year; the caller holds the district row lock."""
    year = clock.today().year
    stem = f"{district.code}-{prefix}{year}-"
    count = model.objects.filter(district=district, number__startswith=stem).count()
    return f"{stem}{count + 1:04d}"


def _tell(users, *, kind: str, url: str, subject=None, **params) -> int:
    """A notice of ``kind`` (notify.catalogue) to each of ``users``; how many were told."""
    return len(notify.send(kind=kind, recipients=users, params=params, url=url, subject=subject))


def _day(moment) -> str:
    """A moment as its Beijing date, for a notice (2026-03-01)."""
    return clock.shown(moment, "%Y-%m-%d")


def _fresh_token(submit_token: str, earlier, message: str) -> str:
    """The form's submit token, refused when missing or when `earlier` (a queryset of what this
    form may have created) already has it: `message` names the earlier one's number."""
    token = (submit_token or "").strip()[:64]
    if not token:
        raise ValidationError(_("缺少提交标识，请刷新页面后重试。"))
    previous = earlier.filter(submit_token=token).first()
    if previous is not None:
        raise ValidationError(message, params={"number": previous.number}, code="duplicate_submit")
    return token


def _u(actor):
    return actor if getattr(actor, "pk", None) else None
