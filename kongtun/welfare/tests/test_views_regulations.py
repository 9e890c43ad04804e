"""The regulation pages as the secretary and the chair use them, and as everyone else reads
them: the versions, one version's rules in words, drafting a version with a per-night benefit
and a table through the forms, adopting it with a Buddhist-era date, refusals that keep what
was typed, an adopted version that stays as it was, and the printed copy."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from kongtun.contributions.tests.test_receipts import pdf_text, squash
from kongtun.funds.tenancy import fund_scope
from kongtun.welfare.describe import describe_benefit
from kongtun.welfare.models import Benefit, Regulation, Tier
from kongtun.welfare.services import regulation_draft

pytestmark = pytest.mark.django_db
D = Decimal
REFUSAL = "An adopted regulation is never changed; make a new version to amend it."


def english(client: Any) -> Any:
    """Read the pages in English: the Thai words may still change, the English msgids do not."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _messages(response: Any) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def url(books: Any) -> Any:
    def make(name: str, regulation: Regulation | None = None, **kwargs: Any) -> str:
        if regulation is not None:
            kwargs["regulation"] = regulation.code
        return reverse(name, kwargs={"fund_code": books.code, **kwargs})

    return make


def _benefit_post(
    values: dict[str, Any], tiers: list[tuple[str, str]] | None = None
) -> dict[str, Any]:
    """A benefit form as the browser sends it: unchecked boxes are left out, and the table's
    four empty rows come along with the rows typed."""
    data: dict[str, Any] = {
        "position": "",
        "waiting_days": "",
        "wait_from": "joined",
        "amount": "",
        "step_amount": "",
        "documents": "",
        "conditions": "",
    }
    data.update({k: v for k, v in values.items() if v is not False})
    rows = [*(tiers or []), *[("", "")] * 4]
    data |= {
        "tiers-TOTAL_FORMS": str(len(rows)),
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "60",
    }
    for i, (years, amount) in enumerate(rows):
        data[f"tiers-{i}-from_years"] = years
        data[f"tiers-{i}-amount"] = amount
    return data


IN_HOSPITAL = {
    "name": "นอนโรงพยาบาล",
    "key": "inpatient",
    "category": "illness",
    "for_member": "on",
    "waiting_days": "180",
    "basis": "per_night",
    "amount": "200",
    "per_event_cap": "600",
    "max_nights_per_year": "12",
    "per_year_cap": "1000.00",
    "max_arrears_months": "3",
    "filing_days": "90",
    "documents": "ใบรับรองแพทย์\nใบเสร็จโรงพยาบาล",
}
FUNERAL = {
    "name": "ค่าทำศพ",
    "key": "death",
    "category": "death",
    "for_beneficiary": "on",
    "waiting_days": "180",
    "basis": "by_membership",
    "step_amount": "500",
    "once_only": "on",
}
FUNERAL_TABLE = [("0", "3000"), ("1", "5000.00"), ("3", "10000")]


# --- Reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["chair", "secretary", "treasurer", "committee", "collector", "auditor"]
)
def test_everyone_in_the_fund_reads_the_versions_and_the_one_in_force(
    regulation, url, client_for, role
):
    page = english(client_for(role)).get(url("welfare-regulations"))
    assert page.status_code == 200
    html = page.content.decode()
    assert page.context["in_force"] == regulation
    assert regulation.title in html
    assert "In force today: version 1" in html
    assert "มติที่ประชุม 1/2563" in html
    assert f'href="{url("welfare-regulation", regulation)}"' in html
    may_draft = role in ("chair", "secretary")
    assert (f'action="{url("welfare-regulation-new")}"' in html) is may_draft

    page = english(client_for(role)).get(url("welfare-regulation", regulation))
    assert page.status_code == 200
    html = page.content.decode()
    assert "200 baht a night, at most 600 baht a stay and 1,000 baht a year" in html
    assert "Claim within 90 days of the event" in html
    assert "Illness / medical care" in html
    # The death benefit's table as a table, not in words.
    assert "By years of membership, from the table" in html
    assert re.search(r'<td class="num">3</td><td class="num money">10,000</td>', html)
    # Adopted: nothing to change, whoever reads it.
    assert "welfare-regulation-edit" not in html
    assert url("welfare-regulation-edit", regulation) not in html
    assert url("welfare-benefit-new", regulation) not in html
    assert 'id="adopt-form"' not in html
    assert url("welfare-regulation-pdf", regulation) in html


def test_the_list_says_when_no_version_is_in_force(books, url, client_for):
    page = english(client_for("chair")).get(url("welfare-regulations"))
    assert page.status_code == 200
    assert "No version is in force today" in page.content.decode()


@pytest.mark.parametrize("role", ["treasurer", "committee", "collector", "auditor"])
def test_only_who_manages_regulations_may_draft_edit_or_adopt(regulation, url, client_for, role):
    client = client_for(role)
    benefit = Benefit.objects.get(regulation=regulation, key="birth")
    assert client.post(url("welfare-regulation-new")).status_code == 403
    for name in ("welfare-regulation-edit", "welfare-benefit-new"):
        assert client.get(url(name, regulation)).status_code == 403
        assert client.post(url(name, regulation), {"title": "x"}).status_code == 403
    edit = url("welfare-benefit-edit", regulation, benefit=benefit.pk)
    assert client.get(edit).status_code == 403
    assert (
        client.post(url("welfare-benefit-remove", regulation, benefit=benefit.pk)).status_code
        == 403
    )
    adopt = client.post(
        url("welfare-regulation-adopt", regulation),
        {"effective_from": "1/10/2568", "resolution": "x"},
    )
    assert adopt.status_code == 403
    assert Regulation.objects.count() == 1


def test_another_funds_chair_and_strangers_find_nothing(regulation, url, client_for):
    pages = [
        url("welfare-regulations"),
        url("welfare-regulation", regulation),
        url("welfare-regulation-pdf", regulation),
        url("welfare-regulation-edit", regulation),
    ]
    for page in pages:
        assert client_for("other_chair").get(page).status_code == 404
        assert client_for("nobody").get(page).status_code == 404
        anonymous = client_for(None).get(page)
        assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert client_for("other_chair").post(url("welfare-regulation-new")).status_code == 404


def test_a_version_of_another_fund_is_not_found_under_mine(
    regulation, url, client_for, other_fund, users
):
    with fund_scope(other_fund):
        foreign = regulation_draft(fund=other_fund, actor=users["other_chair"])
    client = client_for("chair")
    for name in ("welfare-regulation", "welfare-regulation-pdf", "welfare-regulation-edit"):
        assert client.get(url(name, foreign)).status_code == 404
    missing = reverse(
        "welfare-regulation", kwargs={"fund_code": regulation.fund.code, "regulation": uuid.uuid4()}
    )
    assert client.get(missing).status_code == 404


def test_a_benefit_is_found_only_under_its_own_version(regulation, url, client_for):
    client = client_for("secretary")
    draft_page = client.post(url("welfare-regulation-new"))
    draft = Regulation.objects.get(version=2)
    assert draft_page.status_code == 303
    old = Benefit.objects.get(regulation=regulation, key="birth")
    # v1's benefit under v2's address, and a benefit that does not exist.
    assert client.get(url("welfare-benefit-edit", draft, benefit=old.pk)).status_code == 404
    assert client.post(url("welfare-benefit-remove", draft, benefit=old.pk)).status_code == 404
    assert client.get(url("welfare-benefit-edit", draft, benefit=999_999)).status_code == 404
    assert Benefit.objects.filter(pk=old.pk).exists()


def test_drafting_needs_a_post(regulation, url, client_for):
    assert client_for("chair").get(url("welfare-regulation-new")).status_code == 405
    assert client_for("chair").get(url("welfare-regulation-adopt", regulation)).status_code == 405


# --- Drafting and adopting through the pages -------------------------------------------------


def test_the_secretary_drafts_a_regulation_and_the_chair_adopts_it(books, url, client_for, users):
    secretary = english(client_for("secretary"))

    started = secretary.post(url("welfare-regulation-new"))
    draft = Regulation.objects.get()
    assert started.status_code == 303
    assert started["Location"] == url("welfare-regulation", draft)
    assert draft.version == 1 and draft.is_draft and draft.made_by == users["secretary"]
    assert "Version 1 was started" in _messages(started)[0]

    page = secretary.get(url("welfare-regulation", draft))
    html = page.content.decode()
    assert "This version has no benefits yet." in html
    for name in ("welfare-regulation-edit", "welfare-benefit-new", "welfare-regulation-adopt"):
        assert url(name, draft) in html

    text = "หมวด 1 บททั่วไป\nข้อ 1 ระเบียบนี้เรียกว่า ระเบียบกองทุนสวัสดิการ พ.ศ. 2568"
    saved = secretary.post(
        url("welfare-regulation-edit", draft),
        {"title": "ระเบียบกองทุน พ.ศ. 2568", "text": text, "non_member_budget": "5000"},
    )
    assert saved.status_code == 303
    assert _messages(saved) == ["Version 1 was saved."]

    form = secretary.get(url("welfare-benefit-new", draft))
    assert form.status_code == 200
    html = form.content.decode()
    for legend in ("Who may receive it", "Waiting period and membership", "Age",
                   "Amount and table", "Limits", "Dues", "Filing and documents",
                   "Other conditions"):  # fmt: skip
        assert f"<legend>{legend}</legend>" in html
    assert 'name="tiers-TOTAL_FORMS" value="4"' in html

    added = secretary.post(url("welfare-benefit-new", draft), _benefit_post(IN_HOSPITAL))
    assert added.status_code == 303, added.context["form"].errors
    assert _messages(added) == ["The benefit “นอนโรงพยาบาล” was saved."]
    added = secretary.post(url("welfare-benefit-new", draft), _benefit_post(FUNERAL, FUNERAL_TABLE))
    assert added.status_code == 303, added.context["form"].errors

    page = secretary.get(url("welfare-regulation", draft)).content.decode()
    assert "200 baht a night, at most 600 baht a stay and 1,000 baht a year" in page
    assert "Paid for at most 12 nights a year" in page
    assert "Beyond 3 years, 500 baht more for each further year" in page

    chair = english(client_for("chair"))
    adopted = chair.post(
        url("welfare-regulation-adopt", draft),
        {"effective_from": "1/10/2568", "resolution": "ประชุมครั้งที่ 3/2568 มติที่ 5"},
    )
    assert adopted.status_code == 303
    assert _messages(adopted) == ["Version 1 is adopted; it is in force from 1 October 2568 BE."]

    draft.refresh_from_db()
    assert draft.status == Regulation.Status.ADOPTED
    assert draft.effective_from == dt.date(2025, 10, 1)
    assert draft.adopted_resolution == "ประชุมครั้งที่ 3/2568 มติที่ 5"
    assert draft.adopted_by == users["chair"]
    assert (draft.title, draft.text, draft.non_member_budget) == (
        "ระเบียบกองทุน พ.ศ. 2568",
        text,
        D("5000.00"),
    )
    inpatient, death = draft.benefits.order_by("position")
    assert (inpatient.key, inpatient.position, death.key, death.position) == (
        "inpatient",
        1,
        "death",
        2,
    )
    assert inpatient.basis == "per_night" and inpatient.amount == D("200.00")
    assert (inpatient.per_event_cap, inpatient.per_year_cap) == (D("600.00"), D("1000.00"))
    assert (inpatient.max_nights_per_year, inpatient.max_nights_per_event) == (12, None)
    assert (inpatient.max_arrears_months, inpatient.filing_days, inpatient.waiting_days) == (
        3,
        90,
        180,
    )
    assert inpatient.for_member and not inpatient.for_beneficiary
    assert inpatient.lifetime_cap is None and not inpatient.once_only
    assert inpatient.document_list == ["ใบรับรองแพทย์", "ใบเสร็จโรงพยาบาล"]
    assert death.for_beneficiary and not death.for_member and death.once_only
    assert death.step_amount == D("500.00") and death.amount == D("0.00")
    assert [(t.from_years, t.amount) for t in Tier.objects.filter(benefit=death)] == [
        (0, D("3000.00")),
        (1, D("5000.00")),
        (3, D("10000.00")),
    ]

    # Adopted, the page offers nothing to change.
    page = chair.get(url("welfare-regulation", draft)).content.decode()
    assert "In force from 1 October 2568 BE, adopted by resolution" in page
    assert url("welfare-regulation-edit", draft) not in page
    assert 'id="adopt-form"' not in page


def test_a_new_version_copies_the_latest_and_changes_a_benefits_table(regulation, url, client_for):
    secretary = english(client_for("secretary"))
    secretary.post(url("welfare-regulation-new"))
    draft = Regulation.objects.get(version=2)
    assert draft.benefits.count() == 5
    death = Benefit.objects.get(regulation=draft, key="death")

    form = secretary.get(url("welfare-benefit-edit", draft, benefit=death.pk))
    html = form.content.decode()
    assert form.status_code == 200
    assert 'name="tiers-TOTAL_FORMS" value="7"' in html  # three rows and four empty
    assert 'name="tiers-2-from_years" value="3"' in html
    assert 'name="key" value="death"' in html

    data = _benefit_post(
        {**FUNERAL, "name": "เสียชีวิต", "step_amount": "0", "position": "4"},
        [("0", "3000"), ("1", "6000"), ("5", "12000")],
    )
    changed = secretary.post(url("welfare-benefit-edit", draft, benefit=death.pk), data)
    assert changed.status_code == 303, changed.context["form"].errors
    assert [(t.from_years, t.amount) for t in Tier.objects.filter(benefit=death)] == [
        (0, D("3000.00")),
        (1, D("6000.00")),
        (5, D("12000.00")),
    ]
    # The adopted version keeps its own table.
    old = Benefit.objects.get(regulation=regulation, key="death")
    assert [t.amount for t in Tier.objects.filter(benefit=old)] == [
        D("3000.00"),
        D("5000.00"),
        D("10000.00"),
    ]

    help_benefit = Benefit.objects.get(regulation=draft, key="help")
    removed = secretary.post(url("welfare-benefit-remove", draft, benefit=help_benefit.pk))
    assert removed.status_code == 303
    assert _messages(removed)[-1] == (
        "The benefit “ช่วยเหลือผู้ยากไร้ในชุมชน” was removed from this draft."
    )
    assert not Benefit.objects.filter(pk=help_benefit.pk).exists()
    assert Benefit.objects.filter(regulation=regulation, key="help").exists()

    # Not before the version in force: refused next to the date, what was typed kept.
    early = secretary.post(
        url("welfare-regulation-adopt", draft),
        {"effective_from": "1/1/2562", "resolution": "มติ 2/2568"},
    )
    assert early.status_code == 400
    html = early.content.decode()
    assert "It must come into force after version 1" in html
    assert 'value="1/1/2562"' in html and 'value="มติ 2/2568"' in html
    draft.refresh_from_db()
    assert draft.is_draft

    adopted = secretary.post(
        url("welfare-regulation-adopt", draft),
        {"effective_from": "01/01/2567", "resolution": "มติ 2/2568"},
    )
    assert adopted.status_code == 303
    draft.refresh_from_db()
    assert draft.effective_from == dt.date(2024, 1, 1)
    listing = secretary.get(url("welfare-regulations"))
    assert listing.context["in_force"] == draft
    html = listing.content.decode()
    assert re.search(r'id="version-2">.*?In force<', html, re.S)
    assert re.search(r'id="version-1">.*?Replaced<', html, re.S)


# --- Refusals keep what was typed ------------------------------------------------------------


@pytest.fixture
def draft(regulation: Regulation, users: Any) -> Regulation:
    return regulation_draft(fund=regulation.fund, actor=users["secretary"])


def test_a_per_night_benefit_without_its_rate_is_refused_with_the_input_kept(
    draft, url, client_for
):
    data = _benefit_post({**IN_HOSPITAL, "amount": ""}, [])
    page = english(client_for("secretary")).post(url("welfare-benefit-new", draft), data)
    assert page.status_code == 400
    html = page.content.decode()
    assert "Nothing was saved." in html
    assert "Give the amount (or the rate a night) in baht." in html
    assert 'value="นอนโรงพยาบาล"' in html and 'name="per_event_cap" value="600"' in html
    assert not Benefit.objects.filter(regulation=draft, key="inpatient").exists()


def test_a_table_with_the_same_years_twice_or_a_half_row_is_refused(draft, url, client_for):
    client = english(client_for("secretary"))
    twice = client.post(
        url("welfare-benefit-new", draft),
        _benefit_post({**FUNERAL, "key": "death2"}, [("1", "3000"), ("1", "5000")]),
    )
    assert twice.status_code == 400
    assert "Each row of the table needs a different number of years." in twice.content.decode()

    half = client.post(
        url("welfare-benefit-new", draft),
        _benefit_post({**FUNERAL, "key": "death2"}, [("0", "3000"), ("2", "")]),
    )
    assert half.status_code == 400
    html = half.content.decode()
    assert "Give both the years and the amount, or leave the row empty." in html
    assert 'name="tiers-1-from_years" value="2"' in html

    empty = client.post(url("welfare-benefit-new", draft), _benefit_post({**FUNERAL, "key": "d3"}))
    assert empty.status_code == 400
    assert "A table needs at least one row" in empty.content.decode()

    nobody = client.post(
        url("welfare-benefit-new", draft),
        _benefit_post({**IN_HOSPITAL, "key": "x", "for_member": False}),
    )
    assert nobody.status_code == 400
    assert "Choose at least one kind of person who may receive it." in nobody.content.decode()
    assert not Benefit.objects.filter(regulation=draft, key__in=["death2", "d3", "x"]).exists()


def test_a_short_code_used_twice_in_a_version_is_refused_next_to_it(draft, url, client_for):
    page = english(client_for("secretary")).post(
        url("welfare-benefit-new", draft), _benefit_post({**IN_HOSPITAL, "key": "illness"})
    )
    assert page.status_code == 400
    assert page.context["form"].errors["key"] == [
        "Another benefit of this regulation has this short code."
    ]


def test_an_amount_is_read_as_decimal_never_as_float(draft, url, client_for):
    page = client_for("secretary").post(
        url("welfare-benefit-new", draft),
        _benefit_post({**IN_HOSPITAL, "key": "odd", "amount": "0.1", "per_year_cap": "0.3"}),
    )
    assert page.status_code == 303
    odd = Benefit.objects.get(regulation=draft, key="odd")
    assert odd.amount == D("0.10") and odd.per_year_cap == D("0.30")

    bad = english(client_for("secretary")).post(
        url("welfare-benefit-new", draft),
        _benefit_post({**IN_HOSPITAL, "key": "odd2", "amount": "200.555"}),
    )
    assert bad.status_code == 400
    assert bad.context["form"].errors["amount"]


def test_the_edit_page_refuses_an_empty_title_and_keeps_the_text(draft, url, client_for):
    page = english(client_for("chair")).post(
        url("welfare-regulation-edit", draft), {"title": "  ", "text": "ข้อ 1 ทดสอบ"}
    )
    assert page.status_code == 400
    assert "ข้อ 1 ทดสอบ" in page.content.decode()
    draft.refresh_from_db()
    assert draft.text != "ข้อ 1 ทดสอบ"


def test_adopting_refuses_a_date_that_is_not_one_and_a_missing_resolution(draft, url, client_for):
    page = english(client_for("chair")).post(
        url("welfare-regulation-adopt", draft), {"effective_from": "31/02/2568", "resolution": ""}
    )
    assert page.status_code == 400
    errors = page.context["adopt_form"].errors
    assert set(errors) == {"effective_from", "resolution"}
    assert 'value="31/02/2568"' in page.content.decode()
    draft.refresh_from_db()
    assert draft.is_draft


# --- An adopted version is never changed -----------------------------------------------------


def test_an_adopted_versions_edit_pages_answer_with_the_refusal(regulation, url, client_for):
    client = english(client_for("secretary"))
    birth = Benefit.objects.get(regulation=regulation, key="birth")
    before = (regulation.title, Benefit.objects.filter(regulation=regulation).count())
    answers = [
        client.get(url("welfare-regulation-edit", regulation)),
        client.post(url("welfare-regulation-edit", regulation), {"title": "ใหม่", "text": ""}),
        client.get(url("welfare-benefit-new", regulation)),
        client.post(url("welfare-benefit-new", regulation), _benefit_post(IN_HOSPITAL)),
        client.get(url("welfare-benefit-edit", regulation, benefit=birth.pk)),
        client.post(
            url("welfare-benefit-edit", regulation, benefit=birth.pk),
            _benefit_post({**IN_HOSPITAL, "key": "birth"}),
        ),
        client.post(url("welfare-benefit-remove", regulation, benefit=birth.pk)),
        client.post(
            url("welfare-regulation-adopt", regulation),
            {"effective_from": "1/1/2570", "resolution": "x"},
        ),
    ]
    for answer in answers:
        assert answer.status_code == 400
        assert REFUSAL in answer.content.decode()
    regulation.refresh_from_db()
    assert (regulation.title, Benefit.objects.filter(regulation=regulation).count()) == before
    birth.refresh_from_db()
    assert birth.basis == "fixed" and birth.amount == D("1000.00")
    assert regulation.effective_from == dt.date(2020, 1, 1)


# --- The printed regulation ------------------------------------------------------------------


def test_the_printed_regulation_has_its_text_and_each_benefits_rules(
    regulation, url, client_for, tmp_path
):
    with fund_scope(regulation.fund):
        regulation.text = "หมวด 1 บททั่วไป\nข้อ 1 ระเบียบนี้เรียกว่า ระเบียบทดสอบ"
        regulation.save(update_fields=["text"])
    response = client_for("collector").get(url("welfare-regulation-pdf", regulation))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF") and len(response.content) > 1000
    assert 'filename="regulation-v1.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content, tmp_path / "regulation.pdf")
    expected = [
        regulation.fund.name,
        regulation.title,
        "ฉบับที่1",
        "ใช้บังคับตั้งแต่วันที่1มกราคม2563",
        "มติที่ประชุม 1/2563",
        "ข้อ 1 ระเบียบนี้เรียกว่า ระเบียบทดสอบ",
        "หลักเกณฑ์การจ่ายสวัสดิการ",
        "เจ็บป่วยนอนโรงพยาบาล",
        "ทุนการศึกษาบุตร",
        "10,000",
    ]
    with translation.override("th"):
        illness = Benefit.objects.get(regulation=regulation, key="illness")
        expected += describe_benefit(illness, tiers_in_words=False)
    for part in expected:
        assert squash(part) in text, part


def test_a_draft_prints_as_a_draft(draft, url, client_for, tmp_path):
    response = client_for("auditor").get(url("welfare-regulation-pdf", draft))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = pdf_text(response.content, tmp_path / "regulation.pdf")
    assert squash("ร่าง ยังไม่ได้รับการรับรอง") in text
    assert squash("ฉบับที่ 2") in text
