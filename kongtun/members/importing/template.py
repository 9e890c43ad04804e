"""The empty register workbook to download, fill in and upload again."""

from __future__ import annotations

import io

import openpyxl
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from kongtun.members.importing.columns import COLUMNS, MEMBER_TYPE_LABELS_TH, STATUS_LABELS_TH
from kongtun.members.importing.grid import MAX_DATA_ROWS
from kongtun.members.models import MemberType, Status

TEMPLATE_FIELDS = [f for f in COLUMNS if f != "full_name"]
_EXAMPLE_ROW = {
    "number": "00001",
    "title": "นาย",
    "first_name": "สมชาย",
    "last_name": "ใจดี",
    "national_id": "1-2345-67890-12-1",
    "birth_date": "17/05/2513",
    "joined_on": "01/03/2558",
    "house_no": "12/3",
    "moo": "1",
    "street": "ซอยวัดใหม่",
    "phone": "0812345678",
    "member_type": MEMBER_TYPE_LABELS_TH[MemberType.GENERAL],
    "branch": "",
    "status": STATUS_LABELS_TH[Status.ACTIVE],
}
_WIDTHS = {"first_name": 16, "last_name": 16, "national_id": 20, "street": 20, "branch": 16}
_INSTRUCTIONS = [
    ("วิธีกรอกทะเบียนสมาชิก", ""),
    ("", ""),
    ("แถวที่ 2 เป็นตัวอย่าง ระบบจะข้ามแถวนี้ให้เอง กรอกสมาชิกตั้งแต่แถวที่ 3 ลงไป หนึ่งแถวต่อหนึ่งคน", ""),
    ("ห้ามเปลี่ยนชื่อหัวคอลัมน์ในแถวที่ 1 สลับลำดับคอลัมน์หรือเพิ่มคอลัมน์อื่นได้", ""),
    ("ระบบนำเข้าทั้งไฟล์หรือไม่นำเข้าเลย ถ้ามีแถวผิด ระบบจะบอกแถวและคอลัมน์ให้แก้ แล้วส่งไฟล์ใหม่", ""),
    ("คนที่เป็นสมาชิกของกองทุนอยู่แล้ว (เลขประจำตัวประชาชนซ้ำ) จะถูกข้าม ไม่นำเข้าซ้ำ", ""),
    ("", ""),
    ("คอลัมน์", "วิธีกรอก"),
    ("เลขที่สมาชิก", "ไม่บังคับ ถ้าเว้นว่าง ระบบจะออกเลขต่อจากเลขล่าสุดให้"),
    ("คำนำหน้า", "ไม่บังคับ เช่น นาย นาง นางสาว ด.ช. ด.ญ."),
    ("ชื่อ", "ต้องกรอก"),
    ("นามสกุล", "ต้องกรอก"),
    ("เลขประจำตัวประชาชน", "ต้องกรอก 13 หลัก ช่องนี้ตั้งเป็นข้อความไว้แล้ว เพื่อไม่ให้ Excel ตัดตัวเลข"),
    ("วันเกิด", "ต้องกรอก วัน/เดือน/ปี พ.ศ. เช่น 17/05/2513 (ปี ค.ศ. ก็ได้ เช่น 17/05/1970)"),
    ("วันที่สมัคร", "ต้องกรอก วัน/เดือน/ปี เช่น 01/03/2558 ต้องไม่ก่อนวันตั้งกองทุน"),
    ("บ้านเลขที่", "ไม่บังคับ เช่น 12/3"),
    ("หมู่ที่", "ไม่บังคับ ตัวเลข 1 ถึง 99"),
    ("ถนน/ซอย", "ไม่บังคับ"),
    ("โทรศัพท์", "ไม่บังคับ เช่น 0812345678"),
    ("ประเภทสมาชิก", "ไม่บังคับ (ว่าง = ทั่วไป): " + ", ".join(MEMBER_TYPE_LABELS_TH.values())),
    ("สาขา", "ไม่บังคับ ชื่อสาขา หรือเลขหมู่ของสาขา ตามที่ตั้งไว้ในระบบ"),
    ("สถานะ", "ไม่บังคับ (ว่าง = สมาชิก): สมาชิก หรือ ผู้สมัคร"),
    ("", ""),
    ("ห้ามใส่สูตร (ขึ้นต้นด้วย =) และห้ามขึ้นต้นช่องด้วย + - @", ""),
    ("บันทึกเป็น Excel Workbook (.xlsx) หรือ CSV UTF-8 ห้ามใส่รหัสผ่าน และห้ามใช้ไฟล์ที่มีมาโคร", ""),
]  # fmt: skip


def build_template_xlsx() -> bytes:
    """An empty register to fill in: Thai headers, one example row, instructions on sheet two."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "ทะเบียนสมาชิก"
    sheet.append([COLUMNS[name][0] for name in TEMPLATE_FIELDS])
    sheet.append([_EXAMPLE_ROW[name] for name in TEMPLATE_FIELDS])
    grey = Font(italic=True, color="808080")
    for index, name in enumerate(TEMPLATE_FIELDS, start=1):
        letter = get_column_letter(index)
        header = sheet.cell(row=1, column=index)
        header.font = Font(bold=True)
        header.fill = PatternFill("solid", fgColor="DDEBF7")
        header.alignment = Alignment(horizontal="center")
        # Text format everywhere: Excel then keeps all 13 ID digits, the 0 of a phone number,
        # BE years as typed, and does not turn a house number like 12/3 into a date.
        sheet.column_dimensions[letter].number_format = "@"
        sheet.column_dimensions[letter].width = _WIDTHS.get(name, 13)
        example = sheet.cell(row=2, column=index)
        example.number_format = "@"
        example.font = grey
    sheet.freeze_panes = "A2"
    for name, choices in (
        ("member_type", MEMBER_TYPE_LABELS_TH.values()),
        ("status", STATUS_LABELS_TH.values()),
    ):
        letter = get_column_letter(TEMPLATE_FIELDS.index(name) + 1)
        rule = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        rule.add(f"{letter}2:{letter}{MAX_DATA_ROWS}")
        sheet.add_data_validation(rule)
    notes = workbook.create_sheet("คำอธิบาย")
    for row in _INSTRUCTIONS:
        notes.append(list(row))
    notes["A1"].font = Font(bold=True, size=14)
    notes.column_dimensions["A"].width = 30
    notes.column_dimensions["B"].width = 90
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
