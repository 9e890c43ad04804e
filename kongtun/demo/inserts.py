"""One prepared INSERT per batch (executemany) for the demo's big tables.

bulk_create costs ~4× the time for the demo's ~600k rows: Django compiles SQL per value and
builds a model instance per row. Values are still adapted by each field and by the backend's
own adapters, so this works on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

from kongtun.lib.fields import MoneyField, OptionalMoneyField

BATCH_SIZE = 2000


class _Adapted(dict[Any, Any]):
    """A field's database values by Python value, filled on first use."""

    def __init__(self, field: models.Field[Any, Any], db: BaseDatabaseWrapper) -> None:
        super().__init__()
        self.field, self.db = field, db

    def __missing__(self, value: Any) -> Any:
        adapted = self[value] = self.field.get_db_prep_save(value, self.db)
        return adapted


class RawInsert:
    """INSERT rows of `model` given as tuples in `names` (attribute names) order.

    Every other concrete column gets its field default (e.g. "" for a blank note, NULL for
    recorded_by), so a column added to the model later still gets a value; a new column
    without a default makes this fail loudly instead of writing a wrong row.
    """

    def __init__(self, model: type[models.Model], names: Sequence[str]) -> None:
        # A primary key is written only when named (e.g. a one-to-one key like Standing's).
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        rest = [f for f in by_attname.values() if f.attname not in names and not f.primary_key]
        if any(f.has_default() and callable(f.default) for f in rest):
            raise ValueError(f"{model.__name__}: give every column with a computed default")
        fields = [by_attname[name] for name in names] + rest
        self.defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        # The connection itself, not the thread-local proxy: adapting asks it for every value.
        db = connections[DEFAULT_DB_ALIAS]
        self.adapters = [self._adapter(f, db) for f in fields[: len(names)]]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(str(f.column)) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        # Names come from the model's own metadata and every value is a parameter.
        table = quote(model._meta.db_table)
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608

    @staticmethod
    def _adapter(f: models.Field[Any, Any], db: BaseDatabaseWrapper) -> Callable[[Any], Any] | None:
        if isinstance(f, models.UUIDField | models.JSONField):
            return lambda value: f.get_db_prep_save(value, db)  # each one differs: no cache
        if not isinstance(
            f, models.DateField | models.DecimalField | MoneyField | OptionalMoneyField
        ):
            return None  # text, numbers and keys go to the driver as they are
        # Dates and amounts repeat a lot (joining dates, "now", 30 baht): each distinct value
        # is adapted once, and looking it up again costs no Python call. The money fields
        # turn baht into satang here, refusing floats.
        return _Adapted(f, db).__getitem__

    def run(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        # Column by column: hundreds of thousands of rows go through here.
        columns = [
            column if adapt is None else list(map(adapt, column))
            for column, adapt in zip(zip(*rows, strict=True), self.adapters, strict=True)
        ]
        columns += [[default] * len(rows) for default in self.defaults]
        prepared = list(zip(*columns, strict=True))
        with connection.cursor() as cursor:
            for i in range(0, len(prepared), BATCH_SIZE):
                cursor.executemany(self.sql, prepared[i : i + BATCH_SIZE])
