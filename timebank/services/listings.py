"""The exchange's listings: needs and offers, posted and withdrawn, and who the community fund
may pay for."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import audit, clock, personal_data
from core.clock import one_write
from core.models import Person, Place
from core.validation import clean_text
from timebank import defaults
from timebank.models import (
    MINUTES_PER_HOUR,
    Account,
    AccountKind,
    Category,
    Listing,
    ListingKind,
    Payer,
)
from timebank.services.common import clean_minutes, home_community
from timebank.services.ledger import age_on
from timebank.services.rules import rule_value


def member_account_of(user) -> Account | None:
    """The user's own member account, if they have one."""
    if not getattr(user, "is_authenticated", False):
        return None
    return (
        Account.objects.filter(kind=AccountKind.MEMBER, person__account=user, is_closed=False)
        .select_related("place", "person")
        .first()
    )


def _clean_text(value: str, label: str, limit: int, *, required: bool = True) -> str:
    value = " ".join((value or "").split()) if limit <= 100 else value
    return clean_text(value, label, required=required, limit=limit, missing=_("请填写%(label)s。"))


@one_write
def listing_create(
    *,
    actor,
    kind: str,
    category: str,
    title: str,
    minutes,
    detail: str = "",
    wanted_at: datetime.datetime | None = None,
    recipient: Person | None = None,
    payer: str = Payer.NONE,
    contact_mobile: str = "",
    skills: str = "",
    weekdays: str = "",
    start_time: datetime.time | None = None,
    end_time: datetime.time | None = None,
) -> Listing:
    """Post a need (for oneself or a family member) or an offer.

    A resident with a time-bank account posts for themself; a community worker may post a need
    for a resident of their community (e.g. an elder without a phone). An offer says what the
    volunteer can do (category, skills) and when (weekdays and a daily window, or any time);
    it is placed in the volunteer's own community.
    """
    if kind not in ListingKind.values:
        raise ValidationError(_("请选择需求或服务。"), code="kind")
    if category not in Category.values:
        raise ValidationError(_("请选择服务类别。"), code="category")
    if payer not in Payer.values:
        raise ValidationError(_("请选择时间由谁支付。"), code="payer")
    title = _clean_text(title, _("标题"), 100)
    detail = _clean_text(detail, _("说明"), 2000, required=False)
    minutes = clean_minutes(minutes)
    if minutes > 8 * MINUTES_PER_HOUR:
        raise ValidationError(_("单次服务预计时长不能超过8小时。"), code="minutes_too_large")
    own = member_account_of(actor)
    place, recipient = _listing_place(actor, own, kind, recipient)
    if kind == ListingKind.OFFER:
        if own is None or recipient not in (None, own.person):
            raise ValidationError(_("服务只能由有时间账户的居民本人发布。"), code="offer_not_own")
        recipient, payer, place = None, Payer.NONE, own.place
        skills = _clean_text(skills, _("技能"), 100, required=False)
        weekdays, start_time, end_time = _clean_window(weekdays, start_time, end_time)
    else:
        skills, weekdays, start_time, end_time = "", "", None, None
    _check_payer(actor=actor, payer=payer, recipient=recipient, place=place)
    contact = _contact_of(contact_mobile)
    if wanted_at is not None and wanted_at < clock.now() - datetime.timedelta(hours=1):
        raise ValidationError(_("服务时间不能早于现在。"), code="wanted_at_past")
    listing = Listing.objects.create(
        kind=kind, category=category, title=title, detail=detail, minutes=minutes,
        wanted_at=wanted_at, poster=actor, recipient=recipient, place=place,
        district=place.district, payer=payer, contact=contact, skills=skills, weekdays=weekdays,
        start_time=start_time, end_time=end_time,
    )  # fmt: skip
    audit.record(
        actor=actor, action="timebank.listing_create", obj=listing, place=place,
        changes={"kind": kind, "title": title, "minutes": minutes, "payer": payer},
    )  # fmt: skip
    return listing


def _listing_place(actor, own: Account | None, kind: str, recipient: Person | None):
    """Where a listing is placed and for whom: the recipient's community (a worker there posts
    for them, or they post for themself), else the poster's own account's."""
    if recipient is not None:
        recipient, place = home_community(recipient, _("服务对象未登记所属社区。"))
        if not (
            actor.has_perm("timebank.record", place)
            or (own is not None and own.person_id == recipient.pk)
        ):
            raise PermissionDenied(_("只有社区工作者可以代居民发布需求。"))
        return place, recipient
    if own is None:
        raise ValidationError(_("请先到社区开立时间银行账户（实名）后再发布。"), code="no_account")
    return own.place, own.person if kind == ListingKind.NEED else None


def _check_payer(*, actor, payer: str, recipient: Person | None, place: Place) -> None:
    """Who pays in time may: the person served (an account, and of withdrawal age) or the
    community fund (a priority elder)."""
    if payer == Payer.SELF:
        account = Account.objects.filter(
            kind=AccountKind.MEMBER, person=recipient, district=place.district, is_closed=False
        ).first()
        if account is None:
            raise ValidationError(_("服务对象没有时间账户，不能用本人时间支付。"), code="no_payer")
        min_age = rule_value(defaults.WITHDRAWAL_AGE, place.district_id)
        birth = recipient.birth_date
        if birth is None or age_on(birth, clock.today()) < min_age:
            raise ValidationError(
                _("年满%(min)d周岁方可用本人存储的时间支付服务。"), params={"min": min_age},
                code="under_withdrawal_age",
            )  # fmt: skip
    if payer == Payer.FUND:
        _check_fund_eligibility(actor=actor, recipient=recipient, place=place)


def _contact_of(contact_mobile: str):
    """The login of the family member named by mobile number (who confirms the service)."""
    if not (contact_mobile or "").strip():
        return None
    try:
        digest = personal_data.mobile_hash(contact_mobile)
    except ValidationError:
        raise ValidationError(_("家属手机号格式不正确。"), code="contact_mobile") from None
    person = Person.objects.filter(mobile_hash=digest, account__isnull=False).first()
    if person is None:
        raise ValidationError(
            _("没有找到使用该手机号登录的居民，请家属先开通账号。"), code="contact_unknown"
        )
    return person.account


def local_time_of_day(value):
    """A daily time as Beijing wall-clock time (naive). A time or date-time with an offset
    (09:00+08:00, 01:00Z, 2026-12-10T09:00:00+08:00) is moved into Beijing time; one without
    is taken as Beijing time already; a date-time's date is dropped (the window repeats)."""
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.time().replace(tzinfo=None)
    if isinstance(value, datetime.time) and value.utcoffset() is not None:
        moment = datetime.datetime.combine(clock.today(), value)
        return timezone.localtime(moment).time().replace(tzinfo=None)
    return value


def _clean_window(weekdays, start_time, end_time):
    """ISO weekdays as sorted distinct digits 1–7, and a daily window with start before end
    (both or neither), in Beijing time."""
    weekdays = "".join(sorted(set(str(weekdays or "").replace(",", "").replace(" ", ""))))
    if any(d not in "1234567" for d in weekdays):
        raise ValidationError(_("可服务的星期应为周一到周日。"), code="weekdays")
    start_time, end_time = local_time_of_day(start_time), local_time_of_day(end_time)
    if (start_time is None) != (end_time is None):
        raise ValidationError(_("请同时填写开始和结束时间，或都不填（任何时间）。"), code="window")
    if start_time is not None and start_time >= end_time:
        raise ValidationError(_("结束时间应晚于开始时间。"), code="window")
    return weekdays, start_time, end_time


@one_write
def listing_close(*, actor, listing: Listing) -> Listing:
    """The poster withdraws an open need or offer (a community worker of the place may too)."""
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    if listing.poster_id != actor.pk and not actor.has_perm("timebank.record", listing.place):
        raise PermissionDenied(_("只有发布人或本社区的社区工作者可以撤下。"))
    if listing.status != Listing.Status.OPEN:
        raise ValidationError(_("只能撤下待接单的需求或服务。"), code="not_open")
    listing.status = Listing.Status.CANCELLED
    listing.save(update_fields=["status"])
    audit.record(
        actor=actor, action="timebank.listing_close", obj=listing, place=listing.place,
        changes={"kind": listing.kind, "title": listing.title},
    )  # fmt: skip
    return listing


PRIORITY_TAGS_ALONE = ("living_alone",)
PRIORITY_TAGS_YOUNGER = ("living_alone", "disabled", "dibao")
TAG_LABELS = {
    "living_alone": gettext_lazy("独居"),
    "disabled": gettext_lazy("残疾"),
    "dibao": gettext_lazy("低保"),
}


def fund_ineligibility(person: Person | None, *, district_id: int) -> str | None:
    """Why the community fund may not pay for serving `person`, or None when they are a
    priority elder: aged at least the rule's age (80) and living alone, or 60 up to that age
    and living alone, disabled and on the minimum living allowance (低保). Age comes from the
    birth date; living conditions from the resident's current status tags in the shared
    registry (recorded there by the community or the civil-affairs department)."""
    from registry import selectors as registry_selectors

    if person is None or person.birth_date is None:
        return _("公益基金只为登记了出生日期的老人支付。")
    age = age_on(person.birth_date, clock.today())
    if age < 60:
        return _("公益基金只为60周岁以上的优先服务老人支付（服务对象现年%(age)d周岁）。") % {
            "age": age
        }
    priority_age = rule_value(defaults.PRIORITY_AGE_ALONE, district_id)
    tags = registry_selectors.status_tags_of(person)
    wanted = PRIORITY_TAGS_ALONE if age >= priority_age else PRIORITY_TAGS_YOUNGER
    missing = [TAG_LABELS[t] for t in wanted if t not in tags]
    if not missing:
        return None
    if age >= priority_age:
        return _(
            "公益基金优先服务%(min)d周岁以上的独居老人：共享台账中没有该老人“独居”的登记。"
            "请社区工作者核实后在共享台账登记。"
        ) % {"min": priority_age}
    return _(
        "%(min)d周岁以下的老人须独居、残疾且享受低保方可由公益基金支付；共享台账中缺少：%(tags)s。"
        "请社区工作者核实后在共享台账登记。"
    ) % {"min": priority_age, "tags": "、".join(str(m) for m in missing)}


def _check_fund_eligibility(*, actor, recipient: Person | None, place: Place) -> None:
    reason = fund_ineligibility(recipient, district_id=place.district_id)
    if reason is not None:
        raise ValidationError(reason, code="fund_ineligible")
