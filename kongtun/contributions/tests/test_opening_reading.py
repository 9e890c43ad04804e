"""Reading workbooks as Excel saves them: shared strings, date styles, formulas and errors.

openpyxl writes only inline strings, so these workbooks are written as XML by
`opening_files.excel_workbook`, the way Excel writes them.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from django.utils import timezone, translation

from kongtun.contributions.models import PastPayment, Plan, Standing
from kongtun.contributions.opening import opening_import, opening_preview
from kongtun.contributions.opening.reading import read_workbook
from kongtun.contributions.tests import opening_files as files
from kongtun.contributions.tests.conftest import new_member
from kongtun.members.models import Member

pytestmark = pytest.mark.django_db


def serial(day: dt.date) -> int:
    """The number Excel stores for a date (days since 30 December 1899)."""
    return (day - dt.date(1899, 12, 30)).days


@pytest.fixture
def member(plan: Plan, books: Any, users: Any) -> Member:
    return new_member(books, users["treasurer"], 401)


def _book(member: Member, payments: list[list[Any]]) -> bytes:
    return files.excel_workbook(
        {
            files.MEMBERS_SHEET: [
                files.MEMBER_HEADERS,
                [member.number, ("d", serial(dt.date(2025, 9, 30)))],
            ],
            files.HISTORY_SHEET: [files.HISTORY_HEADERS, *payments],
            files.BALANCES_SHEET: [
                ["ยอดยกมา ณ วันที่", "30/09/2568"],
                [],
                files.BALANCE_HEADERS,
                ["เงินสดและเงินฝาก", "1101", "เงินสด", 60],
                ["แหล่งที่มาของเงิน", "members", "", ("f", "SUM(D4:D4)", 60)],
            ],
        }
    )


def test_shared_strings_date_styles_and_saved_formula_results_are_read(
    member: Member, users: Any
) -> None:
    data = _book(
        member,
        [
            [member.number, "05/01/2567", 30, "เล่ม1/01"],
            [member.number, ("d", serial(dt.date(2024, 2, 5))), ("f", "10+20", 30)],
        ],
    )
    opening = opening_import(
        fund=member.fund, actor=users["treasurer"], filename="excel.xlsx", data=data
    ).opening
    assert Standing.objects.get(member=member).paid_through == dt.date(2025, 9, 30)
    payments = list(PastPayment.objects.order_by("date").values_list("date", "amount", "reference"))
    assert payments == [
        (dt.date(2024, 1, 5), Decimal("30.00"), "เล่ม1/01"),
        (dt.date(2024, 2, 5), Decimal("30.00"), ""),
    ]
    assert opening.entry is not None


@pytest.mark.parametrize(
    "amount",
    [("f", "10+20", None), ("e", "#REF!"), ("f", 'HYPERLINK("http://x")', 30), ("b", 1)],
    ids=["never calculated", "error", "risky formula", "TRUE"],
)
def test_cells_that_cannot_be_used_are_row_problems(member: Member, amount: Any) -> None:
    data = _book(member, [[member.number, "05/01/2567", 30], [member.number, "05/02/2567", amount]])
    preview = opening_preview(
        fund=member.fund, filename="x.xlsx", data=data, today=timezone.localdate()
    )
    assert [(e.sheet, e.row, e.column) for e in preview.errors] == [("ประวัติการส่ง", 3, "จำนวนเงิน")]


def test_a_sheet_streams_row_by_row() -> None:
    data = files.workbook(history=[["1", "05/01/2567", 30]] * 3)
    book = read_workbook("x.xlsx", data)
    history = next(s for s in book.sheets if s.title == files.HISTORY_SHEET)
    rows = list(history.rows())
    assert [number for number, _values in rows] == [1, 2, 3, 4]
    assert rows[1][1] == {1: "1", 2: "05/01/2567", 3: 30}


def test_hidden_rows_are_read_and_noted(member: Member) -> None:
    rows = [[member.number, "05/01/2567", 30], [member.number, "05/02/2567", 30]]
    book = openpyxl.load_workbook(io.BytesIO(files.workbook(history=rows)))
    book[files.HISTORY_SHEET].row_dimensions[3].hidden = True
    with translation.override("en"):
        preview = opening_preview(
            fund=member.fund, filename="x.xlsx", data=files.save(book), today=timezone.localdate()
        )
    assert preview.accepted and preview.payments == 2
    assert any("(rows 3)" in note for note in preview.notes), preview.notes
