"""The opening-balance workbook to download, fill in and upload: three sheets and instructions.

The balances sheet lists this fund's own cash and bank accounts and every source of money, so
the treasurer only types amounts and the date.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import openpyxl
from openpyxl.styles import Font, PatternFill
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from kongtun.contributions.opening.cells import (
    AS_OF_LABEL,
    BALANCE_COLUMNS,
    BALANCES,
    HISTORY,
    HISTORY_COLUMNS,
    INSTRUCTIONS_SHEET,
    MEMBER_SHEET_COLUMNS,
    MEMBERS,
    SHEETS,
)
from kongtun.contributions.opening.sheets import EXAMPLES
from kongtun.ledger.models import Account, Source
from kongtun.ledger.statements import SOURCE_TH
from kongtun.lib.text import safe_text

_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_MONEY_FORMAT = "#,##0.00"
_INSTRUCTIONS = [
    ("วิธีกรอกยอดยกมาของกองทุน", ""),
    ("", ""),
    ("ก่อนนำเข้าไฟล์นี้ ต้องนำเข้าทะเบียนสมาชิกก่อน (เมนูสมาชิก → นำเข้า) และตั้งแบบการส่งเงินสมทบไว้แล้ว", ""),
    ("ระบบนำเข้าทั้งไฟล์หรือไม่นำเข้าเลย ถ้ามีแถวผิด ระบบจะบอกชีต แถว และคอลัมน์ให้แก้ แล้วส่งไฟล์ใหม่", ""),
    ("ไฟล์เดียวกันนำเข้าได้ครั้งเดียว และกองทุนหนึ่งมียอดยกมาได้ชุดเดียว", ""),
    ("แถวที่ 2 ของชีตสมาชิกและชีตประวัติการส่งเป็นตัวอย่าง ระบบจะข้ามให้เอง กรอกตั้งแต่แถวที่ 3", ""),
    ("", ""),
    ("ชีต “สมาชิก”", "หนึ่งแถวต่อสมาชิกหนึ่งคนที่ส่งเงินสมทบมาก่อนใช้ระบบ"),
    ("เลขที่สมาชิก", "ต้องกรอก ต้องตรงกับเลขที่สมาชิกในทะเบียน"),
    ("ส่งถึงวันที่", "ต้องกรอก วันสุดท้ายที่สมาชิกส่งเงินสมทบครบแล้ว วัน/เดือน/ปี พ.ศ. เช่น 30/09/2568"),
    ("แบบการส่ง", "ไม่บังคับ ชื่อแบบการส่งตามที่ตั้งไว้ในระบบ ถ้าเว้นว่างใช้แบบสำหรับสมาชิกใหม่"),
    ("ค่าสมัครค้างชำระ", "ไม่บังคับ (ว่าง = 0) ค่าสมัครหรือค่าธรรมเนียมที่สมาชิกยังค้างอยู่"),
    ("", ""),
    ("ชีต “ประวัติการส่ง”", "หนึ่งแถวต่อการส่งเงินหนึ่งครั้ง เพื่อแสดงในสมุดสมาชิกและใช้คิดเงินสมทบจากรัฐ"),
    ("เลขที่สมาชิก", "ต้องกรอก"),
    ("วันที่ส่ง", "ต้องกรอก วัน/เดือน/ปี พ.ศ. ไม่เกินวันที่ของยอดยกมา และไม่ก่อนวันที่สมาชิกสมัคร"),
    ("จำนวนเงิน", "ต้องกรอก มากกว่าศูนย์ เช่น 30 หรือ 365"),
    ("เลขที่ใบเสร็จเดิม", "ไม่บังคับ"),
    ("", ""),
    ("ชีต “ยอดยกมา”", "วันที่ของยอดยกมา แล้วจำนวนเงินของแต่ละบัญชีและแต่ละแหล่งที่มาของเงิน"),
    ("ยอดยกมา ณ วันที่", "ต้องกรอก วัน/เดือน/ปี พ.ศ. ที่ยอดเงินทั้งหมดเป็นยอดคงเหลือ"),
    ("เงินสดและเงินฝาก", "เงินสดในมือ และเงินในแต่ละบัญชีธนาคาร ณ วันนั้น"),
    ("แหล่งที่มาของเงิน", "เงินกองทุนแยกตามแหล่งที่มา ผลรวมต้องเท่ากับเงินสดและเงินฝากรวมกัน"),
    ("", ""),
    ("ห้ามใส่สูตรที่ลิงก์ไปไฟล์อื่น และห้ามขึ้นต้นช่องข้อความด้วย = + - @", ""),
    ("บันทึกเป็น Excel Workbook (.xlsx) ห้ามใส่รหัสผ่าน และห้ามใช้ไฟล์ที่มีมาโคร", ""),
]  # fmt: skip


def _header(sheet: Worksheet, titles: Sequence[str], widths: Sequence[int]) -> None:
    sheet.append(list(titles))
    for index, width in enumerate(widths, start=1):
        cell = sheet.cell(row=sheet.max_row, column=index)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = width


def _text_columns(sheet: Worksheet, count: int) -> None:
    # Text format: Excel then keeps member numbers' leading zeros and BE years as typed.
    for index in range(1, count + 1):
        sheet.column_dimensions[get_column_letter(index)].number_format = "@"


def _example(sheet: Worksheet, kind: str, fields: Sequence[str]) -> None:
    sheet.append([EXAMPLES[kind].get(name, "") for name in fields])
    for cell in sheet[sheet.max_row]:
        cell.number_format = "@"
        cell.font = Font(italic=True, color="808080")


def build_template_xlsx(*, accounts: Sequence[Account]) -> bytes:
    """The workbook for a fund whose cash and bank accounts are `accounts`."""
    workbook = openpyxl.Workbook()
    members = workbook.active
    members.title = SHEETS[MEMBERS][0]
    fields = list(MEMBER_SHEET_COLUMNS)
    _header(members, [MEMBER_SHEET_COLUMNS[f][0] for f in fields], [14, 16, 24, 18])
    _text_columns(members, len(fields))
    _example(members, MEMBERS, fields)
    members.freeze_panes = "A2"

    history = workbook.create_sheet(SHEETS[HISTORY][0])
    fields = list(HISTORY_COLUMNS)
    _header(history, [HISTORY_COLUMNS[f][0] for f in fields], [14, 14, 14, 20])
    _text_columns(history, 2)
    history.column_dimensions["D"].number_format = "@"
    _example(history, HISTORY, fields)
    history.freeze_panes = "A2"

    _balances_sheet(workbook.create_sheet(SHEETS[BALANCES][0]), accounts)

    notes = workbook.create_sheet(INSTRUCTIONS_SHEET)
    for row in _INSTRUCTIONS:
        notes.append(list(row))
    notes["A1"].font = Font(bold=True, size=14)
    notes.column_dimensions["A"].width = 30
    notes.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _balances_sheet(sheet: Worksheet, accounts: Sequence[Account]) -> None:
    sheet.append([AS_OF_LABEL, ""])
    sheet["A1"].font = Font(bold=True)
    sheet["B1"].number_format = "@"
    sheet.append([])
    titles = [BALANCE_COLUMNS[f][0] for f in ("group", "code", "item", "amount")]
    _header(sheet, titles, [26, 12, 44, 18])
    for account in accounts:
        # The fund names its own accounts: no name may become a formula.
        sheet.append(["เงินสดและเงินฝาก", safe_text(account.code), safe_text(account.name_th), None])
    for source in Source:
        sheet.append(["แหล่งที่มาของเงิน", source.value, SOURCE_TH.get(source, source.label), None])
    for row in sheet.iter_rows(min_row=4, min_col=4, max_col=4):
        for cell in row:
            cell.number_format = _MONEY_FORMAT
    sheet.column_dimensions["B"].number_format = "@"
