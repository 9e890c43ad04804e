"""The forms as files: the PDF reads back in Thai with the figures and the provenance
footer; the XLSX holds exact numbers and says, for every figure, which cell and which records;
neither holds a member's name."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.utils import translation

from kongtun.codiforms.rendering import (
    SOURCES_SHEET,
    annual_form_pdf,
    annual_form_xlsx,
    proposal_form_pdf,
    proposal_form_xlsx,
)
from kongtun.codiforms.selectors import annual_form, proposal_form
from kongtun.codiforms.tests.conftest import CHILD, FY, NON_MEMBER
from kongtun.contributions.tests.test_receipts import pdf_text, squash
from kongtun.members.models import Beneficiary, Member

pytestmark = pytest.mark.django_db
D = Decimal


def _private_names(fund: Any) -> list[str]:
    """Every name of a person the forms must not carry: members, their beneficiaries, the
    children and the non-member the fund helped."""
    names = []
    for member in Member.objects.filter(fund=fund):
        names += [member.first_name, member.last_name, member.full_name]
    names += list(Beneficiary.objects.filter(fund=fund).values_list("full_name", flat=True))
    return [*names, CHILD, NON_MEMBER]


def test_the_annual_pdf_reads_back_in_thai_with_its_figures(
    year: dict[str, Any], tmp_path: Path
) -> None:
    form = annual_form(year["fund"], FY)
    with translation.override("en"):  # CODI's form is Thai whatever the screen's language
        text = pdf_text(annual_form_pdf(form), tmp_path / "annual.pdf")

    for title in (
        "แบบข้อมูลกองทุนสวัสดิการชุมชนประจำปี",
        "1. ชื่อและที่ตั้งกองทุน ประธานและผู้ประสานงาน",
        "3. ข้อมูลสมาชิกกองทุน",
        "4. ข้อมูลเงินกองทุนสวัสดิการชุมชน",
        "5. สวัสดิการที่จัดให้กับสมาชิก (ยอดสะสม)",
        "8. คณะกรรมการกองทุน",
        "9. ระบบบริหารกองทุน",
        "10. รายงานสถานะทางการเงิน",
        "11. ความเชื่อมโยงกับกลุ่ม/องค์กรอื่นในชุมชน",
        "กรอกด้วยมือ: ข้อมูลส่วนนี้ไม่มีในระบบ",
        "ฐานข้อมูลกองทุนสวัสดิการชุมชน (โปรแกรม Kongtun)",
        "จัดทำจากข้อมูลในระบบของกองทุนเมื่อวันที่",
        "ตัวเลขทุกตัวตรวจสอบที่มาได้ในระบบ",
        "ตำบลเวียงเหนือ",
        "ลำปาง",
        "กรรมการ 1",  # the committee roster is part of the form
    ):
        assert squash(title) in text, title
    for key in ("money.members.year", "fund_balance", "welfare.total.baht_total",
                "finance.assets.total", "finance.admin.5204"):  # fmt: skip
        value = form.figure(key).value
        assert f"{value:,.2f}" in text, key
    assert "1,380.00" in text and "6,812.34" in text and "13.64" in text


def test_the_proposal_pdf_has_the_criteria_and_the_signatures(
    year: dict[str, Any], tmp_path: Path
) -> None:
    text = pdf_text(proposal_form_pdf(proposal_form(year["fund"], FY)), tmp_path / "p.pdf")
    for title in (
        "แบบเสนอเพื่อรับการสนับสนุนกองทุนสวัสดิการชุมชน",
        "4.1 เป็นกองทุนที่จัดตั้งและดำเนินการจัดสวัสดิการชุมชนไม่ต่ำกว่า 1 ปี",
        "4.5 มีการจัดสวัสดิการพื้นฐานไม่น้อยกว่า 3 ประเภท",
        "5. จำนวนเงินที่เสนอขอรับการสนับสนุน ปีงบประมาณ 2568",
        "7. แผนการใช้เงินสมทบ",
        "8. คำรับรอง",
        "คืนเงินส่วนเกิน",
        "ประธานกองทุนสวัสดิการชุมชน",
        "นายกองค์การบริหารส่วนตำบล/นายกเทศมนตรี",
        "ยังไม่ผ่านเกณฑ์",  # two welfare types paid, not three
    ):
        assert squash(title) in text, title
    assert "720.00" in text


def test_the_xlsx_holds_exact_numbers_and_their_sources(year: dict[str, Any]) -> None:
    form = annual_form(year["fund"], FY)
    book = openpyxl.load_workbook(io.BytesIO(annual_form_xlsx(form)))
    assert book.sheetnames == ["แบบข้อมูลประจำปี", SOURCES_SHEET]
    sheet, sources = book["แบบข้อมูลประจำปี"], book[SOURCES_SHEET]

    rows = {row[0].value: row for row in sources.iter_rows(min_row=6) if row[0].value}
    placed = {f.key for f in form.figures()}
    assert set(rows) == placed  # every figure is listed, once
    for figure in form.figures():
        if figure.kind not in ("count", "baht", "percent") or figure.value is None:
            continue
        row = rows[figure.key]
        ref = row[2].value.split("!")[1]
        cell = sheet[ref]
        assert cell.data_type == "n", figure.key
        # openpyxl reads numbers back as float; the file holds the exact decimal text.
        assert Decimal(str(cell.value)) == Decimal(str(figure.value)), figure.key
        assert row[4].value == figure.trace.text or row[4].value.startswith(figure.trace.text)
    members = rows["money.members.year"]
    assert "4101" not in members[4].value  # an indicator: its trace is the indicator's page
    assert rows["finance.receipts.members.4101"][4].value.startswith(
        "ผลรวมรายการบัญชี 4101 เงินสมทบ (สัจจะ) สมาชิก แหล่งเงิน เงินสมทบ (สัจจะ) ของสมาชิก "
        "ตั้งแต่ 1 ตุลาคม 2567 ถึง 30 กันยายน 2568"
    )
    assert "/books/ledger/" in rows["finance.receipts.members.4101"][5].value
    assert "start=2024-10-01&end=2025-09-30" in rows["finance.receipts.members.4101"][5].value
    total = rows["finance.assets.total"]
    assert "เซลล์" in total[4].value  # a total names the cells it adds up
    assert Decimal(str(sheet[total[2].value.split("!")[1]].value)) == D("6812.34")


def test_the_proposal_xlsx_has_the_requested_amount(year: dict[str, Any]) -> None:
    form = proposal_form(year["fund"], FY)
    book = openpyxl.load_workbook(io.BytesIO(proposal_form_xlsx(form)))
    sources = book[SOURCES_SHEET]
    rows = {row[0].value: row for row in sources.iter_rows(min_row=6) if row[0].value}
    ref = rows["request.amount"][2].value.split("!")[1]
    assert Decimal(str(book.worksheets[0][ref].value)) == D("720.00")
    assert "/contributions/matching/2568/" in rows["request.amount"][5].value


def test_no_member_is_named_in_any_file(year: dict[str, Any], tmp_path: Path) -> None:
    fund = year["fund"]
    names = _private_names(fund)
    annual, proposal = annual_form(fund, FY), proposal_form(fund, FY)
    texts = [
        pdf_text(annual_form_pdf(annual), tmp_path / "a.pdf"),
        pdf_text(proposal_form_pdf(proposal), tmp_path / "p.pdf"),
    ]
    for data in (annual_form_xlsx(annual), proposal_form_xlsx(proposal)):
        book = openpyxl.load_workbook(io.BytesIO(data))
        cells = [str(c.value) for ws in book for row in ws.iter_rows() for c in row if c.value]
        texts.append(squash(" ".join(cells)))
    for text in texts:
        for name in names:
            assert squash(name) not in text, name
