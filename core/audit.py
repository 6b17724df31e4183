"""The audit log: one event per write, in the writer's transaction."""

from typing import Any

from django.db import models, transaction

from core.context import client_ip
from core.models import AuditEvent, Place


def record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    place: Place | None = None,
    purpose: str = "",
) -> AuditEvent:
    """Append one audit event. Must run inside the caller's transaction.

    `place` scopes the event for auditors; when omitted it is taken from the object
    (the object itself if it is a Place, else its `place` attribute).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the writing transaction")
    if place is None and obj is not None:
        place = obj if isinstance(obj, Place) else getattr(obj, "place", None)
    actor_user = actor if getattr(actor, "pk", None) else None
    return AuditEvent.objects.create(
        actor=actor_user,
        actor_name=str(actor) if actor_user else "system",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=_jsonable(changes or {}),
        purpose=purpose,
        client_ip=client_ip.get(),
        place=place,
        place_path=place.path if place else "",
    )


def diff(instance: models.Model, **new_values) -> dict[str, list]:
    """{field: [old, new]} for the values that actually change."""
    return {
        name: [getattr(instance, name), value]
        for name, value in new_values.items()
        if getattr(instance, name) != value
    }


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, models.Model):
        return str(value)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)
