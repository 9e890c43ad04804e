"""Fill a fresh database with national IDs the way people do, for test_no_plaintext_ids.py.

Run in its own process on a database made for it (`manage.py shell -c`), so everything is
committed and the test can read the raw database file or a pg_dump afterwards. The IDs are
`make_national_id(seed)` for the seeds below; the test searches the bytes for each of them.

Everything goes through the real ways in: the register form's service, the import page (upload,
preview, confirm), a beneficiary, a correction of an ID, a search by ID, the logged reveal,
the card, the PDPA export, and the exchange package with the full data (written to PACKAGE).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from decimal import Decimal
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from kongtun.accounts.models import User
from kongtun.conftest import make_national_id, member_data
from kongtun.funds.models import Fund, FundRole
from kongtun.funds.permissions import Role
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Tambon
from kongtun.members.models import Member
from kongtun.members.services import (
    BeneficiaryInput,
    beneficiary_add,
    member_register,
    member_update,
)
from kongtun.members.tests.import_files import csv_bytes, person, xlsx

REGISTERED = range(7001, 7006)  # through the register service
IMPORTED_XLSX = range(7101, 7106)  # through the import page, as an Excel file
IMPORTED_CSV = range(7201, 7204)  # through the import page, as CSV
BENEFICIARIES = range(7301, 7304)
CORRECTED = 7401  # the ID a member's wrong one is corrected to (7001's old one stays searched)
SEARCHED = 7002  # looked up by ID on the member list
ALL_SEEDS = [*REGISTERED, *IMPORTED_XLSX, *IMPORTED_CSV, *BENEFICIARIES, CORRECTED]
HOST = "127.0.0.1"


def _import(client: Client, url: str, name: str, data: bytes) -> None:
    upload = SimpleUploadedFile(name, data)
    preview = client.post(url, {"file": upload}, HTTP_HOST=HOST)
    assert preview.status_code == 200, preview.content[:2000]
    sha256 = hashlib.sha256(data).hexdigest()
    done = client.post(url, {"confirm": "1", "sha256": sha256}, HTTP_HOST=HOST)
    assert done.status_code == 302, done.status_code


def run() -> None:
    fund = Fund.objects.create(
        code="plain-ids",
        name="กองทุนสวัสดิการชุมชนตำบลเวียงเหนือ",
        tambon=Tambon.objects.get(code="520101"),
        founded_on=dt.date(2010, 1, 15),
    )
    secretary = User.objects.create_user(username="secretary", password="x", full_name="เลขา")
    FundRole.objects.create(fund=fund, user=secretary, role=Role.SECRETARY)
    with fund_scope(fund):
        members = [
            member_register(fund=fund, actor=secretary, data=member_data(seed))
            for seed in REGISTERED
        ]
        for seed, member in zip(BENEFICIARIES, members, strict=False):
            beneficiary_add(
                member=member,
                actor=secretary,
                data=BeneficiaryInput(
                    full_name=f"ผู้รับ {seed}",
                    relationship="child",
                    share_percent=Decimal("100"),
                    national_id=make_national_id(seed),
                ),
            )
        member_update(
            member=members[0],
            actor=secretary,
            data=member_data(REGISTERED[0], national_id=make_national_id(CORRECTED)),
        )

    client = Client()
    client.force_login(secretary)
    url = reverse("members-import", kwargs={"fund_code": fund.code})
    _import(client, url, "register.xlsx", xlsx([person(s) for s in IMPORTED_XLSX]))
    _import(client, url, "register.csv", csv_bytes([person(s) for s in IMPORTED_CSV]))

    with fund_scope(fund):
        member = Member.objects.get(fund=fund, national_id_tail=make_national_id(SEARCHED)[-3:])
    kwargs = {"fund_code": fund.code, "code": member.code}
    listing = client.get(
        reverse("members-list", kwargs={"fund_code": fund.code}),
        {"q": make_national_id(SEARCHED)},
        HTTP_HOST=HOST,
    )
    assert listing.status_code == 200
    assert client.get(reverse("members-detail", kwargs=kwargs), HTTP_HOST=HOST).status_code == 200
    assert client.get(reverse("members-card", kwargs=kwargs), HTTP_HOST=HOST).status_code == 200
    revealed = client.post(reverse("members-reveal-id", kwargs=kwargs), HTTP_HOST=HOST)
    assert make_national_id(SEARCHED) in revealed.content.decode()
    for fmt in ("json", "csv"):
        exported = client.post(
            reverse("privacy-member-export", kwargs=kwargs), {"format": fmt}, HTTP_HOST=HOST
        )
        assert exported.status_code == 200, exported.status_code

    package = os.environ.get("PACKAGE")
    if package:
        from kongtun.exchange.services import package_export

        with fund_scope(fund), Path(package).open("w+b") as out:
            package_export(
                fund=fund,
                actor=secretary,
                as_of=dt.date.today(),
                include_full_data=True,
                purpose="สำรองข้อมูลที่จังหวัด",
                out=out,
            )
    with fund_scope(fund):
        count = Member.objects.filter(fund=fund).count()
    assert count == len(REGISTERED) + len(IMPORTED_XLSX) + len(IMPORTED_CSV), count
    print("seeded", count)
