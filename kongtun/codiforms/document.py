"""What a CODI form is made of, whatever it is printed on: numbered sections of lines, tables,
blank lines to fill in by hand and signature lines; every number a `Figure` that knows where
it comes from.

The same document renders as the HTML preview (each figure a link to the records that make
it), the PDF and the XLSX (each figure's cell listed on the sources sheet), so the three can
never disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import ClassVar

from kongtun.funds.models import Fund

Value = Decimal | int | bool | dt.date | None


class Kind:
    """How a figure is written: the XLSX number format and the printed text follow it."""

    COUNT = "count"
    BAHT = "baht"
    PERCENT = "percent"
    DATE = "date"
    YES_NO = "yes_no"


@dataclass(frozen=True)
class Trace:
    """Where a figure comes from.

    `text` says it in words (Thai, for the sources sheet and the PDF's readers); the other
    fields say which records to open: an indicator's trace view, an account's ledger for a
    period, another page of the fund, or the figures a total adds up.
    """

    text: str
    indicator: str = ""
    account_id: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    page: str = ""
    page_kwargs: tuple[tuple[str, int | str], ...] = ()
    parts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Figure:
    """One number (or date, or yes/no) in a form, with a key unique within the form."""

    key: str
    label: str
    value: Value
    kind: str = Kind.COUNT
    unit: str = ""
    trace: Trace = field(default_factory=lambda: Trace(""))

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class Line:
    """A line "label …… value unit": a figure, or plain text (names, places) without one."""

    tag: ClassVar[str] = "line"

    label: str
    figure: Figure | None = None
    text: str = ""


@dataclass(frozen=True)
class TableRow:
    cells: tuple[str | Figure | None, ...]
    total: bool = False


@dataclass(frozen=True)
class Table:
    tag: ClassVar[str] = "table"

    columns: tuple[str, ...]
    rows: tuple[TableRow, ...]
    caption: str = ""
    empty: str = ""  # what to print when there are no rows

    @property
    def numeric(self) -> tuple[bool, ...]:
        """Which columns hold figures (printed right-aligned, headings too)."""
        return tuple(
            any(isinstance(row.cells[i], Figure) for row in self.rows if i < len(row.cells))
            for i in range(len(self.columns))
        )

    @property
    def headings(self) -> tuple[tuple[str, bool], ...]:
        return tuple(zip(self.columns, self.numeric, strict=True))


@dataclass(frozen=True)
class Blank:
    """Lines left empty for the fund to fill in by hand: the records do not hold this."""

    tag: ClassVar[str] = "blank"

    prompt: str
    lines: int = 3


@dataclass(frozen=True)
class Note:
    tag: ClassVar[str] = "note"

    text: str


@dataclass(frozen=True)
class Checks:
    """Boxes as CODI's form prints them, each with whether the records tick it (None: the
    fund ticks it by hand)."""

    tag: ClassVar[str] = "checks"

    options: tuple[tuple[str, bool | None], ...]


@dataclass(frozen=True)
class Signatures:
    tag: ClassVar[str] = "signatures"

    roles: tuple[str, ...]


Block = Line | Table | Blank | Note | Checks | Signatures


@dataclass(frozen=True)
class Section:
    number: str
    title: str
    blocks: tuple[Block, ...]
    manual: bool = False  # the whole section is filled in by hand


@dataclass(frozen=True)
class Form:
    """A generated CODI form for one fund."""

    kind: str  # "annual" | "proposal"
    title: str
    subtitle: str
    fund: Fund
    fiscal_year_be: int
    on: dt.date  # the day the figures are as of
    period_start: dt.date  # the first day of the year the "this year" figures cover
    generated_on: dt.date
    final: bool  # False while the fiscal year has not ended: the figures may still change
    sections: tuple[Section, ...]

    def figures(self) -> Iterator[Figure]:
        """Every figure, in the order the form prints them."""
        for section in self.sections:
            for block in section.blocks:
                if isinstance(block, Line) and block.figure is not None:
                    yield block.figure
                elif isinstance(block, Table):
                    for row in block.rows:
                        for cell in row.cells:
                            if isinstance(cell, Figure):
                                yield cell

    def figure(self, key: str) -> Figure:
        for fig in self.figures():
            if fig.key == key:
                return fig
        raise KeyError(key)

    def section(self, number: str) -> Section:
        for section in self.sections:
            if section.number == number:
                return section
        raise KeyError(number)


@dataclass(frozen=True)
class AnnualForm(Form):
    """แบบข้อมูลกองทุนสวัสดิการชุมชนประจำปี (BRIEF §3.3)."""


@dataclass(frozen=True)
class ProposalForm(Form):
    """แบบเสนอเพื่อรับการสนับสนุนกองทุนสวัสดิการชุมชน (BRIEF §3.2)."""
