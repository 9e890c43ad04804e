"""A laptop and a province server in one test database.

`fund` keeps real books and exports its package as the laptop would; then `on_province`
turns it into an own-computer fund with its key registered by the province officer, and the
same database plays the province server importing the package.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.conf import settings as django_settings
from django.test import Client
from django.utils import translation
from django_scopes import scopes_disabled

from kongtun.audit.models import AuditEntry
from kongtun.exchange import contents, keys, services
from kongtun.exchange.models import FundSigningKey, ImportedPackage
from kongtun.exchange.package import MANIFEST, SIGNATURE, PackageRefused
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope
from kongtun.indicators.models import IndicatorSnapshot
from kongtun.ledger import core
from kongtun.ledger.models import Account, MonthlyTotal
from kongtun.ledger.services import chart_install, entry_post
from kongtun.lib.crypto import decrypt_bytes
from kongtun.network.access import funds_recordable_by

AS_OF = dt.date(2024, 9, 30)
TODAY = dt.date(2024, 11, 15)


def post_books(fund: Fund, actor: Any) -> None:
    """A year of money in and out, in several months and sources, and an account of its own."""
    with fund_scope(fund):
        chart_install(fund=fund)
        bank2 = Account.objects.create(
            fund=fund, code="1112", name_th="เงินฝากธนาคาร บัญชีที่ 2", type="asset", role="bank"
        )
        entries = [
            (dt.date(2023, 10, 5), "1101", "4101", "300.00", "members"),
            (dt.date(2023, 11, 5), "1101", "4101", "330.00", "members"),
            (dt.date(2024, 1, 10), bank2.code, "4201", "5000.00", "codi"),
            (dt.date(2024, 3, 2), "1101", "4301", "1200.50", "local_gov"),
            (dt.date(2024, 9, 20), "1101", "4101", "90.00", "members"),
            # After the package's date: never in a package as of 30 September.
            (dt.date(2024, 10, 3), "1101", "4101", "60.00", "members"),
        ]
        for date, debit, credit, amount, source in entries:
            entry_post(
                fund=fund,
                actor=actor,
                entry=core.Entry(
                    date,
                    "ทดสอบ",
                    (
                        core.Posting(debit, Decimal(amount), source),
                        core.Posting(credit, -Decimal(amount), source),
                    ),
                ),
                kind="other",
            )
        entry_post(
            fund=fund,
            actor=actor,
            entry=core.Entry(
                dt.date(2024, 2, 14),
                "ค่าทำศพ",
                (
                    core.Posting("5104", Decimal("2000.00")),
                    core.Posting("1101", Decimal("-2000.00")),
                ),
            ),
            kind="other",
        )


def monthly_rows(fund: Fund, through: int | None = None) -> list[tuple[Any, ...]]:
    with fund_scope(fund):
        rows = MonthlyTotal.objects.filter(fund=fund)
        if through is not None:
            rows = rows.filter(period__lte=through)
        return sorted(
            (r.account.code, r.account.type, r.account.role, r.source, r.period, r.amount, r.lines)
            for r in rows.select_related("account")
        )


def export(fund: Fund, actor: Any, tmp_path: Path, **kwargs: Any) -> Path:
    """The fund's next package, written to a file as the chair's browser would save it."""
    kwargs.setdefault("as_of", AS_OF)
    kwargs.setdefault("today", TODAY)
    with fund_scope(fund):
        exported = services.package_export(fund=fund, actor=actor, **kwargs)
    path = tmp_path / exported.filename
    path.write_bytes(exported.file.read())
    exported.file.close()
    return path


def register_key(fund: Fund, officer: Any) -> None:
    """What the province officer does once: trust the key the fund's chair sent."""
    with fund_scope(fund):
        text = services.public_key_text(FundSigningKey.objects.get(fund=fund))
    services.trusted_key_register(fund=fund, actor=officer, text=text)


def make_own_computer(fund: Fund) -> None:
    Fund.objects.filter(pk=fund.pk).update(runs_on=Fund.RunsOn.OWN_COMPUTER)
    fund.refresh_from_db()


def import_file(path: Path, officer: Any, data: bytes | None = None) -> services.ImportOutcome:
    data = path.read_bytes() if data is None else data
    return services.package_import(
        file=io.BytesIO(data),
        size=len(data),
        filename=path.name,
        funds=funds_recordable_by(officer),
        actor=officer,
    )


def refused(path: Path, officer: Any, data: bytes | None = None) -> PackageRefused:
    with pytest.raises(PackageRefused) as caught:
        import_file(path, officer, data)
    return caught.value


def rewrite(data: bytes, change: dict[str, bytes | None]) -> bytes:
    """The same zip with some entries replaced (bytes), removed (None) or added."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            if info.filename in change:
                continue
            dst.writestr(info.filename, src.read(info.filename), zipfile.ZIP_DEFLATED)
        for name, content in change.items():
            if content is not None:
                dst.writestr(name, content, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def read_entry(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


def resign(data: bytes, fund: Fund, manifest: dict[str, Any] | None = None) -> bytes:
    """The package with its manifest (changed or not) signed by `fund`'s key on this computer."""
    body = (
        json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1).encode()
        if manifest is not None
        else read_entry(data, MANIFEST)
    )
    with fund_scope(fund):
        key = FundSigningKey.objects.get(fund=fund)
    private = keys.private_key_from(decrypt_bytes(bytes(key.private_key_encrypted)))
    signature = base64.b64encode(keys.sign(private, body)) + b"\n"
    return rewrite(data, {MANIFEST: body, SIGNATURE: signature})


def state() -> dict[str, Any]:
    """Everything an import could write, to prove a refused one wrote nothing."""
    with scopes_disabled():
        return {
            "packages": list(ImportedPackage.objects.values_list("package_id", flat=True)),
            "snapshots": list(IndicatorSnapshot.objects.values_list("pk", "as_of")),
            "monthly": sorted(
                MonthlyTotal.objects.values_list(
                    "fund_id", "account_id", "source", "period", "amount"
                )
            ),
            "accounts": Account.objects.count(),
            "audit": AuditEntry.objects.count(),
            "files": sorted(
                str(p) for p in (Path(settings.VAR_DIR) / "packages").rglob("*") if p.is_file()
            ),
        }


@pytest.fixture(autouse=True)
def _quick_forms(request, monkeypatch):
    """CODI's forms take seconds to render as PDF: tests that are not about them carry stand-ins
    (kongtun.codiforms tests the forms themselves); `real_forms` asks for the real ones."""
    if "real_forms" in request.fixturenames:
        return
    monkeypatch.setattr(
        contents,
        "annual_forms",
        lambda fund, as_of: [
            (f"codi-annual-{fund.code}.pdf", b"%PDF-1.4 stand-in"),
            (f"codi-annual-{fund.code}.xlsx", b"PK stand-in"),
        ],
    )


@pytest.fixture
def real_forms():
    return True


@pytest.fixture
def books(fund, users):
    post_books(fund, users["treasurer"])
    return fund


@pytest.fixture
def package(books, users, tmp_path):
    """The fund's first package, as of 30 September 2024, made on its laptop."""
    return export(books, users["chair"], tmp_path)


@pytest.fixture
def province(fund, package, users):
    """The same fund as the province server knows it: own computer, its key registered.
    Returns the package file the fund sent."""
    make_own_computer(fund)
    register_key(fund, users["officer"])
    return package


@pytest.fixture(autouse=True)
def _in_english(settings: Any) -> Iterator[None]:
    """These tests read messages by their English text: services under English, and every
    client's pages in English through the language cookie (Thai is the default)."""
    with translation.override("en"):
        yield


@pytest.fixture
def client_for(users: dict[str, Any]) -> Any:
    def make(name: str | None) -> Client:
        client = Client()
        client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
        if name is not None:
            client.force_login(users[name])
        return client

    return make
