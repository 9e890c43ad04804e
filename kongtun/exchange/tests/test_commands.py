"""export_package on the fund's computer, import_package on the province server."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command

from kongtun.exchange.models import ImportedPackage
from kongtun.exchange.package import INDICATORS
from kongtun.exchange.tests.conftest import (
    make_own_computer,
    read_entry,
    register_key,
    rewrite,
    state,
)
from kongtun.funds.tenancy import fund_scope


def _run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def test_the_laptop_prints_its_key_then_writes_a_package(fund, books, users, tmp_path):
    shown = _run("export_package", fund.code, "--show-key")
    line, fingerprint = shown.splitlines()
    assert line.startswith(f"kongtun-ed25519 {fund.code} ")
    assert re.fullmatch(r"fingerprint: \d{5}( \d{5}){5}", fingerprint)

    written = _run("export_package", fund.code, "--as-of", "30/09/2567", "-o", str(tmp_path))

    path = tmp_path / f"kongtun-{fund.code}-2024-09-30-1.kongtun.zip"
    assert written.strip() == str(path)
    assert path.is_file()
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no partial file left


def test_the_province_imports_it_once(fund, books, users, tmp_path):
    _run("export_package", fund.code, "--as-of", "30/09/2567", "-o", str(tmp_path))
    path = next(tmp_path.glob("*.kongtun.zip"))
    make_own_computer(fund)
    register_key(fund, users["officer"])

    first = _run("import_package", str(path), "--user", "officer")
    again = _run("import_package", str(path))

    assert first.startswith("imported: ")
    assert again.startswith("ignored: ")
    with fund_scope(fund):
        package = ImportedPackage.objects.get()
    assert package.imported_by == users["officer"]


def test_a_refused_package_fails_the_command_and_writes_nothing(province, users):
    data = province.read_bytes()
    tampered = province.with_name("tampered.kongtun.zip")
    tampered.write_bytes(rewrite(data, {INDICATORS: read_entry(data, INDICATORS) + b" "}))
    before = state()

    with pytest.raises(CommandError, match="tampered"):
        _run("import_package", str(tampered))

    assert state() == before


def test_an_officer_imports_only_their_provinces_funds(province, users):
    from kongtun.funds.models import OfficerAssignment

    OfficerAssignment.objects.filter(user=users["officer"]).update(area_code="50")

    with pytest.raises(CommandError, match="foreign"):
        _run("import_package", str(province), "--user", "officer")


def test_the_commands_say_what_is_wrong_with_their_arguments(fund, tmp_path):
    with pytest.raises(CommandError, match="no file"):
        _run("import_package", str(tmp_path / "missing.zip"))
    with pytest.raises(CommandError, match="no fund"):
        _run("export_package", "no-such-fund")
    with pytest.raises(CommandError):
        _run("export_package", fund.code, "--as-of", "31/02/2567")
