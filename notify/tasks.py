"""Sending on SMS, e-mail and WeChat: one background task per Delivery, retried with backoff.

A timeout or a server error is tried again (``settings.NOTIFY_ATTEMPTS`` in all); a send that
still fails, or is refused, falls back to the in-app message: the Delivery says so, and the
in-app notice is left (or made again) unread. Nothing is lost and every attempt is counted."""

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django_tasks import task

from core import clock, jobs
from core.models import Notification
from notify import channels, kinds
from notify.models import Delivery, Message, Preference

logger = logging.getLogger(__name__)

BASE_DELAY = datetime.timedelta(seconds=30)


@task()
def deliver(delivery_id: int) -> str:
    return attempt(delivery_id)


def enqueue(delivery_id: int, run_after: datetime.datetime | None = None) -> None:
    (deliver.using(run_after=run_after) if run_after else deliver).enqueue(delivery_id)


def attempt(delivery_id: int) -> str:
    """Try one pending Delivery once; its status afterwards ("pending" when a retry is queued)."""
    with transaction.atomic():
        row = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("user", "person", "notification__message")
            .filter(pk=delivery_id)
            .first()
        )
        if row is None or row.status != Delivery.Status.PENDING:
            return row.status if row else "missing"
        now = clock.now()
        if row.not_before and row.not_before > now:  # quiet hours moved on: wait again
            transaction.on_commit(lambda: enqueue(row.pk, row.not_before))
            return row.status
        _try(row, now)
        row.save()
        if row.status == Delivery.Status.PENDING:
            when = now + jobs.backoff_delay(row.attempts, base=BASE_DELAY)
            transaction.on_commit(lambda: enqueue(row.pk, when))
        return row.status


def _try(row: Delivery, now) -> None:
    pref = Preference.objects.filter(user_id=row.user_id).first() if row.user_id else None
    to = channels.address(row.channel, user=row.user, person=row.person, preference=pref)
    row.attempts += 1
    if not to:
        return _fall_back(row, now, "no address on this channel")
    row.to = channels.masked(row.channel, to)
    language = pref.language if pref else settings.LANGUAGE_CODE
    try:
        title, body = kinds.render(row.kind, row.params, language=language)
        outcome = channels.send(
            row.channel, to=to, kind=kinds.get(row.kind), title=title, body=body, url=row.url
        )
    except Exception as exc:  # a broken backend must not lose the message
        logger.exception("delivery %s on %s raised", row.pk, row.channel)
        outcome = channels.Outcome(False, f"{type(exc).__name__}: {exc}"[:300], retryable=True)
    if outcome.ok:
        row.status, row.error, row.finished_at = Delivery.Status.SENT, "", now
        row.provider_id = outcome.provider_id[:100]
    elif outcome.retryable and row.attempts < settings.NOTIFY_ATTEMPTS:
        row.error = outcome.error[:300]
    else:
        _fall_back(row, now, outcome.error)


def _fall_back(row: Delivery, now, error: str) -> None:
    """The channel failed for good: the in-app message carries it (unread), or, for someone
    without an account, the failure is recorded and logged."""
    row.error, row.finished_at = (error or "")[:300], now
    if row.user_id is None:
        row.status = Delivery.Status.FAILED
        logger.error("delivery %s (%s, %s) failed: %s", row.pk, row.kind, row.channel, error)
        return
    row.status = Delivery.Status.FALLBACK
    if row.notification_id:
        Notification.objects.filter(pk=row.notification_id).update(read_at=None)
        return
    title, body = kinds.render(row.kind, row.params, language=settings.LANGUAGE_CODE)
    row.notification = Notification.objects.create(
        user_id=row.user_id, title=title[:200], body=body, url=row.url
    )
    Message.objects.create(notification=row.notification, kind=row.kind, params=row.params)
