"""Processes of the restore drill: seed a fund, pay into it until told to stop, report, and
spoil a database on purpose.

Run as `python -m kongtun.backups.tests.drill_writer COMMAND SPEC_JSON` on a database of the
test's own (test_restore.py makes them); each command writes its answer as JSON to
`spec["out"]`. Seeding and the report are the concurrency tests' own.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from kongtun.contributions.tests import concurrent_payer

PAID_ON = dt.date(2024, 6, 3)
MAX_PAYMENTS = 5000  # only reached if the test died without saying stop


def pay_until(spec: dict[str, Any]) -> dict[str, Any]:
    """Pay into one member, one transaction per payment, writing how many are done to
    `spec["progress"]` after each, until the file `spec["stop"]` appears."""
    from kongtun.accounts.models import User
    from kongtun.contributions.services import payment_record
    from kongtun.funds.models import Fund
    from kongtun.funds.tenancy import fund_scope
    from kongtun.members.models import Member

    fund = Fund.objects.get(code=spec["fund"])
    actor = User.objects.get(username=spec["actor"])
    progress, stop = Path(spec["progress"]), Path(spec["stop"])
    done = 0
    with fund_scope(fund):
        member = Member.objects.get(fund=fund, number=spec["member"])
        limit = spec.get("count", MAX_PAYMENTS)
        while not stop.exists() and done < limit:
            amount = Decimal(f"{30 + (done % 7) * 30}.{(done * 13) % 100:02d}")
            payment_record(member=member, actor=actor, amount=amount, date=PAID_ON)
            done += 1
            partial = progress.with_suffix(".tmp")
            partial.write_text(str(done), encoding="utf-8")
            os.replace(partial, progress)
    return {"payments": done}


def spoil(spec: dict[str, Any]) -> dict[str, Any]:
    """Break the database the way a person with direct access could: the ledger head moved
    (no trigger guards it), or a migration this code does not know."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if spec["how"] == "ledger":
            cursor.execute("UPDATE ledger_ledgerhead SET number = number + 5")
        else:
            cursor.execute(
                "INSERT INTO django_migrations (app, name, applied) VALUES (%s, %s, %s)",
                ["ledger", "9999_from_a_newer_kongtun", dt.datetime.now(dt.UTC)],
            )
    return {}


def erase(spec: dict[str, Any]) -> dict[str, Any]:
    """The member resigns and asks to be erased; the chair erases them (PDPA §33)."""
    from kongtun.accounts.models import User
    from kongtun.funds.models import Fund
    from kongtun.funds.tenancy import fund_scope
    from kongtun.members.models import Member
    from kongtun.members.services import member_change_status
    from kongtun.privacy.erasure import member_erase

    fund = Fund.objects.get(code=spec["fund"])
    actor = User.objects.get(username=spec["actor"])
    with fund_scope(fund):
        member = Member.objects.get(fund=fund, number=spec["member"])
        member_change_status(
            member=member, actor=actor, event="resigned", effective_on=dt.date(2024, 7, 1)
        )
        member_erase(member=member, actor=actor, reason="ขอให้ลบข้อมูล")
    return {}


def person(spec: dict[str, Any]) -> dict[str, Any]:
    """What the register shows of one member, and whether they are pseudonymised."""
    from kongtun.funds.models import Fund
    from kongtun.funds.tenancy import fund_scope
    from kongtun.members.models import Member
    from kongtun.privacy.erasure import is_pseudonymised

    fund = Fund.objects.get(code=spec["fund"])
    with fund_scope(fund):
        member = Member.objects.get(fund=fund, number=spec["member"])
        return {
            "code": str(member.code),
            "name": f"{member.first_name} {member.last_name}",
            "id_tail": member.national_id_tail,
            "erased": is_pseudonymised(member),
        }


def attach(spec: dict[str, Any]) -> dict[str, Any]:
    """A payment voucher with a bill attached (a file under VAR_DIR/attachments)."""
    from kongtun.accounts.models import User
    from kongtun.funds.models import Fund
    from kongtun.funds.tenancy import fund_scope
    from kongtun.ledger.models import Account
    from kongtun.ledger.services import (
        VoucherLineInput,
        attachment_add,
        attachment_dir,
        voucher_create,
    )

    fund = Fund.objects.get(code=spec["fund"])
    actor = User.objects.get(username=spec["actor"])
    with fund_scope(fund):
        voucher = voucher_create(
            fund=fund,
            actor=actor,
            kind="payment",
            date=PAID_ON,
            party="ร้านค้า",
            description="ค่าเครื่องเขียน",
            money_account=Account.objects.get(fund=fund, role="cash"),
            lines=[VoucherLineInput(Account.objects.get(fund=fund, code="5201"), Decimal("45"))],
        )
        data = b"%PDF-1.4\n" + spec["text"].encode() + b"\n%%EOF\n"
        attachment = attachment_add(voucher=voucher, actor=actor, name="bill.pdf", data=data)
    return {"path": str(attachment_dir() / attachment.stored_name), "data": data.decode()}


COMMANDS = {
    "attach": attach,
    "erase": erase,
    "person": person,
    "seed": concurrent_payer.seed,
    "report": concurrent_payer.report,
    "pay_until": pay_until,
    "spoil": spoil,
}


def main(argv: list[str]) -> None:
    import django

    command, spec = COMMANDS[argv[0]], json.loads(argv[1])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kongtun.settings")
    django.setup()
    Path(spec["out"]).write_text(json.dumps(command(spec), default=str), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
