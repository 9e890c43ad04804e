"""Zip safety and the package format: judged before anything in the zip is trusted."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from kongtun.exchange import contents, keys, package
from kongtun.exchange.package import MANIFEST, PackageRefused, open_package
from kongtun.exchange.tests.conftest import TODAY, read_entry, refused, rewrite, state
from kongtun.funds.models import Fund
from kongtun.funds.tenancy import fund_scope


def _zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return out.getvalue()


def _open(data: bytes) -> package.OpenedPackage:
    return open_package(io.BytesIO(data), len(data))


def test_it_refuses_a_path_that_climbs_out_and_writes_nothing(province, users, tmp_path):
    data = rewrite(province.read_bytes(), {"../../etc/cron.d/kongtun": b"* * * * * root sh"})
    before = state()

    error = refused(province, users["officer"], data)

    assert error.code == "unsafe"
    assert state() == before
    assert not (tmp_path / "etc").exists()


@pytest.mark.parametrize(
    "name", ["/etc/passwd", "..\\evil.txt", "forms/../../x", "C:/x", "a//b", ".hidden", "dir/"]
)
def test_it_refuses_names_kongtun_never_writes(name):
    with pytest.raises(PackageRefused) as caught:
        _open(_zip({MANIFEST: b"{}", "signature": b"", name: b"x"}))
    assert caught.value.code == "unsafe"


def test_it_refuses_a_zip_bomb_by_its_declared_sizes(monkeypatch):
    monkeypatch.setattr(package, "MAX_TOTAL_UNCOMPRESSED", 1024 * 1024)
    bomb = _zip({MANIFEST: b"{}", "signature": b"", "indicators.json": bytes(8 * 1024 * 1024)})
    assert len(bomb) < 64 * 1024  # eight megabytes of zeros deflate to almost nothing

    with pytest.raises(PackageRefused) as caught:
        _open(bomb)
    assert caught.value.code == "unsafe"


def test_it_never_reads_a_parsed_file_past_its_cap(monkeypatch, province, users):
    data = province.read_bytes()
    monkeypatch.setitem(package.MAX_PARSED, "indicators.json", 16)

    assert refused(province, users["officer"], data).code == "unsafe"


def test_it_refuses_too_many_entries():
    entries = {f"f{i}.json": b"{}" for i in range(package.MAX_ENTRIES + 1)}
    with pytest.raises(PackageRefused) as caught:
        _open(_zip(entries))
    assert caught.value.code == "unsafe"


def test_it_refuses_a_file_too_large_before_opening_it(monkeypatch, province, users):
    monkeypatch.setattr(package, "MAX_PACKAGE_BYTES", 100)

    assert refused(province, users["officer"]).code == "too_large"


@pytest.mark.parametrize("data", [b"", b"PK\x03\x04 not really", b"%PDF-1.4 a letter"])
def test_it_refuses_what_is_not_a_zip(data):
    with pytest.raises(PackageRefused) as caught:
        _open(data)
    assert caught.value.code == "unreadable"


def test_it_refuses_a_zip_without_a_signed_manifest():
    with pytest.raises(PackageRefused) as caught:
        _open(_zip({"indicators.json": b"{}"}))
    assert caught.value.code == "unreadable"


def test_it_refuses_a_file_the_manifest_does_not_name(province, users):
    data = rewrite(province.read_bytes(), {"extra.json": b"{}"})

    assert refused(province, users["officer"], data).code == "unreadable"


def test_it_refuses_a_package_missing_a_file_its_manifest_names(province, users):
    data = rewrite(province.read_bytes(), {"monthly.json": None})

    assert refused(province, users["officer"], data).code == "unreadable"


def test_it_says_when_the_format_version_is_unknown(province, users):
    data = province.read_bytes()
    manifest = json.loads(read_entry(data, MANIFEST))
    manifest["version"] = 2

    error = refused(
        province, users["officer"], rewrite(data, {MANIFEST: json.dumps(manifest).encode()})
    )

    assert error.code == "version"


def test_a_written_package_names_the_hash_of_every_file_and_is_signed(real_forms, province):
    data = province.read_bytes()
    opened = _open(data)

    files = set(opened.manifest.files)
    assert {"indicators.json", "monthly.json"} <= files
    forms = sorted(files - {"indicators.json", "monthly.json"})
    assert [f.rsplit(".", 1)[1] for f in forms] == ["pdf", "xlsx"]
    assert all(f.startswith("forms/codi-annual-lp-wiang-nuea-fy2567-") for f in forms)
    assert opened.manifest.sequence == 1
    assert opened.verified_contents().keys() == {"indicators.json", "monthly.json"}
    assert read_entry(data, forms[0]).startswith(b"%PDF-")
    assert not opened.signed_by(keys.public_bytes(keys.new_private_key()))
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert set(zf.namelist()) == files | {"manifest.json", "signature"}


def test_a_calendar_year_funds_package_carries_the_government_years_form(real_forms, books):
    """CODI's forms go by the government year: in November 2567 a calendar-year fund is
    still in its year 2567, but CODI's fiscal year 2568 has begun."""
    Fund.objects.filter(pk=books.pk).update(fiscal_year=Fund.FiscalYear.CALENDAR)
    books.refresh_from_db()

    with fund_scope(books):
        names = [name for name, _content in contents.annual_forms(books, TODAY)]

    assert sorted(n.rsplit(".", 1)[1] for n in names) == ["pdf", "xlsx"]
    assert all(n.startswith(f"codi-annual-{books.code}-fy2568-") for n in names), names
