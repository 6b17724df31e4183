"""The audit log: one event per write, in the writer's transaction."""

from typing import Any

from django.db import models, transaction

from core import clock
from core.context import client_ip
from core.models import AuditEvent, Place


def record(**event) -> AuditEvent:
    """Append one audit event, described by the keywords of ``row``. Must run inside the
    caller's transaction.

    `place` scopes the event for auditors; when omitted it is taken from the object
    (the object itself if it is a Place, else its `place` attribute).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the writing transaction")
    values = row(**event)
    # The instances themselves, so the returned event has its actor and place loaded.
    del values["actor_id"], values["place_id"]
    actor = event["actor"]
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        place=_place_of(event.get("obj"), event.get("place")),
        **values,
    )


def _place_of(obj: models.Model | None, place: Place | None) -> Place | None:
    if place is None and obj is not None:
        place = obj if isinstance(obj, Place) else getattr(obj, "place", None)
    return place


def row(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    place: Place | None = None,
    purpose: str = "",
) -> dict[str, Any]:
    """The field values of the event `record` appends (all but its time), by attribute name."""
    place = _place_of(obj, place)
    actor_user = actor if getattr(actor, "pk", None) else None
    return {
        "actor_id": actor_user.pk if actor_user else None,
        "actor_name": str(actor) if actor_user else "system",
        "action": action,
        "object_type": obj._meta.label_lower if obj is not None else "",
        "object_id": str(obj.pk) if obj is not None else "",
        "object_repr": str(obj)[:200] if obj is not None else "",
        "changes": _jsonable(changes or {}),
        "purpose": purpose,
        "client_ip": client_ip.get(),
        "place_id": place.pk if place else None,
        "place_path": place.path if place else "",
    }


COLUMNS = ("at", "actor_id", "actor_name", "action", "object_type", "object_id", "object_repr",
           "changes", "purpose", "client_ip", "place_id", "place_path")  # fmt: skip


def record_sql(**event) -> None:
    """`record` as one plain INSERT (the same keywords), for hot write paths (the ledger): the same row, but without
    building and saving a model instance, which costs more client CPU than the insert itself.
    Must run inside the caller's transaction; returns nothing."""
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("audit.record_sql must be called inside the writing transaction")
    values = row(**event)
    values["at"] = clock.now()
    params = [_FIELDS[c].get_db_prep_save(values[c], connection) for c in COLUMNS]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.ops.quote_name), params)


_FIELDS = {c: AuditEvent._meta.get_field(c) for c in COLUMNS}


def _insert_sql(quote) -> str:
    return (
        f"INSERT INTO {quote(AuditEvent._meta.db_table)} "  # noqa: S608 - names from the model
        f"({', '.join(quote(c) for c in COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
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
