"""Parts for the demo province's SYNTHETIC names. None of them names a real person.

First names are invented pairs of syllables: they read as Thai, but a pair may happen to be a
real given name, which on its own identifies nobody. Every family name, on the other hand,
contains ฃ or ฅ, two letters modern Thai spelling no longer uses, so these are not names people
carry: a demo full name is never a real person's, and anyone who sees ฃ or ฅ on a screen knows
at once it is demo data. Village names are invented pairs of common northern place-name words.
"""

from __future__ import annotations

import random

# Syllables that start a given name, for anyone.
GIVEN_START = (
    "กัน", "ชล", "ธาร", "นภ", "พิม", "รุ่ง", "ศร", "อร", "ปิ่น", "ดาว", "แสง", "ภู",
    "วาร", "คีต", "ณัฐ", "ตะวัน", "บุญ", "คำ", "อิน", "จันทร์", "เพ็ญ", "ทอง", "ขวัญ", "ฟ้า",
    "เมฆ", "ลม", "ดอก", "ใบ", "สาย", "หอม", "ไพร", "พลอย", "เพชร", "มุก", "นิล", "ปราง",
)  # fmt: skip
# Syllables that end a given name; the two lists lean male and female the way Thai names do.
GIVEN_END_MALE = (
    "ชัย", "ศักดิ์", "พล", "วุฒิ", "ธร", "เดช", "ชาติ", "วิทย์", "กร", "ภพ", "นนท์", "เกียรติ",
    "สิทธิ์", "ฤทธิ์", "วัฒน์", "ยศ", "รักษ์", "ทัต",
)  # fmt: skip
GIVEN_END_FEMALE = (
    "พร", "ทิพย์", "วดี", "รัตน์", "ภา", "มณี", "นิภา", "จิต", "ศรี", "ลดา", "นวล", "ฤดี",
    "สุดา", "วรรณ", "ใจ", "พิมพ์", "กาญจน์", "ดารา",
)  # fmt: skip

# The start of every family name: each one holds the obsolete letter ฃ or ฅ (see above).
FAMILY_ROOT = (
    "ฃาม", "ฃุนแก้ว", "ฅำภู", "ฃวัญเมือง", "ฃันทอง", "ฅีรี", "ฃาวดอย", "ฃอนแก่น", "ฅนดี",
    "ฃุมทรัพย์", "ฅองคำ", "ฃิมแสน", "ฃัตติ", "ฅุ้มเกล้า", "ฃจร", "ฃำปัน", "ฅวงแก้ว",
    "ฃ่ายมูล", "ฃอบฟ้า", "ฅำแปง", "ฃึ้นเหนือ", "ฃุนวัง", "ฅันธะ", "ฃิงคำ",
)  # fmt: skip
FAMILY_END = (
    "", "วงศ์", "สกุล", "ศรี", "คำ", "แสง", "ทอง", "เมือง", "ใจ", "ดี", "ลา", "ปัญญา",
    "อินทร์", "วัง", "ธรรม", "มา", "ยศ", "เรือน",
)  # fmt: skip
FAMILY_MARKERS = ("ฃ", "ฅ")

# Village (หมู่บ้าน) names: a landscape word and a qualifier, as northern villages are named.
VILLAGE_START = (
    "ดอย", "ห้วย", "ทุ่ง", "ป่า", "แม่", "หนอง", "สัน", "ปง", "โป่ง", "ต้น", "ม่อน", "วัง",
    "ฮ่อง", "ร่อง", "นา", "ท่า", "ผา", "หัว", "ไร่", "เหมือง",
)  # fmt: skip
VILLAGE_END = (
    "แก้ว", "คำ", "หลวง", "ใหม่", "เหนือ", "ใต้", "ยาง", "ม่วง", "ขาม", "ตอง", "ไฮ", "เงิน",
    "ทอง", "สัก", "ผึ้ง", "ก่อ", "เกี๋ยง", "ลาน", "หก", "ปู่", "ดู่", "แดง", "ขาว", "มะกอก",
    "ปิน", "กอก", "งิ้ว", "บง",
)  # fmt: skip

MONK_TITLES = ("พระอธิการ", "พระครูสมุห์", "พระมหา")


def given_name(rng: random.Random, female: bool) -> str:
    end = GIVEN_END_FEMALE if female else GIVEN_END_MALE
    return rng.choice(GIVEN_START) + rng.choice(end)


def family_name(rng: random.Random) -> str:
    return rng.choice(FAMILY_ROOT) + rng.choice(FAMILY_END)


def village_name(rng: random.Random) -> str:
    return rng.choice(VILLAGE_START) + rng.choice(VILLAGE_END)


def title_for(age: int, female: bool, married: bool) -> str:
    if age < 15:
        return "เด็กหญิง" if female else "เด็กชาย"
    if not female:
        return "นาย"
    return "นาง" if married else "นางสาว"
