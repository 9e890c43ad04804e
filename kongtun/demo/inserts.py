"""One prepared INSERT per batch (executemany) for the demo's big tables.

bulk_create costs ~4× the time for the demo's ~600k rows: Django compiles SQL per value and
builds a model instance per row. Values are still adapted by each field and by the backend's
own adapters, so this works on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

from kongtun.lib.fields import MoneyField

BATCH_SIZE = 2000


class RawInsert:
    """INSERT rows of `model` given as tuples in `names` (attribute names) order.

    Every other concrete column gets its field default (e.g. "" for a blank note, NULL for
    recorded_by), so a column added to the model later still gets a value; a new column
    without a default makes this fail loudly instead of writing a wrong row.
    """

    def __init__(self, model: type[models.Model], names: Sequence[str]) -> None:
        by_attname = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
        rest = [f for f in by_attname.values() if f.attname not in names]
        if any(f.has_default() and callable(f.default) for f in rest):
            raise ValueError(f"{model.__name__}: give every column with a computed default")
        fields = [by_attname[name] for name in names] + rest
        self.defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        self.adapters = [self._adapter(f) for f in fields[: len(names)]]
        quote = connection.ops.quote_name
        columns = ", ".join(quote(str(f.column)) for f in fields)
        marks = ", ".join(["%s"] * len(fields))
        # Names come from the model's own metadata and every value is a parameter.
        table = quote(model._meta.db_table)
        self.sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608

    @staticmethod
    def _adapter(f: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
        if not isinstance(
            f, models.DateField | models.DecimalField | models.UUIDField | MoneyField
        ):
            return None  # text, numbers and keys go to the driver as they are
        cache: dict[Any, Any] = {}

        def adapt(value: Any) -> Any:
            # Dates and amounts repeat a lot (joining dates, "now", 30 baht); adapt each
            # distinct value once. MoneyField turns baht into satang here, refusing floats.
            if value not in cache:
                cache[value] = f.get_db_prep_save(value, connection)
            return cache[value]

        return adapt

    def run(self, rows: Sequence[tuple[Any, ...]]) -> None:
        adapters, defaults = self.adapters, self.defaults
        prepared = [
            tuple(v if a is None else a(v) for v, a in zip(row, adapters, strict=True)) + defaults
            for row in rows
        ]
        with connection.cursor() as cursor:
            for i in range(0, len(prepared), BATCH_SIZE):
                cursor.executemany(self.sql, prepared[i : i + BATCH_SIZE])
