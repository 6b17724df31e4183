"""Meetings communities must attend and documents sent down to them (会议、文件), registered by the
body that sends them: counted, measured, and refused when over a rule — a meeting without an
admitted meeting item for those communities, a document over its length, a year's count above
last year's (counts only go down) or above a cap."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from admission.models import AdmittedScope, CapKind, CapPer, SentDown, WorkKind
from admission.offices import acts_for, officer_streets, street_office
from admission.services._common import _fresh_token, _next_number
from admission.services.caps import (
    DOCUMENT_LENGTH,
    DOWN_ONLY_SOURCE,
    LENGTH_SOURCE,
    SPECIAL_DOCUMENT_LENGTH,
    cap_in_force,
)
from core import audit
from core.clock import one_write
from core.models import Department, Place, PlaceLevel
from core.validation import clean_int
from core.validation import clean_text as _text
from core.validation import require_perm as _require


def _sender(actor, department: Department | None, street: Place | None) -> Department:
    if street is not None:
        if street.pk not in {s.pk for s in officer_streets(actor)}:
            raise PermissionDenied(_("您只能以本街道办事处的名义登记。"))
        return street_office(street)
    if department is None:
        raise ValidationError(_("请选择发出单位。"))
    if not acts_for(actor, department):
        raise PermissionDenied(_("您只能以本单位的名义登记会议和文件。"))
    return department


def _reached(department: Department, communities) -> list[Place]:
    communities = list(communities or [])
    if not communities:
        raise ValidationError(_("请选择涉及的社区。"), code="communities")
    for place in communities:
        if place.level != PlaceLevel.COMMUNITY or place.district_id != department.district_id:
            raise ValidationError(_("“%(name)s”不是本区的社区。"), params={"name": place.name})
        if department.street_id is not None and place.parent_id != department.street_id:
            raise ValidationError(
                _("“%(name)s”不属于本街道：街道办事处只能向本街道所辖社区发会议和文件。"),
                params={"name": place.name},
                code="outside_street",
            )
    return communities


def _check_meeting_item(item, communities: list[Place], day: datetime.date) -> None:
    """A meeting communities must attend stands on an admitted meeting item for each of them."""
    if item is None or item.kind != WorkKind.MEETING:
        raise ValidationError(
            _("要求社区参加的会议须有已准入的会议类事项，请先提出准入申请（类型：会议）。"),
            code="no_item",
        )
    if item.status != "active" or not (item.period_start <= day <= item.period_end):
        raise ValidationError(
            _("准入事项“%(number)s %(title)s”在%(day)s不在有效期内。"),
            params={"number": item.number, "title": item.title, "day": day.isoformat()},
            code="not_in_force",
        )
    admitted = set(
        AdmittedScope.objects.filter(
            item=item, community__in=[c.pk for c in communities]
        ).values_list("community_id", flat=True)
    )
    for place in communities:
        if place.pk not in admitted:
            raise ValidationError(
                _("准入事项“%(number)s”不包括%(name)s，不能要求该社区参加会议。"),
                params={"number": item.number, "name": place.name},
                code="not_admitted",
            )


def _check_length(length_chars: int, special_topic: bool) -> None:
    limit = SPECIAL_DOCUMENT_LENGTH if special_topic else DOCUMENT_LENGTH
    if length_chars > limit:
        raise ValidationError(
            _("文件%(n)d字，超过%(limit)d字的上限（依据：%(source)s）。请精简后再发。"),
            params={"n": length_chars, "limit": limit, "source": LENGTH_SOURCE},
            code="too_long",
        )


def sent_in_year(district_id: int, kind: str, year: int):
    return SentDown.objects.filter(
        district_id=district_id, kind=kind, day__gte=datetime.date(year, 1, 1),
        day__lte=datetime.date(year, 12, 31),
    )  # fmt: skip


def _check_counts(department: Department, kind: str, communities, day: datetime.date) -> None:
    """The year's count of the sender may not pass last year's (only down), nor a cap."""
    year = day.year
    label = SentDown.Kind(kind).label
    this_year = sent_in_year(department.district_id, kind, year).filter(department=department)
    last_year = sent_in_year(department.district_id, kind, year - 1).filter(department=department)
    now, before = this_year.count(), last_year.count()
    if before and now + 1 > before:
        raise ValidationError(
            _(
                "%(dept)s%(year)d年已向社区发%(kind)s%(now)d次，上一年共%(before)d次；"
                "数量只减不增（依据：%(source)s）。"
            ),
            params={"dept": department.name, "year": year, "kind": label, "now": now,
                    "before": before, "source": DOWN_ONLY_SOURCE},
            code="not_down",
        )  # fmt: skip
    cap_kind = CapKind.MEETING if kind == SentDown.Kind.MEETING else CapKind.DOCUMENT
    cap = cap_in_force(department.district, cap_kind, CapPer.DEPARTMENT, day)
    if cap is not None and now + 1 > cap[0]:
        raise ValidationError(
            _("%(dept)s%(year)d年已发%(kind)s%(now)d次，上限%(limit)d次（依据：%(source)s）。"),
            params={"dept": department.name, "year": year, "kind": label, "now": now,
                    "limit": cap[0], "source": cap[1]},
            code="over_cap",
        )  # fmt: skip
    cap = cap_in_force(department.district, cap_kind, CapPer.COMMUNITY, day)
    if cap is None:
        return
    every = sent_in_year(department.district_id, kind, year)
    for place in communities:
        n = every.filter(communities=place).count()
        if n + 1 > cap[0]:
            raise ValidationError(
                _("%(name)s%(year)d年已收到%(kind)s%(n)d次，每个社区上限%(limit)d次（依据：%(source)s）。"),
                params={"name": place.name, "year": year, "kind": label, "n": n,
                        "limit": cap[0], "source": cap[1]},
                code="over_cap",
            )  # fmt: skip


@one_write
def sent_down_register(
    *,
    actor,
    kind: str,
    title: str,
    day: datetime.date,
    communities,
    submit_token: str,
    department: Department | None = None,
    street: Place | None = None,
    length_chars=0,
    minutes=0,
    special_topic: bool = False,
    item=None,
) -> SentDown:
    """A department or street office registers a meeting communities must attend or a document
    sent down to them. Refused, with the numbers and the rule, when it breaks one."""
    department = _sender(actor, department, street)
    district = Place.objects.select_for_update().get(pk=department.district_id)
    _require(actor, "admission.apply", district, _("只有本区职能部门或街道的工作人员可以登记。"))
    if kind not in SentDown.Kind.values:
        raise ValidationError(_("请选择会议或文件。"), code="kind")
    title = _text(title, _("标题"))
    if not isinstance(day, datetime.date):
        raise ValidationError(_("请填写日期。"), code="day")
    communities = _reached(department, communities)
    length_chars = clean_int(length_chars or 0, _("字数"), 0, 1_000_000)
    minutes = clean_int(minutes or 0, _("会议时长（分钟）"), 0, 24 * 60)
    if kind == SentDown.Kind.MEETING:
        _check_meeting_item(item, communities, day)
        if not minutes:
            raise ValidationError(_("请填写会议时长（分钟）。"), code="minutes")
    else:
        item = None
        if not length_chars:
            raise ValidationError(_("请填写文件字数。"), code="length")
        _check_length(length_chars, bool(special_topic))
    _check_counts(department, kind, communities, day)
    token = _fresh_token(
        submit_token,
        SentDown.objects.filter(registered_by=actor),
        _("已经登记过（%(number)s），请勿重复提交。"),
    )
    row = SentDown(
        district=district, kind=kind, department=department,
        number=_next_number(district, "HY" if kind == SentDown.Kind.MEETING else "WJ", SentDown),
        title=title, day=day, length_chars=length_chars, minutes=minutes,
        special_topic=bool(special_topic), item=item, registered_by=actor, submit_token=token,
    )  # fmt: skip
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError(_("已经登记过，请勿重复提交。")) from None
    row.communities.set(communities)
    audit.record(
        actor=actor, action="admission.sent_down_register", obj=row,
        changes={"kind": kind, "title": title, "day": day.isoformat(),
                 "communities": len(communities), "length_chars": length_chars,
                 "minutes": minutes},
    )  # fmt: skip
    return row
