"""Every write of the notify app. ``send`` is the one door every app tells people through."""

import contextlib
import datetime
import functools
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit, clock
from core.clock import one_write
from core.models import Notification, Person
from notify import kinds
from notify.models import EXTERNAL, Channel, Delivery, Message, Preference

_muted: ContextVar[bool] = ContextVar("notify_muted", default=False)


@contextlib.contextmanager
def muted():
    """In-app only inside this block: no SMS, e-mail or WeChat (the demo's back-dated history
    tells nobody outside the app)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def subject_key(subject) -> str:
    """ "services.servicerequest:12" for a model instance; a string is taken as it is."""
    if isinstance(subject, models.Model):
        return f"{subject._meta.label_lower}:{subject.pk}"
    return str(subject or "")[:80]


def _recipients(recipients, actor) -> tuple[list[int], list[Person], dict[int, int | None]]:
    """Active accounts (ids, in order, once each), people without an account, and each active
    account's district as its person records it (None when it has no person)."""
    ids, people = [], []
    for r in recipients:
        if isinstance(r, Person):
            if r.account_id:
                ids.append(r.account_id)
            else:
                people.append(r)
        elif r is not None:
            ids.append(r if isinstance(r, int) else r.pk)
    skip = getattr(actor, "pk", None)
    ids = list(dict.fromkeys(i for i in ids if i != skip))
    active = dict(
        get_user_model()
        .objects.filter(pk__in=ids, is_active=True)
        .values_list("pk", "person__district_id")
    )
    return [i for i in ids if i in active], list({p.pk: p for p in people}.values()), active


def _delivery_districts(by_person: dict[int, int | None]) -> dict[int, int]:
    """Each account's district (for Delivery.district): its person's, read with the recipients,
    else one of its roles' place's (a query only when some account has no person's district)."""
    found = {u: d for u, d in by_person.items() if d is not None}
    missing = [u for u in by_person if u not in found]
    if missing:
        from core.models import RoleAssignment

        for user_id, district_id in (
            RoleAssignment.objects.filter(user_id__in=missing)
            .order_by("-pk")
            .values_list("user_id", "place__district_id")
        ):
            found[user_id] = district_id
    return found


def quiet_until(preference: Preference | None, now: datetime.datetime) -> datetime.datetime | None:
    """The end of the person's quiet hours (Beijing time) when ``now`` falls in them, else None."""
    if preference is None or preference.quiet_start is None or preference.quiet_end is None:
        return None
    start, end = preference.quiet_start, preference.quiet_end
    local = timezone.localtime(now)
    moment = local.time()
    inside = start <= moment < end if start < end else (moment >= start or moment < end)
    if start == end or not inside:
        return None
    until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    return until if until > local else until + datetime.timedelta(days=1)


def send(
    *, kind: str, recipients, params: dict | None = None, url: str = "", subject=None, actor=None
) -> list[Notification]:
    """Tell ``recipients`` (accounts, account ids or people) a message of ``kind``.

    Each account gets it in-app at once (shown in the reader's language), and on the channels
    they chose (or the kind's defaults) from a background task after the caller's transaction
    commits, held until their quiet hours end unless the kind is urgent. A person without an
    account is told by SMS when the kind goes by SMS. ``actor``, who caused it, is not told.
    Called by other services inside their transaction; the Delivery rows are the record."""
    spec = kinds.get(kind)
    frozen = kinds.freeze(params or {})
    kinds.check(kind, frozen)
    users, people, by_person = _recipients(recipients, actor)
    if not users and not people:
        return []
    key, url = subject_key(subject), (url or "")[:300]
    with transaction.atomic():
        now = clock.now()
        title, body = kinds.render(kind, frozen, language=settings.LANGUAGE_CODE)
        notes = Notification.objects.bulk_create(
            Notification(user_id=u, title=title[:200], body=body, url=url) for u in users
        )
        Message.objects.bulk_create(
            Message(notification=n, kind=kind, params=frozen, subject=key) for n in notes
        )
        district = _delivery_districts({u: by_person[u] for u in users})
        common = {"kind": kind, "params": frozen, "url": url}
        rows = [
            Delivery(user_id=n.user_id, notification=n, channel=Channel.INAPP, attempts=1,
                     status=Delivery.Status.SENT, finished_at=now,
                     district_id=district.get(n.user_id), **common)
            for n in notes
        ]  # fmt: skip
        if not _muted.get():
            rows += _external_deliveries(spec, notes, people, district, now, common)
        rows = Delivery.objects.bulk_create(rows)
        for row in rows:
            if row.status == Delivery.Status.PENDING:
                transaction.on_commit(functools.partial(_enqueue, row.pk, row.not_before))
    return notes


def _external_deliveries(spec, notes, people, district, now, common) -> list[Delivery]:
    """The sends to make outside the app: each account on the channels it chose for the kind
    (or the kind's defaults), held for its quiet hours unless the kind is urgent; people
    without an account by SMS when the kind goes by SMS."""
    prefs = {
        p.user_id: p for p in Preference.objects.filter(user_id__in=[n.user_id for n in notes])
    }
    rows = []
    for n in notes:
        pref = prefs.get(n.user_id)
        chosen = pref.channels_for(spec.key) if pref is not None else spec.channels
        held = None if spec.urgent else quiet_until(pref, now)
        rows += [
            Delivery(user_id=n.user_id, notification=n, channel=c, not_before=held,
                     district_id=district.get(n.user_id), **common)
            for c in EXTERNAL
            if c in chosen
        ]  # fmt: skip
    if Channel.SMS in spec.channels:
        rows += [
            Delivery(person=p, channel=Channel.SMS, district_id=p.district_id, **common)
            for p in people
        ]
    return rows


def _enqueue(pk: int, run_after: datetime.datetime | None) -> None:
    from notify import tasks

    tasks.enqueue(pk, run_after)


def resolve(*, subject, kinds_=None) -> int:
    """The matter ``subject`` is decided: its open messages (of ``kinds_`` if given) are resolved
    and read, and sends still held for quiet hours are not made. How many were resolved."""
    key = subject_key(subject)
    if not key:
        return 0
    with transaction.atomic():
        now = clock.now()
        open_ = Message.objects.filter(subject=key, resolved_at__isnull=True)
        if kinds_:
            open_ = open_.filter(kind__in=list(kinds_))
        ids = list(open_.values_list("pk", flat=True))
        if not ids:
            return 0
        Message.objects.filter(pk__in=ids).update(resolved_at=now)
        Notification.objects.filter(pk__in=ids, read_at__isnull=True).update(read_at=now)
        Delivery.objects.filter(
            notification_id__in=ids, status=Delivery.Status.PENDING, not_before__isnull=False
        ).update(status=Delivery.Status.CANCELLED, finished_at=now)
    return len(ids)


def _clean_time(value, label: str) -> datetime.time | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime.time):
        return value
    try:
        return datetime.time.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(_("%(label)s应为“时:分”，如 22:00。") % {"label": label}) from None


def _check_reachable(actor, channels: list[str], openid: str) -> None:
    person = getattr(actor, "person", None)
    on_file = person is not None and person.mobile_enc
    if Channel.SMS in channels and not (on_file or hasattr(actor, "signup_mobile")):
        raise ValidationError(_("您的账号没有登记手机号，无法接收短信。"))
    if Channel.EMAIL in channels and not actor.email:
        raise ValidationError(_("您的账号没有登记电子邮箱，无法接收邮件。"))
    if Channel.WECHAT in channels and not openid:
        raise ValidationError(_("您的账号尚未绑定微信，无法接收微信消息。"))


def _clean_channels(channels) -> list[str]:
    channels = list(dict.fromkeys(channels or []))
    unknown = [c for c in channels if c not in EXTERNAL]
    if unknown:
        raise ValidationError(_("未知的接收渠道：%(c)s。") % {"c": "、".join(map(str, unknown))})
    return channels


def _clean_by_kind(actor, by_kind) -> dict[str, list[str]]:
    """Per-kind channels, only for kinds the account receives (notify.selectors.kinds_for)."""
    from notify.selectors import kinds_for

    if not by_kind:
        return {}
    mine = {k.key for k in kinds_for(actor)}
    wrong = sorted(str(k) for k in by_kind if k not in mine)
    if wrong:
        raise ValidationError(_("您不会收到这类消息，不能设置：%(k)s。") % {"k": "、".join(wrong)})
    return {key: _clean_channels(value) for key, value in sorted(by_kind.items())}


@one_write
def preferences_update(
    *,
    actor,
    channels: list[str],
    quiet_start=None,
    quiet_end=None,
    language: str = "",
    by_kind: dict | None = None,
) -> Preference:
    """The account's own choices: channels besides in-app (for every kind, and per kind in
    ``by_kind``, which replaces the earlier per-kind choices), quiet hours, the language."""
    if not getattr(actor, "is_authenticated", False):
        raise ValidationError(_("请先登录。"))
    channels = _clean_channels(channels)
    by_kind = _clean_by_kind(actor, by_kind)
    start = _clean_time(quiet_start, _("免打扰开始"))
    end = _clean_time(quiet_end, _("免打扰结束"))
    if (start is None) != (end is None) or (start is not None and start == end):
        raise ValidationError(_("免打扰时段须同时填写开始和结束，且两者不同。"))
    language = language or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("不支持的语言。"))
    pref, _created = Preference.objects.select_for_update().get_or_create(user=actor)
    _check_reachable(actor, sorted({*channels, *(c for v in by_kind.values() for c in v)}),
                     pref.wechat_openid)  # fmt: skip
    before = {
        "channels": pref.channels,
        "quiet": [str(pref.quiet_start or ""), str(pref.quiet_end or "")],
        "language": pref.language,
        "by_kind": pref.by_kind,
    }
    pref.channels, pref.quiet_start, pref.quiet_end = channels, start, end
    pref.language, pref.by_kind = language, by_kind
    pref.save()
    after = {
        "channels": channels,
        "quiet": [str(start or ""), str(end or "")],
        "language": language,
        "by_kind": by_kind,
    }
    audit.record(
        actor=actor,
        action="notify.preferences_update",
        obj=pref,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return pref
