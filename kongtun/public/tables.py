"""What a public page is made of: tables of typed columns, the same for every rendering.

A page's HTML, its JSON and its CSV files are three renderings of one `Page`, so the open data
always says what the page says. Each column has a kind, and a row's values are checked against
it when the table is made: a count must be a `Count` (so it goes through the small-count rule),
money must be a Decimal (never a float). The schema page and `schema.json` are written from the
same specs (`kongtun.public.specs`), so the documentation cannot drift from the data.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise

from kongtun.ledger.exports import safe_text
from kongtun.public.suppress import Count

SCHEMA = "kongtun-public/1"  # bumped when a column changes meaning; URLs carry /v1/

# kind → the Python types a value may have (None, "not known here", is allowed for each)
KINDS: dict[str, tuple[type, ...]] = {
    "text": (str,),  # words for people: a name of a fund or an area, a sentence
    "code": (str,),  # an identifier: a fund code, a DOPA area code, a category key
    "money": (Decimal,),  # baht, exact, two places
    "count": (Count,),  # people or claims: "<5" for 1–4; None when not known
    "number": (int,),  # a whole number that counts no one: a year, a version, a sequence
    "percent": (Decimal,),
    "date": (dt.date,),  # shown in BE, given in data as ISO 8601 (CE)
    "datetime": (dt.datetime,),
    "month": (str,),  # "2026-09" (CE)
    "bool": (bool,),
    "url": (str,),  # a path on this site
    "hash": (str,),  # SHA-256 in hex
}


@dataclass(frozen=True)
class Column:
    key: str
    kind: str
    label: str | Promise
    about: str | Promise = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.key}: unknown kind {self.kind!r}")


@dataclass(frozen=True)
class TableSpec:
    key: str
    title: str | Promise
    about: str | Promise
    columns: tuple[Column, ...]

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def table(self, rows: Iterable[Mapping[str, Any]]) -> Table:
        """The rows as a table of this spec; a missing, extra or mistyped value is an error."""
        keys = [c.key for c in self.columns]
        checked = []
        for row in rows:
            if set(row) != set(keys):
                raise ValueError(
                    f"table {self.key}: row has {sorted(row)}, the spec says {sorted(keys)}"
                )
            for c in self.columns:
                value = row[c.key]
                if value is None:  # not known here (a count too: unknown is not zero)
                    continue
                # bool is an int in Python: a count of True is a bug, not a number
                if not isinstance(value, KINDS[c.kind]) or (
                    c.kind == "number" and isinstance(value, bool)
                ):
                    raise TypeError(
                        f"table {self.key}, column {c.key} ({c.kind}): {type(value).__name__}"
                    )
            checked.append({k: row[k] for k in keys})
        return Table(self, tuple(checked))


@dataclass(frozen=True)
class Table:
    spec: TableSpec
    rows: tuple[dict[str, Any], ...]

    @property
    def key(self) -> str:
        return self.spec.key

    def cells(self) -> list[list[tuple[Column, Any]]]:
        """Rows as (column, value) pairs in the spec's order, for templates."""
        return [[(c, row[c.key]) for c in self.spec.columns] for row in self.rows]


@dataclass(frozen=True)
class PageSpec:
    kind: str
    title: str | Promise
    about: str | Promise
    tables: tuple[TableSpec, ...]
    # the data URL's shape after /open/v1/, with the page's own words in braces
    url: str

    def table_spec(self, key: str) -> TableSpec:
        for spec in self.tables:
            if spec.key == key:
                return spec
        raise KeyError(key)


@dataclass(frozen=True)
class Subject:
    """Whom a page is about: a fund, an area, or the whole site."""

    kind: str  # "fund" | "province" | "amphoe" | "tambon" | "site"
    code: str
    name: str


@dataclass(frozen=True)
class Page:
    spec: PageSpec
    subject: Subject
    as_of: dt.date
    fiscal_year: int | None  # BE; None for pages that are not about one year
    tables: dict[str, Table]
    # "records": computed here from the fund's records; "package": what the fund's signed
    # package brought (a fund that keeps its data on its own computer)
    source: str = "records"
    extra: dict[str, Any] = field(default_factory=dict)  # what only the HTML needs

    def __post_init__(self) -> None:
        wanted = [t.key for t in self.spec.tables]
        if sorted(self.tables) != sorted(wanted):
            raise ValueError(f"page {self.spec.kind}: tables {sorted(self.tables)} ≠ {wanted}")

    def table(self, key: str) -> Table:
        return self.tables[key]


# ---------------------------------------------------------------- data renderings


def json_value(kind: str, value: Any) -> Any:
    if value is None:
        return None
    if kind == "count":
        return value.public()
    if kind in ("money", "percent"):
        return str(value.quantize(Decimal("0.01")))
    if kind in ("date", "datetime"):
        return value.isoformat()
    return value


def page_json(page: Page, *, generated_at: dt.datetime) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "page": page.spec.kind,
        "subject": {
            "kind": page.subject.kind,
            "code": page.subject.code,
            "name": page.subject.name,
        },
        "fiscal_year_be": page.fiscal_year,
        "as_of": page.as_of.isoformat(),
        "source": page.source,
        "generated_at": generated_at.isoformat(timespec="seconds"),
        "tables": {
            key: [
                {c.key: json_value(c.kind, row[c.key]) for c in table.spec.columns}
                for row in table.rows
            ]
            for key, table in page.tables.items()
        },
    }


def csv_value(kind: str, value: Any) -> str:
    shown = json_value(kind, value)
    if shown is None:
        return ""
    if isinstance(shown, bool):
        return "true" if shown else "false"
    if kind in ("text", "code", "url"):
        return safe_text(str(shown))  # a cell a spreadsheet would run as a formula
    return str(shown)


def table_csv(table: Table) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens Thai correctly; header = column keys."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.key for c in table.spec.columns])
    for row in table.rows:
        writer.writerow([csv_value(c.kind, row[c.key]) for c in table.spec.columns])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
