"""What reading a file and giving its cells meaning share: the limits, the refusal, the grid."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from openpyxl.utils.datetime import WINDOWS_EPOCH

MAX_DATA_ROWS = 20_000
HEADER_SEARCH_ROWS = 20
MAX_COLUMNS = 200


class _Refused(Exception):
    """The whole file is refused; `message` tells the user why and what to do."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class _Unusable:
    """A cell whose content must not be used (formula, error value, impossible date)."""

    message: str


@dataclass
class _Grid:
    """The non-blank cells of one sheet or CSV file, before any meaning is given to them."""

    rows: list[tuple[int, dict[int, Any]]]  # (row number, {column number: value})
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # min_col, min_row, ...
    hidden_rows: set[int] = field(default_factory=set)
    sheet: str = ""
    column_letters: bool = True
    epoch: dt.datetime = WINDOWS_EPOCH  # Excel for Mac once counted days from 1904
    notes: list[str] = field(default_factory=list)
