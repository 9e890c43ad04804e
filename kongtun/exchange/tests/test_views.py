"""The chair's export page and the province officer's import page."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scopes_disabled

from kongtun.accounts.models import User
from kongtun.exchange.models import ExportLog, FundSigningKey, ImportedPackage, TrustedKey
from kongtun.exchange.package import INDICATORS
from kongtun.exchange.tests.conftest import (
    make_own_computer,
    read_entry,
    rewrite,
    state,
)
from kongtun.funds.models import OfficerAssignment
from kongtun.funds.tenancy import fund_scope


def _export_url(fund):
    return reverse("exchange-export", kwargs={"fund_code": fund.code})


NETWORK = "/network/exchange/"


def test_the_urls_are_where_the_lead_mounted_them(fund):
    assert _export_url(fund) == f"/f/{fund.code}/exchange/"
    assert reverse("exchange-network") == NETWORK


def test_the_chair_makes_the_key_and_sees_what_to_send(fund, client_for):
    chair = client_for("chair")
    page = chair.get(_export_url(fund))
    assert page.status_code == 200
    key_url = reverse("exchange-key-create", kwargs={"fund_code": fund.code})
    assert f'action="{key_url}"' in page.content.decode()

    made = chair.post(key_url)

    assert made.status_code == 303
    with fund_scope(fund):
        key = FundSigningKey.objects.get(fund=fund)
    shown = chair.get(_export_url(fund)).content.decode()
    assert key.fingerprint in shown
    assert f"kongtun-ed25519 {fund.code} " in shown


def test_the_chair_downloads_a_signed_package(fund, books, client_for):
    response = client_for("chair").post(_export_url(fund), {"as_of": "30/09/2567"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert (
        f'filename="kongtun-{fund.code}-2024-09-30-1.kongtun.zip"'
        in response["Content-Disposition"]
    )
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
    assert manifest["as_of"] == "2024-09-30"
    assert manifest["fund"]["code"] == fund.code
    assert not manifest["includes_full_data"]


def test_full_data_needs_its_purpose_stated(fund, client_for):
    response = client_for("chair").post(
        _export_url(fund), {"as_of": "30/09/2567", "include_full_data": "on"}
    )

    assert response.status_code == 400
    assert "personal data" in response.content.decode()
    with fund_scope(fund):
        assert not ExportLog.objects.exists()


def test_a_badly_typed_date_is_shown_back(fund, client_for):
    response = client_for("chair").post(_export_url(fund), {"as_of": "31/02/2567"})

    assert response.status_code == 400
    with fund_scope(fund):
        assert not ExportLog.objects.exists()


@pytest.mark.parametrize("who", ["treasurer", "secretary", "committee", "collector", "auditor"])
def test_only_the_chair_exports(fund, client_for, who):
    client = client_for(who)
    assert client.get(_export_url(fund)).status_code == 403
    assert client.post(_export_url(fund), {"as_of": "30/09/2567"}).status_code == 403
    key_url = reverse("exchange-key-create", kwargs={"fund_code": fund.code})
    assert client.post(key_url).status_code == 403


@pytest.mark.parametrize("who", ["other_chair", "officer", "nobody", "admin"])
def test_the_fund_pages_do_not_exist_for_anyone_outside_the_fund(fund, client_for, who):
    client = client_for(who)
    assert client.get(_export_url(fund)).status_code == 404
    assert client.post(_export_url(fund), {"as_of": "30/09/2567"}).status_code == 404
    key_url = reverse("exchange-key-create", kwargs={"fund_code": fund.code})
    assert client.post(key_url).status_code == 404
    with fund_scope(fund):
        assert not FundSigningKey.objects.exists()


def test_an_anonymous_visitor_is_sent_to_log_in(fund, client_for):
    response = client_for(None).get(_export_url(fund))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_an_own_computer_fund_exports_on_its_own_computer_only(fund, client_for):
    make_own_computer(fund)
    chair = client_for("chair")

    page = chair.get(_export_url(fund))
    made = chair.post(reverse("exchange-key-create", kwargs={"fund_code": fund.code}))

    assert "Make and download" not in page.content.decode()
    assert made.status_code == 303
    with fund_scope(fund):
        assert not FundSigningKey.objects.exists()


# --- The province officer --------------------------------------------------------------------


def _upload(client, name, data, **kwargs):
    return client.post(
        reverse("exchange-import"),
        {"file": SimpleUploadedFile(name, data, "application/zip")},
        **kwargs,
    )


def test_the_officer_sees_own_computer_funds_of_the_province(fund, other_fund, client_for):
    make_own_computer(fund)

    page = client_for("officer").get(NETWORK)

    assert page.status_code == 200
    text = page.content.decode()
    assert fund.name in text
    assert other_fund.name not in text  # keeps its books on this server
    assert "No key registered" in text


OFFICER_POSTS = ["exchange-import", "exchange-key-register"]


@pytest.mark.parametrize("who", ["chair", "nobody", "other_chair"])
def test_the_import_pages_do_not_exist_for_anyone_but_province_officers(fund, client_for, who):
    client = client_for(who)
    assert client.get(NETWORK).status_code == 404
    for name in OFFICER_POSTS:
        assert client.post(reverse(name)).status_code == 404


def test_the_import_pages_send_anonymous_visitors_to_log_in(client_for):
    for response in [
        client_for(None).get(NETWORK),
        *(client_for(None).post(reverse(name)) for name in OFFICER_POSTS),
    ]:
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_district_network_only_reads_elsewhere(users, client_for):
    district = User.objects.create_user(username="district", full_name="district")
    OfficerAssignment.objects.create(user=district, level="amphoe", area_code="5201")
    client = client_for(None)
    client.force_login(district)

    assert client.get(NETWORK).status_code == 404


def test_the_officer_checks_then_registers_a_key(fund, client_for):
    make_own_computer(fund)
    with fund_scope(fund):
        from kongtun.exchange import services

        key = services.signing_key_get_or_create(fund=fund, actor=None)
        line = services.public_key_text(key)
    officer = client_for("officer")

    checked = officer.post(reverse("exchange-key-register"), {"fund": fund.pk, "key": line})

    assert checked.status_code == 200
    assert key.fingerprint in checked.content.decode()
    with fund_scope(fund):
        assert not TrustedKey.objects.exists()

    confirmed = officer.post(
        reverse("exchange-key-register"), {"fund": fund.pk, "key": line, "confirm": "1"}
    )

    assert confirmed.status_code == 303
    with fund_scope(fund):
        trusted = TrustedKey.objects.get(fund=fund)
    assert trusted.fingerprint == key.fingerprint
    assert key.fingerprint in officer.get(NETWORK).content.decode()


def test_a_damaged_key_is_refused_with_the_reason(fund, client_for):
    make_own_computer(fund)

    response = client_for("officer").post(
        reverse("exchange-key-register"), {"fund": fund.pk, "key": "kongtun-ed25519 x QUJD"}
    )

    assert response.status_code == 400
    assert "damaged" in response.content.decode()


def test_a_fund_outside_the_province_cannot_be_chosen(fund, other_fund, client_for):
    make_own_computer(other_fund)
    OfficerAssignment.objects.filter(area_code="52").update(area_code="50")

    response = client_for("officer").post(
        reverse("exchange-key-register"), {"fund": other_fund.pk, "key": "x"}
    )

    assert response.status_code == 400
    with scopes_disabled():
        assert not TrustedKey.objects.exists()


def test_the_officer_imports_a_package_once(province, fund, client_for):
    officer = client_for("officer")

    first = _upload(officer, province.name, province.read_bytes())
    shown = officer.get(NETWORK).content.decode()
    again = _upload(officer, province.name, province.read_bytes(), follow=True)

    assert first.status_code == 303
    assert "was imported" in shown
    assert "No. 1, as of 30" in shown
    assert again.status_code == 200
    assert "already imported on" in again.content.decode()
    with fund_scope(fund):
        assert ImportedPackage.objects.count() == 1


def test_the_officer_sees_why_a_package_was_refused(province, client_for):
    data = province.read_bytes()
    tampered = rewrite(data, {INDICATORS: read_entry(data, INDICATORS).replace(b"1", b"2", 1)})
    before = state()

    response = _upload(client_for("officer"), province.name, tampered)

    assert response.status_code == 400
    assert "changed after the fund signed it" in response.content.decode()
    assert state() == before


def test_the_officer_revokes_a_key(province, fund, client_for):
    with fund_scope(fund):
        key = TrustedKey.objects.get(fund=fund)

    response = client_for("officer").post(reverse("exchange-key-revoke", kwargs={"key": key.pk}))

    assert response.status_code == 303
    key.refresh_from_db()
    assert key.revoked_at is not None


def test_an_officer_of_another_province_cannot_revoke(province, fund, users, client_for):
    OfficerAssignment.objects.filter(user=users["officer"]).update(area_code="50")
    with fund_scope(fund):
        key = TrustedKey.objects.get(fund=fund)

    response = client_for("officer").post(reverse("exchange-key-revoke", kwargs={"key": key.pk}))

    assert response.status_code == 404
    key.refresh_from_db()
    assert key.revoked_at is None
