"""A fund's package, exported on its laptop and imported by the province: what is accepted,
what is refused or ignored, and that a refused import writes nothing."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django_scopes import scopes_disabled

from kongtun.accounts.models import User
from kongtun.audit.models import AuditEntry
from kongtun.exchange import contents, services
from kongtun.exchange.models import ExportLog, FundSigningKey, ImportedPackage, TrustedKey
from kongtun.exchange.package import INDICATORS, MANIFEST, MONTHLY, PackageRefused, open_package
from kongtun.exchange.tests.conftest import (
    AS_OF,
    TODAY,
    export,
    import_file,
    make_own_computer,
    monthly_rows,
    read_entry,
    refused,
    register_key,
    resign,
    rewrite,
    state,
)
from kongtun.funds.models import Fund, FundRole, OfficerAssignment
from kongtun.funds.permissions import Role
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Tambon
from kongtun.indicators.models import IndicatorSnapshot


def test_it_imports_a_laptop_funds_package_as_the_laptop_had_it(fund, books, users, tmp_path):
    laptop_totals = monthly_rows(fund, through=202409)
    package = export(fund, users["chair"], tmp_path)
    with fund_scope(fund):
        from kongtun.exchange.contents import indicators_data

        laptop_indicators = json.loads(json.dumps(indicators_data(fund, AS_OF), default=str))
    make_own_computer(fund)
    register_key(fund, users["officer"])

    outcome = import_file(package, users["officer"])

    assert outcome.status == "imported"
    assert "was imported" in outcome.message
    with fund_scope(fund):
        imported = ImportedPackage.objects.get(fund=fund)
        assert imported.sequence == 1
        assert imported.as_of == AS_OF
        assert imported.imported_by == users["officer"]
        assert imported.monthly_replaced
        assert not imported.includes_full_data
        assert imported.sha256 == hashlib.sha256(package.read_bytes()).hexdigest()
        snapshot = IndicatorSnapshot.objects.get(fund=fund, kind="imported")
        assert snapshot.as_of == AS_OF
        assert snapshot.data == laptop_indicators
        assert snapshot.package_id == imported.package_id
    # The province now holds exactly the laptop's totals up to September, October left out.
    assert monthly_rows(fund) == laptop_totals
    assert all(period <= 202409 for *_, period, _amount, _lines in laptop_totals)
    assert any(r[0] == "1112" and r[2] == "bank" for r in monthly_rows(fund))
    stored = Path(settings.VAR_DIR) / "packages" / imported.stored_name
    assert stored.read_bytes() == package.read_bytes()
    with scopes_disabled():
        actions = list(AuditEntry.objects.filter(fund=fund).values_list("action", flat=True))
    assert "exchange.package.exported" in actions
    assert "exchange.key.registered" in actions
    assert actions[-1] == "exchange.package.imported"


def test_it_refuses_a_package_changed_after_signing_and_writes_nothing(province, users):
    data = province.read_bytes()
    indicators = bytearray(read_entry(data, INDICATORS))
    indicators[len(indicators) // 2] ^= 0x01
    tampered = rewrite(data, {INDICATORS: bytes(indicators)})
    before = state()

    error = refused(province, users["officer"], tampered)

    assert error.code == "tampered"
    assert "changed after the fund signed it" in error.message
    assert state() == before


def test_it_refuses_a_manifest_changed_after_signing(province, users):
    data = province.read_bytes()
    manifest = json.loads(read_entry(data, MANIFEST))
    manifest["as_of"] = "2025-09-30"
    changed = rewrite(data, {MANIFEST: json.dumps(manifest).encode()})
    before = state()

    error = refused(province, users["officer"], changed)

    assert error.code == "bad_signature"
    assert "tampered with or signed by another key" in error.message
    assert state() == before


def test_it_refuses_a_package_signed_with_another_funds_key(province, fund, other_fund, users):
    with fund_scope(other_fund):
        services.signing_key_get_or_create(fund=other_fund, actor=users["other_chair"])
    forged = resign(province.read_bytes(), other_fund)
    before = state()

    error = refused(province, users["officer"], forged)

    assert error.code == "bad_signature"
    assert state() == before


def test_it_refuses_a_package_whose_files_were_swapped_and_resigned_by_another_key(
    province, fund, other_fund, users
):
    """Even with every hash recomputed, only the registered key's signature counts."""
    data = province.read_bytes()
    monthly = json.loads(read_entry(data, MONTHLY))
    monthly["rows"][0]["amount"] = "999999.00"
    body = json.dumps(monthly).encode()
    manifest = json.loads(read_entry(data, MANIFEST))
    manifest["files"][MONTHLY] = hashlib.sha256(body).hexdigest()
    with fund_scope(other_fund):
        services.signing_key_get_or_create(fund=other_fund, actor=users["other_chair"])
    forged = resign(rewrite(data, {MONTHLY: body}), other_fund, manifest)

    assert refused(province, users["officer"], forged).code == "bad_signature"


def test_it_refuses_a_fund_outside_the_officers_province(users, tmp_path):
    chiang_mai = Fund.objects.create(
        code="cm-si-phum",
        name="กองทุนสวัสดิการชุมชนตำบลศรีภูมิ",
        tambon=Tambon.objects.get(code="500101"),
        founded_on=dt.date(2011, 1, 1),
    )
    chair = User.objects.create_user(username="cm_chair", full_name="cm")
    FundRole.objects.create(fund=chiang_mai, user=chair, role=Role.CHAIR)
    package = export(chiang_mai, chair, tmp_path)
    make_own_computer(chiang_mai)
    cm_officer = User.objects.create_user(username="cm_officer", full_name="cm officer")
    OfficerAssignment.objects.create(user=cm_officer, level="province", area_code="50")
    register_key(chiang_mai, cm_officer)
    before = state()

    error = refused(package, users["officer"])

    assert error.code == "foreign"
    assert "not in your province" in error.message
    assert state() == before
    # The officer of its own province imports it.
    assert import_file(package, cm_officer).status == "imported"


def test_it_refuses_a_fund_not_registered_on_this_server(province, fund, users):
    data = province.read_bytes()
    manifest = json.loads(read_entry(data, MANIFEST))
    manifest["fund"]["code"] = "somewhere-else"

    error = refused(province, users["officer"], resign(data, fund, manifest))

    assert error.code == "foreign"


def test_it_refuses_a_package_before_the_funds_key_is_registered(fund, package, users):
    make_own_computer(fund)
    before = state()

    error = refused(package, users["officer"])

    assert error.code == "no_key"
    assert "Register the fund's key first" in error.message
    assert state() == before


def test_it_refuses_packages_signed_with_a_revoked_key(fund, province, users):
    with fund_scope(fund):
        key = TrustedKey.objects.get(fund=fund)
    services.trusted_key_revoke(key=key, actor=users["officer"])

    assert refused(province, users["officer"]).code == "no_key"


def test_it_refuses_packages_of_a_fund_that_keeps_its_books_here(fund, package, users):
    error = refused(package, users["officer"])

    assert error.code == "not_own_computer"


def test_it_ignores_a_package_imported_before(province, fund, users):
    first = import_file(province, users["officer"])
    before = state()

    again = import_file(province, users["officer"])

    assert again.status == "ignored"
    assert again.code == "already_imported"
    assert "already imported on" in again.message
    assert "nothing changed" in again.message
    assert again.package == first.package
    assert state() == before


def test_it_ignores_an_older_package_after_a_newer_one(fund, books, users, tmp_path):
    first = export(fund, users["chair"], tmp_path)
    second = export(fund, users["chair"], tmp_path, as_of=dt.date(2024, 10, 31))
    make_own_computer(fund)
    register_key(fund, users["officer"])
    assert import_file(second, users["officer"]).status == "imported"
    before = state()

    older = import_file(first, users["officer"])

    assert older.status == "ignored"
    assert older.code == "older"
    assert "A newer package" in older.message
    assert state() == before


def test_it_keeps_the_latest_dates_totals_when_an_older_dates_package_comes_later(
    fund, books, users, tmp_path
):
    """Number 2 is as of an earlier date than number 1 (the chair re-sent last year's figures):
    it is imported, but the monthly totals stay those of the later date."""
    october = export(fund, users["chair"], tmp_path, as_of=dt.date(2024, 10, 31))
    september = export(fund, users["chair"], tmp_path, as_of=AS_OF)
    october_totals = monthly_rows(fund, through=202410)
    make_own_computer(fund)
    register_key(fund, users["officer"])
    import_file(october, users["officer"])

    outcome = import_file(september, users["officer"])

    assert outcome.status == "imported"
    assert outcome.package is not None and not outcome.package.monthly_replaced
    assert "were not used" in outcome.message
    assert monthly_rows(fund) == october_totals
    with fund_scope(fund):
        assert set(IndicatorSnapshot.objects.filter(fund=fund).values_list("as_of", flat=True)) == {
            AS_OF,
            dt.date(2024, 10, 31),
        }


def test_it_refuses_a_different_package_with_a_number_already_imported(
    fund, books, users, tmp_path
):
    first = export(fund, users["chair"], tmp_path)
    with fund_scope(fund):
        ExportLog.objects.filter(fund=fund).delete()  # the laptop restored an old backup
    again = export(fund, users["chair"], tmp_path, as_of=dt.date(2024, 10, 31))
    make_own_computer(fund)
    register_key(fund, users["officer"])
    import_file(first, users["officer"])
    before = state()

    error = refused(again, users["officer"])

    assert error.code == "same_number"
    assert state() == before


def test_it_numbers_a_funds_packages_in_order(fund, books, users, tmp_path):
    names = [export(fund, users["chair"], tmp_path).name for _ in range(3)]

    assert names == [f"kongtun-{fund.code}-2024-09-30-{n}.kongtun.zip" for n in (1, 2, 3)]


def test_it_sends_personal_data_only_when_asked_with_a_purpose(
    fund, books, member, users, tmp_path
):
    with pytest.raises(ValidationError) as caught, fund_scope(fund):
        services.package_export(
            fund=fund, actor=users["chair"], as_of=AS_OF, include_full_data=True, today=TODAY
        )
    assert "purpose" in caught.value.message_dict
    plain = export(fund, users["chair"], tmp_path)
    assert "full.json" not in json.loads(read_entry(plain.read_bytes(), MANIFEST))["files"]

    full = export(
        fund,
        users["chair"],
        tmp_path,
        include_full_data=True,
        purpose="สำรองข้อมูลไว้ที่จังหวัด",
    )

    data = full.read_bytes()
    rows = json.loads(read_entry(data, "full.json"))
    models = {row["model"] for row in rows}
    assert {"funds.fund", "members.member", "ledger.journalline"} <= models
    assert not any(m.startswith("exchange.") for m in models)
    member_row = next(r for r in rows if r["model"] == "members.member")
    assert member_row["fields"]["first_name"] == member.first_name
    assert member_row["fields"]["national_id_encrypted"].startswith("v1:")
    assert member.national_id_encrypted == member_row["fields"]["national_id_encrypted"]
    assert all(r["fields"].get("fund", fund.pk) == fund.pk for r in rows)
    with fund_scope(fund):
        log = ExportLog.objects.get(fund=fund, sequence=2)
    assert log.includes_full_data and log.purpose == "สำรองข้อมูลไว้ที่จังหวัด"

    make_own_computer(fund)
    register_key(fund, users["officer"])
    outcome = import_file(full, users["officer"])
    assert outcome.package is not None and outcome.package.includes_full_data


def test_it_never_puts_another_funds_rows_in_the_full_data(
    fund, other_fund, books, users, tmp_path
):
    from kongtun.exchange.tests.conftest import post_books

    post_books(other_fund, users["other_chair"])
    full = export(fund, users["chair"], tmp_path, include_full_data=True, purpose="backup")

    rows = json.loads(read_entry(full.read_bytes(), "full.json"))
    assert {r["fields"]["fund"] for r in rows if "fund" in r["fields"]} == {fund.pk}
    assert [r["pk"] for r in rows if r["model"] == "funds.fund"] == [fund.pk]


def test_it_makes_no_package_of_a_fund_whose_records_are_elsewhere(fund, users):
    make_own_computer(fund)
    with pytest.raises(ValidationError), fund_scope(fund):
        services.package_export(fund=fund, actor=users["chair"], as_of=AS_OF, today=TODAY)
    with fund_scope(fund):
        assert not ExportLog.objects.exists()


def test_it_refuses_a_future_date(fund, users):
    with pytest.raises(ValidationError) as caught, fund_scope(fund):
        services.package_export(
            fund=fund, actor=users["chair"], as_of=TODAY + dt.timedelta(days=1), today=TODAY
        )
    assert "as_of" in caught.value.message_dict


def test_it_refuses_totals_that_do_not_read_even_when_signed(province, fund, users):
    """A signed package is still input: its contents are checked field by field."""
    data = province.read_bytes()
    monthly = json.loads(read_entry(data, MONTHLY))
    monthly["rows"][0]["amount"] = 12.5  # a float, not the text of an amount
    body = json.dumps(monthly).encode()
    manifest = json.loads(read_entry(data, MANIFEST))
    manifest["files"][MONTHLY] = hashlib.sha256(body).hexdigest()
    before = state()

    error = refused(
        province, users["officer"], resign(rewrite(data, {MONTHLY: body}), fund, manifest)
    )

    assert error.code == "unreadable"
    assert state() == before


def test_a_fund_with_a_new_key_starts_its_numbers_again(fund, books, users, tmp_path):
    officer = users["officer"]
    first = export(fund, users["chair"], tmp_path)
    second = export(fund, users["chair"], tmp_path, as_of=dt.date(2024, 10, 31))
    make_own_computer(fund)
    register_key(fund, officer)
    assert [import_file(p, officer).status for p in (first, second)] == ["imported"] * 2
    # The laptop is lost: on the new one the fund makes a new key and numbers from 1 again.
    Fund.objects.filter(pk=fund.pk).update(runs_on=Fund.RunsOn.SERVER)
    fund.refresh_from_db()
    with fund_scope(fund):
        ExportLog.objects.filter(fund=fund).delete()
        FundSigningKey.objects.filter(fund=fund).delete()
    renewed = export(fund, users["chair"], tmp_path, as_of=dt.date(2024, 11, 10))
    make_own_computer(fund)
    with fund_scope(fund):
        old_key = TrustedKey.objects.get(fund=fund, revoked_at__isnull=True)
    services.trusted_key_revoke(key=old_key, actor=officer)
    register_key(fund, officer)

    outcome = import_file(renewed, officer)

    assert outcome.status == "imported", outcome.message
    assert outcome.package is not None
    assert outcome.package.sequence == 1
    with fund_scope(fund):
        new_key = TrustedKey.objects.get(fund=fund, revoked_at__isnull=True)
        assert outcome.package.signed_with_id == new_key.pk
        assert sorted(
            ImportedPackage.objects.filter(fund=fund).values_list("signed_with_id", "sequence")
        ) == sorted([(old_key.pk, 1), (old_key.pk, 2), (new_key.pk, 1)])
        snapshot = IndicatorSnapshot.objects.filter(fund=fund).order_by("-as_of").first()
        assert snapshot is not None and snapshot.as_of == dt.date(2024, 11, 10)
    # Under the new key the numbers are judged among its own packages: number 2 follows.
    Fund.objects.filter(pk=fund.pk).update(runs_on=Fund.RunsOn.SERVER)
    fund.refresh_from_db()
    following = export(fund, users["chair"], tmp_path, as_of=dt.date(2024, 11, 12))
    make_own_computer(fund)
    assert import_file(following, officer).status == "imported"


def _opened(path: Path):
    data = path.read_bytes()
    return data, open_package(io.BytesIO(data), len(data))


def _store_again(fund, path: Path, officer):
    """What a second import racing the first would do once past its checks: store the
    package itself."""
    data, opened = _opened(path)
    files = opened.verified_contents()
    with fund_scope(fund):
        key = TrustedKey.objects.get(fund=fund, revoked_at__isnull=True)
        return services._store(
            fund=fund,
            key=key,
            opened=opened,
            file=io.BytesIO(data),
            filename=path.name,
            indicators=contents.check_indicators(
                files[INDICATORS], fund_code=fund.code, as_of=opened.manifest.as_of
            ),
            monthly=contents.check_monthly(files[MONTHLY], fund_code=fund.code),
            actor=officer,
        )


def test_a_refused_second_import_never_removes_the_first_ones_file(province, fund, users):
    first = import_file(province, users["officer"])
    assert first.package is not None
    stored = Path(settings.VAR_DIR) / "packages" / first.package.stored_name
    assert stored.read_bytes() == province.read_bytes()
    before = state()

    with pytest.raises(PackageRefused) as caught:
        _store_again(fund, province, users["officer"])

    assert caught.value.code == "concurrent"
    assert stored.read_bytes() == province.read_bytes()
    assert state() == before


def test_a_failed_import_removes_the_file_it_wrote(province, fund, users, monkeypatch):
    before = state()

    def broken(**kwargs):
        raise RuntimeError("the audit chain is unavailable")

    monkeypatch.setattr(services, "audit_log", broken)
    with pytest.raises(RuntimeError):
        import_file(province, users["officer"])

    assert state() == before  # no row, and no file left behind
