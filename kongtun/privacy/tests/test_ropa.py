"""P1: every personal-data field is in the record of processing, the record is shown to the
chair, secretary and auditor of the fund only, and docs/privacy.md cannot drift from it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from kongtun.privacy import ropa

pytestmark = pytest.mark.django_db


def test_every_field_of_every_model_about_a_person_is_mapped() -> None:
    assert ropa.unmapped_fields() == []
    assert ropa.stale_entries() == []


def test_the_scope_finds_the_models_about_people() -> None:
    labels = {m._meta.label for m in ropa.models_in_scope()}
    assert {
        "members.Member", "members.Beneficiary", "members.Consent", "members.StatusChange",
        "contributions.Receipt", "welfare.Claim", "welfare.Payee", "welfare.Document",
        "ledger.Voucher", "accounts.User", "funds.CommitteeMember", "funds.FundRole",
        "audit.AuditEntry",
    } <= labels  # fmt: skip
    # A model that only stamps who did something is not about that user.
    assert "ledger.JournalEntry" not in labels and "welfare.Regulation" not in labels


def test_a_field_left_out_of_the_record_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    trimmed = tuple(
        ropa.Record(r.model, tuple(n for n in r.fields if n != "phone"), r.purpose, r.note)
        if r.model == "members.Member"
        else r
        for r in ropa.ROPA
    )
    monkeypatch.setattr(ropa, "ROPA", trimmed)
    assert ropa.unmapped_fields() == ["members.Member.phone"]


def test_health_and_disability_rest_on_explicit_consent() -> None:
    mapped = ropa.field_purposes()
    for key in [
        ("members.Member", "member_type"),
        ("welfare.Claim", "details"),
        ("welfare.Claim", "nights"),
        ("welfare.Document", "original_name"),
    ]:
        assert mapped[key].purpose_obj.basis == ropa.Basis.EXPLICIT_CONSENT


def test_docs_privacy_md_is_the_current_record() -> None:
    path = Path(settings.BASE_DIR) / "docs" / "privacy.md"
    text = path.read_text(encoding="utf-8")
    with translation.override("en"):
        assert ropa.docs_with_ropa(text) == text, "run: manage.py ropa --write"


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("chair", 200),
        ("secretary", 200),
        ("auditor", 200),
        ("treasurer", 403),
        ("committee", 403),
        ("collector", 403),
        ("other_chair", 404),
        ("nobody", 404),
    ],
)
def test_the_record_page_is_for_chair_secretary_and_auditor(
    client_for: Any, fund: Any, who: str, status: int
) -> None:
    response = client_for(who).get(reverse("privacy-ropa", kwargs={"fund_code": fund.code}))
    assert response.status_code == status
    if status == 200:
        body = response.content.decode()
        assert body.count('<section class="card" id="purpose-') == len(ropa.PURPOSES)
        assert 'id="purpose-health"' in body


def test_every_label_the_record_shows_is_translated() -> None:
    # Fields left without a verbose name would show "recorded by", "made at" in English.
    assert ropa.untranslated_labels() == []
    with translation.override("en"):
        shown = {n for row in ropa.rows() for n in row.fields}
    assert {"recorded by", "made at", "uploaded at", "done by", "page address"} <= shown
