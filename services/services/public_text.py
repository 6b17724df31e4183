"""The text a dispatcher publishes about a request (what Open311 shows to anyone)."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from core.clock import one_write
from core.validation import clean_text
from core.validation import require_perm as _require
from services.models import EventKind, RequestPublicText, ServiceRequest
from services.services.common import _locked, _moved

PUBLIC_DESCRIPTION_MAX = 1000
PUBLIC_STATUS_NOTES_MAX = 500
# NUL and the other control characters: refused with the reason (not silently dropped), so what
# is published is exactly what the dispatcher reviewed, and XML can carry it.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")
# A mainland mobile number or an 18-digit ID number (after joining digits split by spaces or -).
PERSONAL_NUMBER = re.compile(r"(?<![0-9])(?:1[3-9][0-9]{9}|[0-9]{17}[0-9Xx])(?![0-9Xx])")
SPLIT_DIGITS = re.compile(r"(?<=[0-9])[\s-]+(?=[0-9])")


def _public_text(value, label, *, required: bool, max_length: int, names) -> str:
    """Text a dispatcher publishes: no control characters, within ``max_length``, and without
    the obvious personal details (a mobile or ID number, the requester's name)."""
    value = value if isinstance(value, str) else ("" if value is None else str(value))
    if CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            _("%(label)s含有控制字符（如 NUL），请删除后再公开。"),
            params={"label": label},
            code="control_character",
        )
    value = clean_text(value, label, required=required, limit=max_length)
    if PERSONAL_NUMBER.search(SPLIT_DIGITS.sub("", value)):
        raise ValidationError(
            _("%(label)s中有手机号或身份证号；公开的文字不能包含个人信息。"),
            params={"label": label},
            code="personal_number",
        )
    if any(len(name) >= 2 and name in value for name in names if name):
        raise ValidationError(
            _("%(label)s中有诉求人的姓名；公开的文字不能包含个人信息。"),
            params={"label": label},
            code="personal_name",
        )
    return value


def public_text_of(request: ServiceRequest) -> RequestPublicText | None:
    """The text published for ``request`` now (the latest), or None."""
    return request.public_texts.order_by("-id").first()


@one_write
def request_publish_public_text(
    *, actor, request: ServiceRequest, description: str, status_notes: str = ""
) -> RequestPublicText:
    """公开办理摘要: a dispatcher publishes, in their own words, what anyone may read about a
    request (Open311 GET): a summary and, optionally, a note on how it stands. Nothing a
    resident typed is published otherwise. Bad text (empty, too long, control characters, a
    mobile or ID number, the requester's name) is refused with the reason and changes nothing.
    Publishing again replaces what is shown; every version stays on record."""
    request = _locked(request)
    _require(actor, "services.publish", request, _("只有派单员可以公开诉求的办理摘要。"))
    names = [request.contact_name, request.resident.name if request.resident_id else ""]
    description = _public_text(
        description, _("公开摘要"), required=True, max_length=PUBLIC_DESCRIPTION_MAX, names=names
    )
    status_notes = _public_text(
        status_notes, _("公开办理说明"), required=False, max_length=PUBLIC_STATUS_NOTES_MAX,
        names=names,
    )  # fmt: skip
    current = public_text_of(request)
    before = (current.description, current.status_notes) if current else ("", "")
    if current is not None and before == (description, status_notes):
        return current
    published = RequestPublicText.objects.create(
        request=request, district_id=request.district_id, description=description,
        status_notes=status_notes, published_by=actor,
    )  # fmt: skip
    _moved(
        actor, request, EventKind.PUBLISH, "services.request_publish", from_state=request.state,
        fields=["updated_at"], note=description,
        data={"status_notes": status_notes} if status_notes else None,
        changes={
            "description": [before[0], description], "status_notes": [before[1], status_notes]
        },
    )  # fmt: skip
    if current is None:
        _tell_followers(request, description)
    return published


def _tell_followers(request: ServiceRequest, description: str) -> None:
    """A request's first published text puts its words on the public map (services.public_map):
    the residents and staff who follow its community hear of it (notify.follows), with the
    published summary only; the filer is not told of their own request."""
    from django.urls import reverse

    from notify import follows

    if not request.community_id:
        return
    follows.tell_community_followers(
        community=request.community, kind="notify.community_request",
        params={
            "community": request.community.name, "number": request.number,
            "summary": description[:80],
        },
        url=reverse("services:public_map") + f"#r{request.pk}",
        subject=request, skip=[request.submitted_by_id],
    )  # fmt: skip
