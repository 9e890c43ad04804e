from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django_scopes import scopes_disabled

from kongtun.audit.models import AuditEntry
from kongtun.conftest import make_national_id, member_data
from kongtun.funds.tenancy import fund_scope
from kongtun.lib.thaiid import format_national_id
from kongtun.members.models import Event, Member, Status, StatusChange
from kongtun.members.selectors import member_counts, member_search
from kongtun.members.services import (
    BeneficiaryInput,
    beneficiary_add,
    consent_record,
    consent_withdraw,
    member_change_status,
    member_register,
    member_reveal_national_id,
)


def _errors(info: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return info.value.message_dict


class TestRegister:
    def test_it_numbers_members_in_order(self, in_fund, users):
        first = member_register(fund=in_fund, actor=users["chair"], data=member_data(1))
        second = member_register(fund=in_fund, actor=users["chair"], data=member_data(2))
        assert (first.number, second.number) == ("00001", "00002")
        assert [h.event for h in first.history.all()] == [Event.APPLIED, Event.APPROVED]

    def test_it_stores_the_id_encrypted_not_in_clear(self, member):
        digits = member_data(1).national_id
        row = Member.objects.filter(pk=member.pk).values().get()
        assert digits not in str(row)
        assert member.national_id_masked.endswith(f"{digits[10:12]}-{digits[12]}")

    def test_it_refuses_a_duplicate_id_in_the_same_fund(self, member, in_fund, users):
        with translation.override("en"), pytest.raises(ValidationError) as info:
            member_register(
                fund=in_fund, actor=users["chair"], data=member_data(1, first_name="อื่น")
            )
        assert "already has this national ID" in _errors(info)["national_id"][0]

    def test_it_accepts_the_same_person_in_another_fund(self, member, other_fund, users):
        with fund_scope(other_fund):
            other = member_register(
                fund=other_fund, actor=users["other_chair"], data=member_data(1)
            )
        assert other.national_id_index == member.national_id_index

    @pytest.mark.parametrize(
        ("overrides", "field", "fragment"),
        [
            ({"national_id": "1101700230709"}, "national_id", "check digit"),
            ({"birth_date": dt.date(2999, 1, 1)}, "birth_date", "future"),
            ({"birth_date": dt.date(1890, 1, 1)}, "birth_date", "over 120"),
            ({"joined_on": dt.date(2009, 1, 1)}, "joined_on", "before the fund was founded"),
            ({"first_name": ""}, "first_name", "required"),
            ({"status": Status.DECEASED}, "status", "starts as"),
        ],
    )
    def test_it_refuses_bad_details(self, in_fund, users, overrides, field, fragment):
        with translation.override("en"), pytest.raises(ValidationError) as info:
            member_register(fund=in_fund, actor=users["chair"], data=member_data(3, **overrides))
        assert fragment in " ".join(_errors(info)[field])
        assert Member.objects.count() == 0
        with scopes_disabled():
            assert AuditEntry.objects.count() == 0


class TestLifecycle:
    def test_it_walks_the_lifecycle_with_a_dated_history(self, member, users):
        today = timezone.localdate()
        for event in (Event.LAPSED, Event.REINSTATED, Event.RESIGNED):
            member = member_change_status(
                member=member, actor=users["secretary"], event=event, effective_on=today
            )
        assert member.status == Status.RESIGNED
        events = list(StatusChange.objects.filter(member=member).values_list("event", flat=True))
        assert events == ["applied", "approved", "lapsed", "reinstated", "resigned"]
        with scopes_disabled():
            actions = list(AuditEntry.objects.values_list("action", flat=True).order_by("seq"))
        assert actions[-3:] == [
            "members.member.lapsed",
            "members.member.reinstated",
            "members.member.resigned",
        ]

    def test_it_refuses_a_change_that_does_not_fit_the_status(self, member, users):
        with translation.override("en"), pytest.raises(ValidationError) as info:
            member_change_status(
                member=member,
                actor=users["chair"],
                event=Event.REINSTATED,
                effective_on=timezone.localdate(),
            )
        assert "cannot be" in _errors(info)["event"][0]
        member.refresh_from_db()
        assert member.status == Status.ACTIVE

    def test_a_deceased_member_stays_deceased(self, member, users):
        member_change_status(
            member=member, actor=users["chair"], event=Event.DIED, effective_on=dt.date(2024, 5, 1)
        )
        with pytest.raises(ValidationError):
            member_change_status(
                member=member,
                actor=users["chair"],
                event=Event.REINSTATED,
                effective_on=timezone.localdate(),
            )


def test_every_reveal_of_an_id_is_logged(member, users):
    digits = member_reveal_national_id(member=member, actor=users["treasurer"])
    assert digits == member_data(1).national_id
    with scopes_disabled():
        entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    assert (entry.action, entry.actor_id) == (
        "members.member.national_id_revealed",
        users["treasurer"].pk,
    )


def test_beneficiary_shares_cannot_pass_100_percent(member, users):
    beneficiary_add(
        member=member,
        actor=users["chair"],
        data=BeneficiaryInput("ลูก หนึ่ง", "child", Decimal("60"), make_national_id(77)),
    )
    with pytest.raises(ValidationError):
        beneficiary_add(
            member=member,
            actor=users["chair"],
            data=BeneficiaryInput("ลูก สอง", "child", Decimal("40.01")),
        )
    beneficiary_add(
        member=member, actor=users["chair"], data=BeneficiaryInput("ลูก สอง", "child", Decimal("40"))
    )
    assert sum(b.share_percent for b in member.beneficiaries.all()) == Decimal("100")


def test_consent_is_recorded_and_withdrawn_not_deleted(member, users):
    consent = consent_record(
        member=member, actor=users["chair"], purpose="sensitive", channel="paper",
        given_on=dt.date(2024, 1, 10),
    )  # fmt: skip
    consent_withdraw(consent=consent, actor=users["chair"], withdrawn_on=dt.date(2024, 6, 1))
    consent.refresh_from_db()
    assert consent.withdrawn_on == dt.date(2024, 6, 1) and not consent.is_active
    assert member.consents.count() == 1


class TestSearch:
    @pytest.fixture
    def members(self, in_fund, users):
        return [
            member_register(
                fund=in_fund,
                actor=users["chair"],
                data=member_data(i, first_name=name, last_name="ใจดี"),
            )
            for i, name in enumerate(["สมชาย", "สมหญิง", "มานี"], start=1)
        ]

    def test_by_name(self, in_fund, members):
        assert {m.first_name for m in member_search(fund=in_fund, query="สม")} == {"สมชาย", "สมหญิง"}
        assert [m.first_name for m in member_search(fund=in_fund, query="มานี ใจดี")] == ["มานี"]

    def test_by_number(self, in_fund, members):
        assert [m.first_name for m in member_search(fund=in_fund, query="00002")] == ["สมหญิง"]

    def test_by_number_without_its_leading_zeros(self, in_fund, members):
        assert [m.first_name for m in member_search(fund=in_fund, query="2")] == ["สมหญิง"]
        assert [m.first_name for m in member_search(fund=in_fund, query="๓")] == ["มานี"]

    @pytest.mark.parametrize("style", ["plain", "dashed", "thai"])
    def test_by_national_id_in_any_format(self, in_fund, members, style):
        digits = member_data(3).national_id
        query = {
            "plain": digits,
            "dashed": format_national_id(digits),
            "thai": digits.translate(str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")),
        }[style]
        assert [m.first_name for m in member_search(fund=in_fund, query=query)] == ["มานี"]

    def test_counts_for_codi(self, in_fund, members):
        counts = member_counts(fund=in_fund)
        assert (counts["total"], counts["current"]) == (3, 3)


class TestRegisterPage:
    def _post(self, client, fund, **overrides):
        data = {
            "title": "นาง",
            "first_name": "ทองใบ",
            "last_name": "ทดลอง",
            "national_id": format_national_id(make_national_id(42)),
            "birth_date": "17/05/2513",
            "joined_on": "01/03/2558",
            "member_type": "general",
            "status": "active",
        }
        data.update(overrides)
        return client.post(reverse("members-create", kwargs={"fund_code": fund.code}), data)

    def test_a_wrong_id_is_explained_in_thai_and_the_input_kept(self, fund, client_for):
        response = self._post(client_for("treasurer"), fund, national_id="1-1017-00230-70-9")
        html = response.content.decode()
        assert response.status_code == 400
        assert "เลขประจำตัวประชาชนไม่ถูกต้อง (เลขตรวจสอบหลักสุดท้ายไม่ตรง)" in html
        assert 'value="ทองใบ"' in html and 'value="1-1017-00230-70-9"' in html
        with fund_scope(fund):
            assert Member.objects.count() == 0

    def test_a_good_member_is_saved_with_be_dates_read_right(self, fund, client_for):
        response = self._post(client_for("treasurer"), fund)
        assert response.status_code == 302
        with fund_scope(fund):
            member = Member.objects.get()
        assert member.birth_date == dt.date(1970, 5, 17)
        assert member.joined_on == dt.date(2015, 3, 1)

    def test_the_detail_page_masks_the_id(self, fund, client_for, member):
        url = reverse("members-detail", kwargs={"fund_code": fund.code, "code": member.code})
        html = client_for("committee").get(url).content.decode()
        assert member_data(1).national_id not in html
        assert member.national_id_masked in html
        assert "17 พฤษภาคม 2513" in html

    def test_reveal_shows_the_full_id_only_to_permitted_roles(self, fund, client_for, member):
        url = reverse("members-reveal-id", kwargs={"fund_code": fund.code, "code": member.code})
        assert client_for("committee").post(url).status_code == 403
        response = client_for("treasurer").post(url)
        assert member_data(1).national_id in response.content.decode()

    def test_english_on_request(self, fund, client_for, member):
        client = client_for("chair")
        client.post(reverse("set-language"), {"language": "en", "next": "/"})
        url = reverse("members-detail", kwargs={"fund_code": fund.code, "code": member.code})
        html = client.get(url).content.decode()
        assert "Date of birth" in html and "17 May 2513 BE" in html


def test_thai_is_the_default_even_for_an_english_browser(fund, client_for, member):
    url = reverse("members-detail", kwargs={"fund_code": fund.code, "code": member.code})
    html = client_for("chair").get(url, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="th">' in html and "17 พฤษภาคม 2513" in html


def test_a_member_who_resigned_may_apply_again(member, users):
    today = timezone.localdate()
    member_change_status(
        member=member, actor=users["chair"], event=Event.RESIGNED, effective_on=today
    )
    member_change_status(
        member=member, actor=users["chair"], event=Event.REAPPLIED, effective_on=today
    )
    member = member_change_status(
        member=member, actor=users["chair"], event=Event.APPROVED, effective_on=today
    )
    assert member.status == Status.ACTIVE


def _same_tail_id(old: str) -> str:
    """Another valid ID ending in the same three digits (so the masked form is the same)."""
    for position in range(1, 10):
        for digit in "0123456789":
            body = old[:position] + digit + old[position + 1 : 12]
            check = (11 - sum(int(d) * (13 - i) for i, d in enumerate(body)) % 11) % 10
            if body != old[:12] and str(check) == old[12]:
                return body + str(check)
    raise AssertionError("no such ID")


def test_correcting_an_id_is_audited_even_when_the_mask_looks_the_same(member, users):
    from kongtun.members.services import member_update

    new = _same_tail_id(member_data(1).national_id)
    member_update(member=member, actor=users["chair"], data=member_data(1, national_id=new))
    with scopes_disabled():
        entry = AuditEntry.objects.order_by("-id").first()
    assert entry is not None and entry.payload["after"] == {"national_id_changed": True}
    member.refresh_from_db()
    assert member_reveal_national_id(member=member, actor=users["chair"]) == new


def test_fund_pages_are_not_cached(fund, client_for, member):
    url = reverse("members-detail", kwargs={"fund_code": fund.code, "code": member.code})
    assert "no-store" in client_for("chair").get(url)["Cache-Control"]


def test_the_search_page_finds_by_id_without_putting_it_in_the_url(fund, client_for, member):
    url = reverse("members-list", kwargs={"fund_code": fund.code})
    response = client_for("collector").post(url, {"q": member_data(1).national_id})
    assert response.status_code == 200 and member.first_name in response.content.decode()
    assert 'method="post"' in client_for("collector").get(url).content.decode()
