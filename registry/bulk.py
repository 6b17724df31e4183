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
    attnames = [f.attname for f in fields]
    relations = [f for f in fields if f.is_relation]
    # Read from the instance's __dict__: every column of a new object is there, and going
    # through each field's descriptor was a tenth of a commit's Python time.
    values_of = operator.itemgetter(*attnames)
    encoded = _json_columns(fields)
    stamped = [
        f.attname
        for f in fields
        if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)
    ]
    now = clock.now()
    with connection.cursor() as cursor:
        _draw_keys(cursor, meta, [o for o in objs if o.pk is None])
        with cursor.cursor.copy(_copy_sql(meta, fields)) as copy:
            for obj in objs:
                _take_related_keys(obj, relations)
                for attname in stamped:
                    setattr(obj, attname, now)
                copy.write_row(_as_json(_row_of(obj, values_of, attnames), encoded))
                obj._state.adding = False
                obj._state.db = connection.alias
    return objs


def _draw_keys(cursor, meta, objs: list) -> None:
    """Give `objs` primary keys drawn from the table's sequence (one query)."""
    if not objs:
        return
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [meta.db_table, meta.pk.column, len(objs)],
    )
    for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
        obj.pk = pk


def _row_of(obj, values_of, attnames: list[str]) -> tuple:
    """The column values of `obj` in `attnames` order (through the descriptors for a column
    missing from its __dict__, which a deferred load leaves out)."""
    try:
        return values_of(obj.__dict__)
    except KeyError:
        return tuple(getattr(obj, a) for a in attnames)


def _take_related_keys(obj, relations) -> None:
    """A related object saved after it was assigned: take its key now."""
    state = obj.__dict__
    cached = state["_state"].fields_cache
    for f in relations:
        if state.get(f.attname) is None and f.cache_name in cached:
            related = cached[f.cache_name]
            if related is not None:
                if related.pk is None:
                    raise ValueError(f"{f.name} is not saved yet")
                setattr(obj, f.attname, related.pk)


class EncodedJson(dict):
    """A JSON value whose text was written already (by a dry run's worker process, beside the
    rows it checks): `insert_rows` copies `text` instead of encoding the dict again."""

    __slots__ = ("text",)

    def __init__(self, value: dict):
        super().__init__(value)
        self.text = json.dumps(value, ensure_ascii=False)


def _json_columns(fields) -> list[int]:
    return [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]


def _as_json(row, encoded: list[int]):
    """The row with its JSON columns (positions `encoded`) written as JSON text."""
    if not encoded:
        return row
    row = list(row)
    for i in encoded:
        value = row[i]
        if value is None:
            continue
        # Most staged rows have no errors and no candidates: skip the encoder for those.
        if type(value) is EncodedJson:
            row[i] = value.text
        else:
            row[i] = "[]" if value == [] else json.dumps(value, ensure_ascii=False)
    return row


def _copy_sql(meta, fields) -> str:
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in fields)
    return f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN"


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
    field_of = {f.attname: f for f in meta.concrete_fields}
    fields = [field_of[a] for a in attnames]
    encoded = _json_columns(fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(_copy_sql(meta, fields)) as copy,
    ):
        for row in rows:  # psycopg's C adaptation: faster than formatting text in Python
            copy.write_row(_as_json(row, encoded))
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
