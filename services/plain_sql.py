"""Inserting model rows with an INSERT written once per model, for the request submission path:
compiling the ORM's INSERT for every row cost more client CPU than the database spent running it.

The values go through each field's own ``pre_save`` (``auto_now``, a photo's upload to storage)
and ``get_db_prep_save`` (JSON, decimals, moments), exactly as ``Model.save`` prepares them; only
the SQL text is reused. Model signals are not sent: use this only for models with no receivers.
"""

from django.db import models, transaction

_STATEMENTS: dict[tuple, tuple[str, list[models.Field]]] = {}


def insert_statement(model, *, leading: tuple[str, ...] = ()) -> tuple[str, list[models.Field]]:
    """("INSERT INTO table (columns) VALUES (%s, …) RETURNING id", the fields in column order)
    for ``model``'s fields but its auto primary key. Fields named in ``leading`` come first, so
    a caller can swap their placeholders for an expression of its own."""
    connection = transaction.get_connection()
    key = (model, leading, connection.vendor)
    found = _STATEMENTS.get(key)
    if found is None:
        quote = connection.ops.quote_name
        rest = [f for f in model._meta.concrete_fields if not f.primary_key]
        fields = [model._meta.get_field(name) for name in leading]
        fields += [f for f in rest if f not in fields]
        columns = ", ".join(quote(f.column) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        sql = (
            f"INSERT INTO {quote(model._meta.db_table)} ({columns}) "  # noqa: S608 - metadata
            f"VALUES ({marks}) RETURNING {quote(model._meta.pk.column)}"
        )
        found = _STATEMENTS[key] = (sql, fields)
    return found


def insert_values(instance, fields: list[models.Field]) -> list:
    """The database values of ``instance`` for ``fields``, prepared as ``Model.save`` would."""
    connection = transaction.get_connection()
    return [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]


def mark_saved(instance, pk) -> None:
    """Tell the instance it now has a row: its primary key, and that it is no longer new."""
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = transaction.get_connection().alias
