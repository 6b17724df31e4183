"""Writing many new rows at once: PostgreSQL `COPY` (ids drawn from the sequence first, so the
objects know their keys), `bulk_create` elsewhere.

Only for plain inserts of new objects inside the caller's transaction: no signals, no `save()`
overrides, like `bulk_create`. Auto-now fields get one timestamp per call; JSON fields are
written as JSON text; every other value is written as the attribute holds it.
"""

import functools
import json
import operator

from django.db import connection, models
from django.db.models.base import ModelState

from core import clock


def insert(model, objs: list) -> list:
    """Insert `objs` (new instances of `model`) and set their primary keys."""
    if not objs:
        return objs
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=500)
    meta = model._meta
    fields = meta.concrete_fields
    now = clock.now()
    kinds = []
    for f in fields:
        if isinstance(f, models.JSONField):
            kinds.append("json")
        elif isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add):
            kinds.append("now")
        else:
            kinds.append("")
    attnames = [f.attname for f in fields]
    relations = [f for f in fields if f.is_relation]
    values_of = operator.attrgetter(*attnames)
    encoded = [i for i, kind in enumerate(kinds) if kind == "json"]
    stamped = [i for i, kind in enumerate(kinds) if kind == "now"]
    qn = connection.ops.quote_name
    table = qn(meta.db_table)
    columns = ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cursor:
        need = [o for o in objs if o.pk is None]
        if need:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(need)],
            )
            for obj, (pk,) in zip(need, cursor.fetchall(), strict=True):
                obj.pk = pk
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                for f in relations:  # a related object saved after it was assigned
                    if getattr(obj, f.attname) is None and f.is_cached(obj):
                        related = f.get_cached_value(obj)
                        if related is not None:
                            if related.pk is None:
                                raise ValueError(f"{f.name} is not saved yet")
                            setattr(obj, f.attname, related.pk)
                for i in stamped:
                    setattr(obj, attnames[i], now)
                row = values_of(obj)
                if encoded:
                    row = list(row)
                    for i in encoded:
                        row[i] = None if row[i] is None else json.dumps(row[i], ensure_ascii=False)
                copy.write_row(row)
                obj._state.adding = False
                obj._state.db = connection.alias
    return objs


def insert_rows(model, attnames: list[str], rows: list[tuple]) -> int:
    """Insert plain tuples (values in `attnames` order) as new rows of `model`, for rows nobody
    needs the keys or instances of: no model instances are built on PostgreSQL (one `COPY`,
    keys from the column's default); elsewhere they go through `bulk_create`."""
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(attnames, row, strict=True))) for row in rows], batch_size=500
        )
        return len(rows)
    meta = model._meta
    qn = connection.ops.quote_name
    field_of = {f.attname: f for f in meta.concrete_fields}
    columns = ", ".join(qn(field_of[a].column) for a in attnames)
    encoded = [i for i, a in enumerate(attnames) if isinstance(field_of[a], models.JSONField)]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:  # psycopg's C adaptation: faster than formatting text in Python
            if encoded:
                row = list(row)
                for i in encoded:
                    row[i] = None if row[i] is None else json.dumps(row[i], ensure_ascii=False)
            copy.write_row(row)
    return len(rows)


@functools.cache
def _defaults(model) -> dict:
    """Every column's attribute as Model.__init__ would set it without arguments (a plain
    default, "" for a text column that takes none), except that callable defaults are None."""
    return {
        f.attname: None if f.has_default() and callable(f.default) else f.get_default()
        for f in model._meta.concrete_fields
    }


@functools.cache
def _relations(model) -> dict:
    return {f.name: f for f in model._meta.concrete_fields if f.is_relation}


def unsaved(model, **values):
    """A new, unsaved instance with its columns set directly: imports make millions, and
    Model.__init__ (every relation through its descriptor) was most of their cost. Columns
    not given take their plain default ("" for text, else None); a relation given by name
    takes the object (kept, so `insert` finds its key once it is saved), by attname its key."""
    obj = model.__new__(model)
    obj.__dict__.update(_defaults(model))
    obj._state = ModelState()
    relations = _relations(model)
    for key, value in values.items():
        field = relations.get(key)
        if field is None:
            obj.__dict__[key] = value
        else:
            obj.__dict__[field.attname] = None if value is None else value.pk
            if value is not None:
                field.set_cached_value(obj, value)
    return obj
