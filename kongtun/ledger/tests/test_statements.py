"""The financial statements, checked against one fund's year worked out by hand.

`year` posts the books of a small fund for fiscal year 2568 (1 Oct 2024 – 30 Sep 2025) plus
its opening balance and one entry of the following year. Every expected figure below was
added up on paper from that list, not computed by the code under test.

    E1  30/09/2567  opening balance      cash +5,000.00  bank +45,000.00
                                         opening −30,000.00 (members) −20,000.00 (no source)
    E2  15/10/2567  contributions        cash +12,000.00           members −12,000.00
    E3  01/11/2567  meeting collection   cash +2,000.00            members −1,900.00  fees −100.00
    E4  20/11/2567  cash into the bank   bank +10,000.00           cash −10,000.00
    E5  10/01/2568  CODI co-contribution bank +12,000.00           codi −12,000.00
    E6  05/02/2568  death benefit        death +3,000.00 (codi)    bank −3,000.00
    E7  12/03/2568  scholarship          education +1,500.00 (members)  cash −1,500.00
    E8  02/04/2568  stationery (typo)    stationery +530.75        cash −530.75
    E9  03/04/2568  reversal of E8       stationery −530.75        cash +530.75
    E10 03/04/2568  stationery           stationery +350.75        cash −350.75
    E11 30/06/2568  bank interest        bank +123.45              interest −123.45
    E12 25/09/2568  meeting allowances   meetings +800.00          payable −800.00   (owed)
    E13 30/09/2568  CODI round due       receivable.codi +5,000.00 codi −5,000.00 (not paid)
    E14 05/10/2568  contributions, FY2569 cash +1,000.00           members −1,000.00
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from kongtun.funds.models import Fund
from kongtun.ledger import core
from kongtun.ledger.exports import safe_text, statements_pdf, statements_xlsx
from kongtun.ledger.services import account_add, entry_post, entry_reverse
from kongtun.ledger.statements import (
    STATEMENTS,
    AdminRatio,
    Period,
    admin_ratio,
    financial_position,
    fiscal_year_bounds,
    fiscal_year_of,
    income_expenditure,
    receipts_payments,
    statement_trial_balance,
    statements_for,
)
from kongtun.ledger.tests.conftest import account
from kongtun.lib.pdf import thai_text_layer

D = Decimal
FY2568 = (dt.date(2024, 10, 1), dt.date(2025, 9, 30))


def _post(fund: Fund, actor: Any, on: dt.date, memo: str, *lines: tuple[str, str, str]) -> Any:
    """Post (role, signed amount, source) lines; source "" keeps the account's own."""
    postings = tuple(
        core.Posting(account(fund, role).code, D(amount), source) for role, amount, source in lines
    )
    return entry_post(fund=fund, actor=actor, entry=core.Entry(on, memo, postings), kind="other")


@pytest.fixture
def year(books: Fund, users: dict[str, Any]) -> Fund:
    t = users["treasurer"]
    _post(
        books,
        t,
        dt.date(2024, 9, 30),
        "ยอดยกมา",
        ("cash", "5000.00", ""),
        ("bank", "45000.00", ""),
        ("opening", "-30000.00", "members"),
        ("opening", "-20000.00", ""),
    )
    _post(
        books,
        t,
        dt.date(2024, 10, 15),
        "เงินสัจจะ",
        ("cash", "12000.00", ""),
        ("income.members", "-12000.00", ""),
    )
    _post(
        books,
        t,
        dt.date(2024, 11, 1),
        "เก็บเงินในที่ประชุม",
        ("cash", "2000.00", ""),
        ("income.members", "-1900.00", ""),
        ("income.entry_fees", "-100.00", ""),
    )
    _post(
        books,
        t,
        dt.date(2024, 11, 20),
        "นำเงินสดฝากธนาคาร",
        ("bank", "10000.00", ""),
        ("cash", "-10000.00", ""),
    )
    _post(
        books,
        t,
        dt.date(2025, 1, 10),
        "เงินสมทบ พอช.",
        ("bank", "12000.00", ""),
        ("income.codi", "-12000.00", ""),
    )
    _post(
        books,
        t,
        dt.date(2025, 2, 5),
        "สวัสดิการเสียชีวิต",
        ("welfare.death", "3000.00", "codi"),
        ("bank", "-3000.00", ""),
    )
    _post(
        books,
        t,
        dt.date(2025, 3, 12),
        "ทุนการศึกษา",
        ("welfare.education", "1500.00", "members"),
        ("cash", "-1500.00", ""),
    )
    typo = _post(
        books,
        t,
        dt.date(2025, 4, 2),
        "ค่าเครื่องเขียน",
        ("admin.stationery", "530.75", ""),
        ("cash", "-530.75", ""),
    )
    entry_reverse(entry=typo, actor=t, on=dt.date(2025, 4, 3), reason="พิมพ์ยอดผิด")
    _post(
        books,
        t,
        dt.date(2025, 4, 3),
        "ค่าเครื่องเขียน",
        ("admin.stationery", "350.75", ""),
        ("cash", "-350.75", ""),
    )
    _post(
        books,
        t,
        dt.date(2025, 6, 30),
        "ดอกเบี้ย",
        ("bank", "123.45", ""),
        ("income.interest", "-123.45", ""),
    )
    _post(
        books,
        t,
        dt.date(2025, 9, 25),
        "ค่าเบี้ยประชุมค้างจ่าย",
        ("admin.meetings", "800.00", ""),
        ("payable", "-800.00", ""),
    )
    _post(
        books,
        t,
        dt.date(2025, 9, 30),
        "เงินสมทบ พอช. ค้างรับ",
        ("receivable.codi", "5000.00", ""),
        ("income.codi", "-5000.00", ""),
    )
    _post(
        books,
        t,
        dt.date(2025, 10, 5),
        "เงินสัจจะ",
        ("cash", "1000.00", ""),
        ("income.members", "-1000.00", ""),
    )
    return books  # fmt: skip


def _fy(fund: Fund) -> Period:
    return Period.of_fiscal_year(fund, 2568)


def _amounts(rows: list[Any]) -> dict[str, Decimal]:
    return {r.code: r.amount for r in rows}


def _transfers(rp: Any) -> list[tuple[str, str, Decimal]]:
    return [(t.source.code, t.target.code, t.amount) for t in rp.transfers]


# --- Fiscal years ----------------------------------------------------------------------------


def test_government_year_is_named_by_the_be_year_it_ends(fund):
    assert fund.fiscal_year == Fund.FiscalYear.GOVERNMENT
    assert fiscal_year_bounds(fund, 2569) == (dt.date(2025, 10, 1), dt.date(2026, 9, 30))
    assert fiscal_year_bounds(fund, 2568) == (dt.date(2024, 10, 1), dt.date(2025, 9, 30))
    assert fiscal_year_of(fund, dt.date(2025, 9, 30)) == 2568
    assert fiscal_year_of(fund, dt.date(2025, 10, 1)) == 2569
    assert fiscal_year_of(fund, dt.date(2026, 1, 1)) == 2569
    assert fiscal_year_of(fund, dt.date(2026, 9, 30)) == 2569


def test_calendar_year_is_january_to_december_named_by_its_be_year(fund):
    fund.fiscal_year = Fund.FiscalYear.CALENDAR
    assert fiscal_year_bounds(fund, 2569) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert fiscal_year_of(fund, dt.date(2026, 1, 1)) == 2569
    assert fiscal_year_of(fund, dt.date(2026, 12, 31)) == 2569
    assert fiscal_year_of(fund, dt.date(2025, 12, 31)) == 2568


@pytest.mark.parametrize("year", [2000, 2483, 2701])
def test_fiscal_year_outside_the_range_is_refused(fund, year):
    with pytest.raises(ValueError):
        fiscal_year_bounds(fund, year)


def test_every_day_falls_in_the_fiscal_year_that_contains_it(fund):
    for kind in Fund.FiscalYear.values:
        fund.fiscal_year = kind
        day = dt.date(2024, 1, 1)
        while day < dt.date(2026, 1, 1):
            start, end = fiscal_year_bounds(fund, fiscal_year_of(fund, day))
            assert start <= day <= end
            day += dt.timedelta(days=1)


# --- 1. Receipts and payments ----------------------------------------------------------------


def test_receipts_and_payments_of_the_year(year):
    rp = receipts_payments(fund=year, period=_fy(year))

    # Opening at 1/10/2567 is E1 only: cash 5,000.00, bank 45,000.00.
    assert [(m.account.code, m.opening) for m in rp.money] == [
        ("1101", D("5000.00")),
        ("1111", D("45000.00")),
    ]
    assert rp.opening == D("50000.00")
    # Members 12,000.00 (E2) + 1,900.00 (E3); CODI only what reached the bank (E5), not E13.
    assert _amounts(rp.receipts) == {
        "4101": D("13900.00"),
        "4102": D("100.00"),
        "4201": D("12000.00"),
        "4601": D("123.45"),
    }
    assert rp.total_receipts == D("26123.45")
    # Stationery 530.75 − 530.75 + 350.75: the typo and its reversal cancel. E12 paid nothing.
    assert _amounts(rp.payments) == {
        "5104": D("3000.00"),
        "5108": D("1500.00"),
        "5203": D("350.75"),
    }
    assert rp.total_payments == D("4850.75")
    # E4 is a transfer, neither receipt nor payment.
    assert _transfers(rp) == [("1101", "1111", D("10000.00"))]
    # Cash 5,000 + 12,000 + 2,000 − 10,000 − 1,500 − 530.75 + 530.75 − 350.75 = 7,149.25;
    # bank 45,000 + 10,000 + 12,000 − 3,000 + 123.45 = 64,123.45. E14 is next year.
    assert [(m.account.code, m.closing) for m in rp.money] == [
        ("1101", D("7149.25")),
        ("1111", D("64123.45")),
    ]
    assert rp.closing == D("71272.70")
    # 50,000.00 + 26,123.45 − 4,850.75 = 71,272.70
    assert rp.balances


def test_receipts_and_payments_of_a_month_with_a_reversal(year):
    rp = receipts_payments(fund=year, period=Period(dt.date(2025, 4, 1), dt.date(2025, 4, 30)))

    # At 31/3/2568: cash 5,000 + 12,000 + 2,000 − 10,000 − 1,500 = 7,500.00;
    # bank 45,000 + 10,000 + 12,000 − 3,000 = 64,000.00.
    assert rp.opening == D("71500.00")
    assert rp.receipts == []
    assert _amounts(rp.payments) == {"5203": D("350.75")}
    assert rp.transfers == []
    assert rp.closing == D("71149.25")
    assert rp.balances


def test_an_entry_with_money_on_both_sides_splits_into_receipt_and_transfer(books, users):
    # Cash +100: 60 taken from the bank and 40 donated. The donation is a receipt,
    # the 60 a transfer from bank to cash.
    _post(books, users["treasurer"], dt.date(2024, 5, 2), "ผสม", ("cash", "100.00", ""),
          ("bank", "-60.00", ""), ("income.donations", "-40.00", ""))  # fmt: skip
    rp = receipts_payments(fund=books, period=Period(dt.date(2024, 5, 1), dt.date(2024, 5, 31)))

    assert _amounts(rp.receipts) == {"4501": D("40.00")}
    assert rp.payments == []
    assert _transfers(rp) == [("1111", "1101", D("60.00"))]
    assert rp.opening == 0 and rp.closing == D("40.00") and rp.balances


# --- 2. Income and expenditure ---------------------------------------------------------------


def test_income_and_expenditure_of_the_year(year):
    ie = income_expenditure(fund=year, period=_fy(year))

    assert [(g.source, _amounts(g.rows)) for g in ie.income] == [
        ("members", {"4101": D("13900.00")}),
        ("entry_fees", {"4102": D("100.00")}),
        # 12,000.00 received (E5) + 5,000.00 due (E13)
        ("codi", {"4201": D("17000.00")}),
        ("interest", {"4601": D("123.45")}),
    ]
    assert ie.total_income == D("31123.45")
    assert _amounts(ie.welfare) == {"5104": D("3000.00"), "5108": D("1500.00")}
    assert ie.total_welfare == D("4500.00")
    # Stationery 350.75 + meeting allowances 800.00 (owed, E12)
    assert _amounts(ie.admin) == {"5203": D("350.75"), "5204": D("800.00")}
    assert ie.total_admin == D("1150.75")
    assert ie.other_expenses == []
    assert ie.total_expenses == D("5650.75")
    # 31,123.45 − 5,650.75
    assert ie.surplus == D("25472.70")


def test_an_expense_outside_welfare_and_administration_is_other(books, users):
    other = account_add(fund=books, actor=users["treasurer"], code="5901",
                        name_th="ค่าธรรมเนียมธนาคาร", type="expense")  # fmt: skip
    entry_post(fund=books, actor=users["treasurer"], kind="other", entry=core.Entry(
        dt.date(2024, 5, 2), "ค่าธรรมเนียม",
        (core.Posting(other.code, D("15.00")), core.Posting("1111", D("-15.00")))))  # fmt: skip
    ie = income_expenditure(fund=books, period=Period(dt.date(2024, 5, 1), dt.date(2024, 5, 31)))

    assert _amounts(ie.other_expenses) == {"5901": D("15.00")}
    assert ie.surplus == D("-15.00") and ie.deficit == D("15.00")
    assert ie.ratio.percent == D("0.00") and not ie.ratio.exceeded


# --- 3. Financial position -------------------------------------------------------------------


def test_financial_position_at_the_end_of_the_year(year):
    pos = financial_position(fund=year, on=FY2568[1])

    assert _amounts(pos.cash) == {"1101": D("7149.25")}
    assert _amounts(pos.banks) == {"1111": D("64123.45")}
    assert _amounts(pos.receivables) == {"1201": D("5000.00")}
    assert pos.other_assets == []
    # 7,149.25 + 64,123.45 + 5,000.00
    assert pos.total_assets == D("76272.70")
    assert _amounts(pos.liabilities) == {"2101": D("800.00")}
    assert _amounts(pos.equity) == {"3201": D("50000.00")}
    # All income to date less all expenses to date: the year's surplus, as nothing came before.
    assert pos.accumulated_surplus == D("25472.70")
    assert pos.fund_balance == D("75472.70")
    # 800.00 + 75,472.70
    assert pos.total_liabilities_and_fund == D("76272.70")
    assert pos.balances


def test_fund_balance_by_source_keeps_each_partys_money_apart(year):
    pos = financial_position(fund=year, on=FY2568[1])

    rows = [(s.source, s.equity, s.income, s.expenses, s.balance) for s in pos.by_source]
    assert rows == [
        # 30,000 opening + 13,900 contributions − 1,500 scholarship
        ("members", D("30000.00"), D("13900.00"), D("1500.00"), D("42400.00")),
        ("entry_fees", D("0.00"), D("100.00"), D("0.00"), D("100.00")),
        # 17,000 from CODI − 3,000 death benefit paid from it
        ("codi", D("0.00"), D("17000.00"), D("3000.00"), D("14000.00")),
        ("interest", D("0.00"), D("123.45"), D("0.00"), D("123.45")),
        # 20,000 opening not split by source − untagged stationery 350.75 and meetings 800.00
        ("", D("20000.00"), D("0.00"), D("1150.75"), D("18849.25")),
    ]
    total = pos.by_source_total
    assert (total.equity, total.income, total.expenses) == (
        D("50000.00"),
        D("31123.45"),
        D("5650.75"),
    )
    assert total.balance == pos.fund_balance == D("75472.70")


def test_financial_position_in_the_middle_of_the_year(year):
    pos = financial_position(fund=year, on=dt.date(2025, 3, 31))

    assert pos.total_money == D("71500.00")
    # Income 13,900 + 100 + 12,000; expenses 3,000 + 1,500
    assert pos.accumulated_surplus == D("21500.00")
    assert pos.balances


# --- 4. Trial balance ------------------------------------------------------------------------


def test_trial_balance_at_the_end_of_the_year(year):
    tb = statement_trial_balance(fund=year, period=_fy(year))

    assert [(r.account.code, r.debit, r.credit) for r in tb.rows] == [
        ("1101", D("7149.25"), D("0.00")),
        ("1111", D("64123.45"), D("0.00")),
        ("1201", D("5000.00"), D("0.00")),
        ("2101", D("0.00"), D("800.00")),
        ("3201", D("0.00"), D("50000.00")),
        ("4101", D("0.00"), D("13900.00")),
        ("4102", D("0.00"), D("100.00")),
        ("4201", D("0.00"), D("17000.00")),
        ("4601", D("0.00"), D("123.45")),
        ("5104", D("3000.00"), D("0.00")),
        ("5108", D("1500.00"), D("0.00")),
        ("5203", D("350.75"), D("0.00")),
        ("5204", D("800.00"), D("0.00")),
    ]
    assert tb.total_debit == tb.total_credit == D("81923.45")


# --- 5. Administration-cost ratio ------------------------------------------------------------


def test_admin_ratio_over_the_cap_warns(year):
    ratio = admin_ratio(fund=year, period=_fy(year))

    # 1,150.75 ÷ (4,500.00 + 1,150.75) = 20.3645…% → 20.36%, over the default 20%
    assert (ratio.welfare, ratio.admin) == (D("4500.00"), D("1150.75"))
    assert ratio.percent == D("20.36")
    assert ratio.cap == D("20.00")
    assert ratio.exceeded


def test_admin_ratio_at_or_under_the_cap_does_not_warn(year):
    year.admin_cost_cap_percent = D("20.36")
    assert not admin_ratio(fund=year, period=_fy(year)).exceeded
    year.admin_cost_cap_percent = D("20.35")
    assert admin_ratio(fund=year, period=_fy(year)).exceeded


def test_admin_ratio_of_a_period_with_welfare_only_is_zero(year):
    # October 2567 – March 2568: welfare 4,500.00, no administration yet.
    ratio = admin_ratio(fund=year, period=Period(dt.date(2024, 10, 1), dt.date(2025, 3, 31)))
    assert ratio.percent == D("0.00") and not ratio.exceeded


def test_admin_ratio_with_no_expenses_is_zero_without_warning(year):
    ratio = admin_ratio(fund=year, period=Period(dt.date(2024, 10, 1), dt.date(2024, 12, 31)))
    assert (ratio.welfare, ratio.admin, ratio.percent, ratio.exceeded) == (0, 0, 0, False)


def test_admin_ratio_rounds_half_up():
    # 1 ÷ 800 = 0.125% exactly: half-up gives 0.13 where banker's rounding would give 0.12.
    assert AdminRatio(D("799.00"), D("1.00"), D("20")).percent == D("0.13")
    # 2 ÷ 3 = 66.666…%
    assert AdminRatio(D("1.00"), D("2.00"), D("20")).percent == D("66.67")
    assert AdminRatio(D("0.00"), D("5.00"), D("100")).percent == D("100.00")


# --- Files -----------------------------------------------------------------------------------


def _run(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is not installed; these tests need: apt-get install poppler-utils")
    result = subprocess.run([tool, *args], capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{tool} failed: {result.stderr}"
    return result.stdout


def _squash(text: str) -> str:
    """Text as pdftotext reads it back: no spaces (Thai has none between words; pdftotext
    guesses some) and SARA AM spelled as drawn (see kongtun.lib.pdf.thai_text_layer)."""
    return re.sub(r"\s+", "", thai_text_layer(text))


def _pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "statements.pdf"
    path.write_bytes(pdf)
    return _squash(_run("pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"))


def test_pdf_of_all_statements_shows_the_hand_checked_totals(year, tmp_path):
    stmts = statements_for(fund=year, period=_fy(year), kinds=STATEMENTS)
    pdf = statements_pdf(stmts)
    assert pdf.startswith(b"%PDF")
    text = _pdf_text(pdf, tmp_path)

    for expected in (
        year.name,
        "งบรับ-จ่ายเงิน",
        "งบรายได้-ค่าใช้จ่าย",
        "งบแสดงฐานะการเงิน",
        "งบทดลอง",
        "ปีบัญชี2568(1ตุลาคม2567ถึง30กันยายน2568)",
        "รวมรายรับ26,123.45",
        "รวมรายจ่าย4,850.75",
        "รวมยอดคงเหลือยกไป71,272.70",
        "รวมเงินโอน10,000.00",
        "รวมรายได้31,123.45",
        "รวมค่าใช้จ่าย5,650.75",
        "รายได้สูงกว่าค่าใช้จ่าย25,472.70",
        "20.36%",
        "เกินเพดาน20.00%",
        "รวมสินทรัพย์76,272.70",
        "รวมหนี้สินและทุนของกองทุน76,272.70",
        "รวม81,923.4581,923.45",
        "พิมพ์เมื่อ",
    ):
        assert _squash(expected) in text, expected


def test_pdf_without_an_overspent_administration_has_no_warning(year, tmp_path):
    year.admin_cost_cap_percent = D("25.00")
    pdf = statements_pdf(statements_for(fund=year, period=_fy(year), kinds=("income",)))
    text = _pdf_text(pdf, tmp_path)

    assert _squash("ไม่เกินเพดาน") in text
    assert _squash("คำเตือน") not in text


def test_pdf_is_thai_whatever_the_ui_language(year, tmp_path):
    with translation.override("en"):
        pdf = statements_pdf(statements_for(fund=year, period=_fy(year), kinds=("trial",)))
    assert _squash("งบทดลอง") in _pdf_text(pdf, tmp_path)
    assert _squash("เงินสด") in _pdf_text(pdf, tmp_path)


def _workbook(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def _figure(ws: Any, label: str, column: int = 3) -> Decimal:
    """The number beside `label` in column B.

    openpyxl reads numbers back as float. The file holds the exact decimal text (openpyxl
    wrote the Decimal's digits), and every amount here has at most 15 significant digits, so
    the shortest repr of the float is that text: Decimal(str(value)) recovers it exactly.
    """
    for row in ws.iter_rows():
        if row[1].value == label:
            cell = row[column - 1]
            assert cell.data_type == "n", f"{label} is not a number cell"
            assert cell.number_format in ("#,##0.00", "0.00")
            return Decimal(str(cell.value)).quantize(D("0.01"))
    raise AssertionError(f"no row labelled {label!r} in {ws.title}")


def test_xlsx_has_the_hand_checked_totals_as_numbers(year):
    stmts = statements_for(fund=year, period=_fy(year), kinds=STATEMENTS)
    wb = _workbook(statements_xlsx(stmts))

    assert wb.sheetnames == ["งบรับ-จ่ายเงิน", "งบรายได้-ค่าใช้จ่าย", "งบแสดงฐานะการเงิน", "งบทดลอง"]
    rp, ie, pos, tb = (wb[name] for name in wb.sheetnames)
    assert rp["A1"].value == year.name
    assert _figure(rp, "รวมยอดยกมา") == D("50000.00")
    assert _figure(rp, "รวมรายรับ") == D("26123.45")
    assert _figure(rp, "รวมรายจ่าย") == D("4850.75")
    assert _figure(rp, "รวมเงินโอน") == D("10000.00")
    assert _figure(rp, "รวมยอดคงเหลือยกไป") == D("71272.70")
    assert _figure(ie, "รวมรายได้") == D("31123.45")
    assert _figure(ie, "รวมค่าใช้จ่ายด้านสวัสดิการ") == D("4500.00")
    assert _figure(ie, "รวมค่าใช้จ่ายในการบริหารจัดการ") == D("1150.75")
    assert _figure(ie, "รายได้สูง(ต่ำ)กว่าค่าใช้จ่าย") == D("25472.70")
    assert _figure(ie, "ค่าบริหาร ÷ (ค่าสวัสดิการ + ค่าบริหาร) (%)") == D("20.36")
    assert _figure(pos, "รวมสินทรัพย์") == D("76272.70")
    assert _figure(pos, "รวมหนี้สินและทุนของกองทุน") == D("76272.70")
    assert _figure(pos, "ไม่ระบุแหล่งเงิน", column=6) == D("18849.25")
    assert _figure(tb, "รวม", column=3) == _figure(tb, "รวม", column=4) == D("81923.45")


def test_xlsx_writes_the_exact_decimal_text_into_the_file(year):
    """The sheet XML itself holds the digits, not a float's approximation of them."""
    import zipfile

    data = statements_xlsx(statements_for(fund=year, period=_fy(year), kinds=("receipts",)))
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    assert "<v>26123.45</v>" in sheet
    assert "<v>71272.7</v>" in sheet  # Decimal("71272.70") normalised by openpyxl; still exact


def test_xlsx_neutralises_text_that_a_spreadsheet_would_run(books, users):
    evil = account_add(fund=books, actor=users["treasurer"], code="4902",
                       name_th='=HYPERLINK("http://x.example","คลิก")', type="income")  # fmt: skip
    entry_post(fund=books, actor=users["treasurer"], kind="other", entry=core.Entry(
        dt.date(2024, 5, 2), "x",
        (core.Posting("1101", D("10.00")), core.Posting(evil.code, D("-10.00")))))  # fmt: skip
    period = Period(dt.date(2024, 5, 1), dt.date(2024, 5, 31))
    wb = _workbook(statements_xlsx(statements_for(fund=books, period=period, kinds=("income",))))

    cells = [c for row in wb.active.iter_rows() for c in row if c.value is not None]
    assert not [c for c in cells if c.data_type == "f"]
    assert "'" + evil.name_th in [c.value for c in cells]


@pytest.mark.parametrize(
    ("text", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+66 81", "'+66 81"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("เงินสด", "เงินสด"),
        ("1101", "1101"),
    ],
)
def test_safe_text(text, safe):
    assert safe_text(text) == safe


# --- Views -----------------------------------------------------------------------------------


def _url(fund: Fund, name: str = "ledger-statements") -> str:
    return reverse(name, kwargs={"fund_code": fund.code})


@pytest.mark.parametrize("statement", STATEMENTS)
def test_auditor_sees_each_statement_of_a_fiscal_year(year, client_for, statement):
    response = client_for("auditor").get(_url(year), {"statement": statement, "fy": "2568"})

    assert response.status_code == 200
    body = response.content.decode()
    expected = {
        "receipts": "26,123.45",
        "income": "25,472.70",
        "position": "76,272.70",
        "trial": "81,923.45",
    }[statement]
    assert expected in body
    # The year overspent on administration: every statement page says so.
    assert "20.36" in body


def test_page_without_parameters_shows_the_current_fiscal_year(fund, client_for):
    response = client_for("auditor").get(_url(fund))

    assert response.status_code == 200
    assert response.context["period"] == Period.of_fiscal_year(
        fund, fiscal_year_of(fund, dt.date.today())
    )
    assert response.context["statement"] == "receipts"


def test_page_for_dates_typed_in_buddhist_era(year, client_for):
    response = client_for("auditor").get(
        _url(year), {"statement": "receipts", "start": "01/04/2568", "end": "30/04/2568"}
    )

    assert response.status_code == 200
    assert response.context["period"] == Period(dt.date(2025, 4, 1), dt.date(2025, 4, 30))
    assert response.context["stmts"].receipts.closing == D("71149.25")


def test_pdf_and_xlsx_downloads(year, client_for):
    client = client_for("auditor")
    pdf = client.get(_url(year, "ledger-statement-pdf"), {"statement": "all", "fy": "2568"})
    xlsx = client.get(_url(year, "ledger-statement-xlsx"), {"statement": "income", "fy": "2568"})

    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert 'filename="statements-fy2568.pdf"' in pdf["Content-Disposition"]
    assert xlsx.status_code == 200
    assert 'filename="statement-income-fy2568.xlsx"' in xlsx["Content-Disposition"]
    assert _workbook(xlsx.content).sheetnames == ["งบรายได้-ค่าใช้จ่าย"]


@pytest.mark.parametrize(
    "query",
    [
        {"fy": "abc"},
        {"fy": "2568.5"},
        {"fy": "99999"},
        {"fy": "1999"},
        {"statement": "balance"},
        {"statement": "all"},
        {"start": "01/10/2567"},
        {"end": "30/09/2568"},
        {"start": "30/09/2568", "end": "01/10/2567"},
        {"start": "31/02/2568", "end": "30/09/2568"},
        {"start": "yesterday", "end": "30/09/2568"},
        {"fy": "2568", "start": "01/10/2567", "end": "30/09/2568"},
    ],
)
def test_bad_parameters_get_400_with_the_reason(fund, client_for, query):
    response = client_for("auditor").get(_url(fund), query)

    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()


@pytest.mark.parametrize("name", ["ledger-statement-pdf", "ledger-statement-xlsx"])
def test_bad_parameters_on_downloads_get_400(fund, client_for, name):
    response = client_for("auditor").get(_url(fund, name), {"fy": "x"})
    assert response.status_code == 400


def test_statements_refuse_post(fund, client_for):
    assert client_for("auditor").post(_url(fund)).status_code == 405
