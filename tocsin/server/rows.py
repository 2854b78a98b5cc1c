"""Plain SQL for the few statements every report runs.

A report's transaction holds SQLite's write lock from its first statement to
its commit, so every microsecond spent inside it is taken from every other
writer. ``Model.save()`` and ``bulk_create()`` rebuild and recompile their
INSERT on each call, and Django's cursor wrapper rewrites the placeholders
of every statement; here each statement is built once per process and run on
the database driver's own cursor (errors still arrive as Django's
``IntegrityError`` and friends).

``Insert`` prepares each value exactly as the ORM does (``pre_save`` then
``get_db_prep_save``), so defaults, ``auto_now_add``, JSON and binary fields
and time zones are stored identically. It sends no model signals and is
invisible to Django's query logging: use it only on the hot path, for rows
nobody listens to (the intake sends its own domain event)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

# Fields whose prepared value is the Python value itself when it already has
# the field's plain type: preparing them the ORM's way was most of an insert.
_PLAIN: tuple[tuple[type[models.Field[Any, Any]], tuple[type, ...]], ...] = (
    (models.JSONField, ()),  # never plain: it must be encoded
    (models.CharField, (str,)),
    (models.TextField, (str,)),
    (models.IntegerField, (int,)),
    (models.ForeignKey, (int,)),
    (models.BinaryField, (bytes,)),
)


def _plain_types(field: models.Field[Any, Any]) -> tuple[type, ...]:
    for kind, types in _PLAIN:
        if isinstance(field, kind):
            return types
    return ()


def _placeholders(sql: str) -> str:
    return sql.replace("%s", "?") if connection.vendor == "sqlite" else sql


class Statement:
    """One SQL statement with ``%s`` placeholders, run on the driver's cursor."""

    def __init__(self, sql: str) -> None:
        self.sql = sql
        self._native: dict[str, str] = {}

    def _text(self) -> str:
        native = self._native.get(connection.vendor)
        if native is None:
            native = self._native[connection.vendor] = _placeholders(self.sql)
        return native

    def rows(self, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        connection.ensure_connection()
        with connection.wrap_database_errors:
            cursor = connection.connection.cursor()
            try:
                cursor.execute(self._text(), params)
                return cursor.fetchall() if cursor.description else []
            finally:
                cursor.close()


class Insert:
    """``Insert(Model).rows(objs)`` inserts ``objs`` in one statement. A single
    row gets its primary key set; several do not (neither SQLite nor
    PostgreSQL promise RETURNING's rows in the order of VALUES)."""

    def __init__(self, model: type[models.Model]) -> None:
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        self._plain = [_plain_types(f) for f in self.fields]
        self._statements: dict[int, Statement] = {}

    def _statement(self, count: int) -> Statement:
        statement = self._statements.get(count)
        if statement is None:
            quote = connection.ops.quote_name
            columns = ", ".join(quote(str(f.column)) for f in self.fields)
            one = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
            pk = self.model._meta.pk
            returning = f" RETURNING {quote(str(pk.column))}" if pk is not None and count == 1 else ""
            statement = self._statements[count] = Statement(
                f"INSERT INTO {quote(self.model._meta.db_table)} ({columns}) "  # noqa: S608 -- the model's names
                f"VALUES {', '.join([one] * count)}{returning}")
        return statement

    def _values(self, obj: models.Model) -> list[Any]:
        values = []
        for field, plain in zip(self.fields, self._plain, strict=True):
            value = field.pre_save(obj, True)
            if value is None or type(value) in plain:
                pass
            elif str in plain and isinstance(value, str):
                value = str(value)  # a TextChoices member: its value
            else:
                value = field.get_db_prep_save(value, connection)
            values.append(value)
        return values

    def rows(self, objs: Sequence[models.Model]) -> None:
        if not objs:
            return
        params = [value for obj in objs for value in self._values(obj)]
        returned = self._statement(len(objs)).rows(params)
        for obj in objs:
            obj._state.adding = False
            obj._state.db = connection.alias
        if len(objs) == 1:
            objs[0].pk = returned[0][0]
