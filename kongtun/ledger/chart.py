"""The welfare-fund chart of accounts every fund starts from; a fund may add its own accounts.

Income accounts carry the source of the money, and the welfare expense accounts follow the
13 categories of CODI's annual fund-data form plus "other", so CODI's figures come straight
from the books.
"""

from __future__ import annotations

from typing import NamedTuple


class ChartAccount(NamedTuple):
    code: str
    role: str
    type: str
    name_th: str
    name_en: str
    source: str = ""


WELFARE_CATEGORIES: list[tuple[str, str, str]] = [
    ("birth", "สวัสดิการเด็กแรกเกิด/คลอดบุตร", "Newborn / childbirth"),
    ("illness", "สวัสดิการเจ็บป่วย/รักษาพยาบาล", "Illness / medical care"),
    ("elderly", "สวัสดิการผู้สูงอายุ", "Elderly"),
    ("death", "สวัสดิการเสียชีวิต", "Death"),
    ("funeral", "ค่าจัดการศพ/งานศพ", "Funeral expenses"),
    ("disadvantaged", "สวัสดิการผู้ด้อยโอกาส/ผู้พิการ", "Disadvantaged / disabled"),
    ("occupation", "สวัสดิการส่งเสริมอาชีพ", "Occupation development"),
    ("education", "สวัสดิการการศึกษา/ทุนการศึกษา", "Education / scholarships"),
    ("culture", "สวัสดิการประเพณีและวัฒนธรรม", "Tradition and culture"),
    ("housing", "สวัสดิการซ่อมแซม/สร้างที่อยู่อาศัย", "Housing repair / building"),
    ("disaster", "สวัสดิการผู้ประสบภัยพิบัติ", "Disaster victims"),
    ("public", "กิจกรรมสาธารณประโยชน์", "Public-benefit activities"),
    ("environment", "ทรัพยากรธรรมชาติและสิ่งแวดล้อม", "Natural resources and environment"),
    ("other", "สวัสดิการอื่น ๆ", "Other welfare"),
]

ADMIN_CATEGORIES: list[tuple[str, str, str]] = [
    ("staff", "ค่าตอบแทนเจ้าหน้าที่/ผู้ปฏิบัติงาน", "Staff and workers' pay"),
    ("travel", "ค่าเดินทาง", "Travel"),
    ("stationery", "ค่าวัสดุและเครื่องเขียน", "Materials and stationery"),
    ("meetings", "ค่าประชุม", "Meetings"),
    ("other", "ค่าบริหารจัดการอื่น ๆ", "Other administration"),
]

TEMPLATE: list[ChartAccount] = [
    ChartAccount("1101", "cash", "asset", "เงินสด", "Cash on hand"),
    ChartAccount("1111", "bank", "asset", "เงินฝากธนาคาร บัญชีออมทรัพย์", "Savings account"),
    ChartAccount("1201", "receivable.codi", "asset", "ลูกหนี้ พอช.", "Receivable from CODI"),
    ChartAccount(
        "1202", "receivable.local_gov", "asset", "ลูกหนี้ อปท.", "Receivable from local government"
    ),
    ChartAccount("1301", "receivable.shortage", "asset", "ลูกหนี้เงินขาดบัญชี",
                 "Cash shortages owed by collectors"),
    ChartAccount("2101", "payable", "liability", "เจ้าหนี้และเงินค้างจ่าย", "Payables"),
    ChartAccount("3101", "fund_balance", "equity", "ทุนสะสมกองทุน", "Accumulated fund"),
    ChartAccount("3201", "opening", "equity", "ยอดยกมา", "Opening balances"),
    ChartAccount("4101", "income.members", "income", "เงินสมทบ (สัจจะ) สมาชิก",
                 "Members' contributions", "members"),
    ChartAccount("4102", "income.entry_fees", "income", "ค่าสมัครแรกเข้า", "Entry fees",
                 "entry_fees"),
    ChartAccount("4201", "income.codi", "income", "เงินสมทบจากรัฐบาลผ่าน พอช.",
                 "Government co-contribution through CODI", "codi"),
    ChartAccount("4202", "income.codi_seed", "income", "เงินสนับสนุนจาก พอช.",
                 "CODI seed grant", "codi_seed"),
    ChartAccount("4301", "income.tao", "income", "เงินสมทบจาก อบต.",
                 "Subdistrict administration (TAO)", "local_gov"),
    ChartAccount("4302", "income.municipality", "income", "เงินสมทบจากเทศบาล", "Municipality",
                 "local_gov"),
    ChartAccount("4303", "income.pao", "income", "เงินสมทบจาก อบจ.",
                 "Provincial administration (PAO)", "local_gov"),
    ChartAccount("4401", "income.other_gov", "income", "เงินสนับสนุนจากหน่วยงานรัฐอื่น",
                 "Other government", "other_gov"),
    ChartAccount("4501", "income.donations", "income", "เงินบริจาค", "Donations", "donations"),
    ChartAccount("4601", "income.interest", "income", "ดอกเบี้ยเงินฝาก", "Bank interest",
                 "interest"),
    ChartAccount("4701", "income.community", "income", "ผลกำไรจากกลุ่มองค์กรชุมชน",
                 "Community groups' profits", "community"),
    ChartAccount("4901", "income.other", "income", "รายได้อื่น", "Other income", "other"),
    *[
        ChartAccount(f"51{i:02d}", f"welfare.{key}", "expense", th, en)
        for i, (key, th, en) in enumerate(WELFARE_CATEGORIES, start=1)
    ],
    # Help to people in need who are not members has its own line (CODI reports it apart).
    ChartAccount("5115", "welfare.non_members", "expense", "สวัสดิการผู้ด้อยโอกาสที่ไม่ใช่สมาชิก",
                 "Help to non-members in need"),
    *[
        ChartAccount(f"52{i:02d}", f"admin.{key}", "expense", th, en)
        for i, (key, th, en) in enumerate(ADMIN_CATEGORIES, start=1)
    ],
]  # fmt: skip
