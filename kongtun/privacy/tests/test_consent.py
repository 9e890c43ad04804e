"""P2: health data is kept only with explicit consent valid then; withdrawing takes no more
than giving; the type "person with disability" needs the consent too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from kongtun.accounts.models import User
from kongtun.audit.models import AuditEntry
from kongtun.conftest import member_data
from kongtun.funds.models import Fund
from kongtun.members.forms import ConsentForm, WithdrawForm
from kongtun.members.models import Consent, Member, MemberType
from kongtun.members.services import (
    consent_record,
    consent_withdraw,
    member_register,
    member_update,
)
from kongtun.privacy.tests.conftest import hospital_claim, new_member
from kongtun.welfare.models import Claim

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def test_a_health_claim_is_refused_without_active_explicit_consent(
    regulation: Any, plan: Any, books: Fund, users: dict[str, User], pay: Any
) -> None:
    member = new_member(books, users["treasurer"], 301, joined=dt.date(2024, 1, 1))
    pay(member, "740.00", dt.date(2024, 1, 5))
    with pytest.raises(ValidationError, match="explicit consent"):
        hospital_claim(books, member, users["secretary"])
    consent = consent_record(
        member=member,
        actor=users["secretary"],
        purpose=Consent.Purpose.SENSITIVE,
        channel=Consent.Channel.PAPER,
        given_on=dt.date(2025, 3, 1),
    )
    claim = hospital_claim(books, member, users["secretary"])
    assert claim.status == Claim.Status.FILED
    consent_withdraw(consent=consent, actor=users["secretary"], withdrawn_on=dt.date(2025, 4, 1))
    with pytest.raises(ValidationError, match="explicit consent"):
        hospital_claim(books, member, users["secretary"], on=dt.date(2025, 5, 1))
    assert Claim.objects.filter(member=member).count() == 1


def test_a_consent_given_only_after_the_filing_day_does_not_count(
    regulation: Any, plan: Any, books: Fund, users: dict[str, User], pay: Any
) -> None:
    member = new_member(books, users["treasurer"], 302, joined=dt.date(2024, 1, 1))
    pay(member, "740.00", dt.date(2024, 1, 5))
    consent_record(
        member=member,
        actor=users["secretary"],
        purpose=Consent.Purpose.SENSITIVE,
        channel=Consent.Channel.PAPER,
        given_on=dt.date(2025, 3, 20),
    )
    with pytest.raises(ValidationError, match="explicit consent"):
        hospital_claim(books, member, users["secretary"])  # filed 12 March


def test_withdrawing_is_one_step_with_no_more_to_fill_than_giving(
    member: Member, client_for: Any, fund: Fund
) -> None:
    assert len(WithdrawForm().fields) <= len(ConsentForm().fields)
    client = client_for("secretary")
    kwargs = {"fund_code": fund.code, "code": member.code}
    given = client.post(
        reverse("members-consent-add", kwargs=kwargs),
        {"purpose": "sensitive", "channel": "paper", "given_on": "01/03/2568"},
    )
    assert given.status_code == 302
    consent = member.consents.get(purpose="sensitive")
    # The member's page carries the withdraw form itself: no page in between.
    page = client.get(reverse("members-detail", kwargs=kwargs)).content.decode()
    withdraw_url = reverse("members-consent-withdraw", kwargs={**kwargs, "pk": consent.pk})
    assert f'action="{withdraw_url}"' in page
    withdrawn = client.post(withdraw_url, {"withdrawn_on": "02/03/2568"})
    assert withdrawn.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_on == dt.date(2025, 3, 2)


def test_the_disability_type_needs_explicit_consent(in_fund: Fund, users: dict[str, User]) -> None:
    actor = users["secretary"]
    with pytest.raises(ValidationError, match="explicit consent") as refused:
        member_register(
            fund=in_fund, actor=actor, data=member_data(401, member_type=MemberType.DISABLED)
        )
    assert "member_type" in refused.value.message_dict
    assert not Member.objects.filter(first_name="ทดสอบ401").exists()
    # Given with the form: the consent is recorded with the member.
    member = member_register(
        fund=in_fund,
        actor=actor,
        data=member_data(402, member_type=MemberType.DISABLED, sensitive_consent=True),
    )
    assert member.consents.get().purpose == Consent.Purpose.SENSITIVE
    # Changing a member's type to disabled: refused without consent, allowed once recorded.
    other = member_register(fund=in_fund, actor=actor, data=member_data(403))
    edit = member_data(403, member_type=MemberType.DISABLED, national_id="")
    with pytest.raises(ValidationError, match="explicit consent"):
        member_update(member=other, actor=actor, data=edit)
    consent_record(
        member=other,
        actor=actor,
        purpose=Consent.Purpose.SENSITIVE,
        channel=Consent.Channel.IN_PERSON,
        given_on=dt.date(2025, 1, 1),
    )
    edit = member_data(403, member_type=MemberType.DISABLED, national_id="")
    assert member_update(member=other, actor=actor, data=edit).member_type == "disabled"


def test_withdrawing_the_consent_takes_the_disability_off_the_record(
    in_fund: Fund, users: dict[str, User]
) -> None:
    actor = users["secretary"]
    member = member_register(
        fund=in_fund,
        actor=actor,
        data=member_data(404, member_type=MemberType.DISABLED, sensitive_consent=True),
    )
    consent = member.consents.get(purpose=Consent.Purpose.SENSITIVE)
    consent_withdraw(consent=consent, actor=actor, withdrawn_on=consent.given_on)
    member.refresh_from_db()
    assert member.member_type == MemberType.GENERAL
    change = AuditEntry.objects.filter(action="members.member.changed").latest("pk")
    assert '"after":{"member_type":"general"}' in change.data


def test_a_member_recorded_disabled_without_consent_gets_no_pass_on_the_next_edit(
    in_fund: Fund, users: dict[str, User]
) -> None:
    actor = users["secretary"]
    member = member_register(fund=in_fund, actor=actor, data=member_data(405))
    # As recorded before consent was asked for (an old import, or the admin).
    Member.objects.filter(pk=member.pk).update(member_type=MemberType.DISABLED)
    edit = member_data(405, member_type=MemberType.DISABLED, national_id="", phone="0899999999")
    with pytest.raises(ValidationError, match="explicit consent"):
        member_update(member=member, actor=actor, data=edit)


def test_the_register_form_offers_the_consent(client_for: Any, fund: Fund) -> None:
    client = client_for("secretary")
    url = reverse("members-create", kwargs={"fund_code": fund.code})
    data = {
        "first_name": "สมหญิง", "last_name": "ทดสอบ", "national_id": "1101700230708",
        "birth_date": "17/05/2513", "joined_on": "01/03/2558", "member_type": "disabled",
        "status": "active",
    }  # fmt: skip
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert client.post(url, {**data, "sensitive_consent": "on"}).status_code == 302
