"""The columns a register may have, and the words people use for them and for their choices."""

from __future__ import annotations

import re

from kongtun.lib.text import clean_text
from kongtun.members.models import Member, MemberType, Status

# Field → (the Thai column name of the template, other names people give the column).
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "number": ("เลขที่สมาชิก", (
        "เลขสมาชิก", "รหัสสมาชิก", "หมายเลขสมาชิก", "เลขทะเบียนสมาชิก", "member number",
        "member no", "member id", "membership number",
    )),
    "title": ("คำนำหน้า", ("คำนำหน้าชื่อ", "คำนำ", "title", "prefix")),
    "first_name": ("ชื่อ", ("ชื่อตัว", "ชื่อจริง", "first name", "firstname", "given name")),
    "last_name": ("นามสกุล", ("สกุล", "last name", "lastname", "surname", "family name")),
    "full_name": ("ชื่อ-นามสกุล", (
        "ชื่อ - สกุล", "ชื่อ-สกุล", "ชื่อ สกุล", "ชื่อและนามสกุล", "ชื่อสมาชิก",
        "ชื่อ-สกุลสมาชิก", "full name", "name", "name surname", "name-surname",
    )),
    "national_id": ("เลขประจำตัวประชาชน", (
        "เลขบัตรประชาชน", "เลขบัตรประจำตัวประชาชน", "เลขที่บัตรประชาชน", "บัตรประชาชน",
        "เลขประชาชน", "รหัสประจำตัวประชาชน", "เลขบัตร", "national id", "national id number",
        "citizen id", "id card", "id card number", "id number",
    )),
    "birth_date": ("วันเกิด", (
        "วันเดือนปีเกิด", "วัน/เดือน/ปี เกิด", "ว/ด/ป เกิด", "วันที่เกิด", "date of birth",
        "birth date", "birthdate", "dob",
    )),
    "joined_on": ("วันที่สมัคร", (
        "วันสมัคร", "วันที่สมัครสมาชิก", "วันที่เป็นสมาชิก", "วันที่เข้าเป็นสมาชิก",
        "วันเข้าเป็นสมาชิก", "joined on", "joined", "join date", "joining date", "date joined",
    )),
    # Not "เลขที่" alone: registers also use it for the member number.
    "house_no": ("บ้านเลขที่", ("เลขที่บ้าน", "house no", "house number", "address no")),
    "moo": ("หมู่ที่", ("หมู่", "ม.", "moo", "village no", "village number")),
    "street": ("ถนน/ซอย", (
        "ซอย/ถนน", "ถนน", "ซอย", "ตรอก/ซอย", "street", "road", "soi", "lane", "lane / road",
    )),
    "phone": ("โทรศัพท์", (
        "เบอร์โทร", "เบอร์โทรศัพท์", "หมายเลขโทรศัพท์", "โทร", "มือถือ", "phone", "telephone",
        "tel", "mobile", "phone number",
    )),
    "member_type": ("ประเภทสมาชิก", ("ประเภท", "member type", "type")),
    "branch": ("สาขา", ("branch",)),
    "status": ("สถานะ", ("สถานะสมาชิก", "status")),
}  # fmt: skip
REQUIRED_FIELDS = ("national_id", "birth_date", "joined_on")
_MAX_LENGTH = {
    name: getattr(Member._meta.get_field(name), "max_length", 0) or 0
    for name in ("number", "title", "house_no", "street", "phone")
}

MEMBER_TYPE_LABELS_TH = {
    MemberType.GENERAL: "ทั่วไป",
    MemberType.CHILD: "เด็ก/เยาวชน",
    MemberType.ELDERLY: "ผู้สูงอายุ",
    MemberType.DISABLED: "ผู้พิการ",
    MemberType.DISADVANTAGED: "ผู้ด้อยโอกาส",
    MemberType.ORPHAN: "เด็กกำพร้า",
}
_MEMBER_TYPE_EXTRA = {
    MemberType.GENERAL: ("สมาชิกทั่วไป", "บุคคลทั่วไป", "ปกติ"),
    MemberType.CHILD: ("เด็ก", "เยาวชน", "เด็กและเยาวชน"),
    MemberType.ELDERLY: ("สูงอายุ", "ผู้สูงวัย"),
    MemberType.DISABLED: ("คนพิการ", "พิการ"),
    MemberType.DISADVANTAGED: ("ด้อยโอกาส", "ผู้ยากไร้"),
    MemberType.ORPHAN: ("กำพร้า",),
}
STATUS_LABELS_TH = {Status.ACTIVE: "สมาชิก", Status.APPLICANT: "ผู้สมัคร"}
_STATUS_EXTRA = {
    Status.ACTIVE: ("สมาชิกปกติ", "ปกติ", "เป็นสมาชิก", "สมาชิกสามัญ"),
    Status.APPLICANT: ("สมัคร", "รอพิจารณา", "รออนุมัติ", "สมัครใหม่"),
}


def _key(text: object) -> str:
    """The form of a header or a label we compare: no case, spaces, punctuation or (notes)."""
    folded = clean_text(text).casefold()
    folded = re.sub(r"\([^)]*\)|\[[^]]*]|13\s*หลัก", "", folded)
    return re.sub(r"[\s.\-_/*:#,]", "", folded)


def _lookup(table: dict[str, tuple[str, ...]]) -> dict[str, str]:
    return {_key(alias): name for name, aliases in table.items() for alias in aliases}


_HEADER_KEYS = _lookup(
    {f: (thai, f.replace("_", " "), *more) for f, (thai, more) in COLUMNS.items()}
)
_MEMBER_TYPES = _lookup(
    {
        code: (MEMBER_TYPE_LABELS_TH[code], code, str(MemberType(code).label), *extra)
        for code, extra in _MEMBER_TYPE_EXTRA.items()
    }
)
_STATUSES = _lookup(
    {
        code: (STATUS_LABELS_TH[code], code, str(Status(code).label), *extra)
        for code, extra in _STATUS_EXTRA.items()
    }
)
