"""The register import against the bad-input catalogue (RELIABILITY.md §E), one item at a time.

Each file is built here with openpyxl, csv or zipfile. A test either checks what was read or
checks the refusal: which row, which column, and words of the message the treasurer sees.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import unicodedata
import zipfile
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.utils.datetime import to_excel

from kongtun.audit.models import AuditEntry
from kongtun.audit.verify import verify_audit
from kongtun.conftest import make_national_id, member_data
from kongtun.funds.models import Branch
from kongtun.funds.tenancy import fund_scope
from kongtun.members import importing
from kongtun.members.models import Event, ImportBatch, Member, MemberType, Status, StatusChange
from kongtun.members.services import MemberInput, member_register, national_id_index
from kongtun.members.tests.import_files import (
    BIRTH,
    FIRST,
    HEADERS,
    ID,
    JOINED,
    LAST,
    SHEET,
    TITLE,
    csv_bytes,
    person,
    rezip,
    sheet_xml,
    thai_name,
    with_cell_xml,
    xlsx,
)

TODAY = dt.date(2025, 6, 1)


@pytest.fixture(autouse=True)
def english():
    # Messages are asserted in their English source text; Thai is added in the .po file later.
    with translation.override("en"):
        yield


def preview(fund, data: bytes, filename: str = "members.xlsx") -> importing.ImportPreview:
    return importing.preview_member_file(fund=fund, filename=filename, data=data, today=TODAY)


def commit(fund, users, data: bytes, filename: str = "members.xlsx") -> importing.ImportOutcome:
    return importing.commit_member_import(
        fund=fund, actor=users["treasurer"], filename=filename, data=data
    )


def errors(result: importing.ImportPreview) -> list[tuple[int, str, str]]:
    return [(r.row_number, e.column, e.message) for r in result.rows for e in r.errors]


def only_row(result: importing.ImportPreview) -> importing.RowResult:
    assert result.file_error is None, result.file_error
    assert len(result.rows) == 1, errors(result)
    return result.rows[0]


def data_of(row: importing.RowResult) -> MemberInput:
    assert row.data is not None, row.errors
    return row.data


def only_data(result: importing.ImportPreview) -> MemberInput:
    return data_of(only_row(result))


def read_one(fund, **overrides) -> importing.RowResult:
    """Preview a one-member workbook; return its row."""
    return only_row(preview(fund, xlsx([person(1, **overrides)])))


def accepted_one(fund, **overrides):
    row = read_one(fund, **overrides)
    assert row.ok, row.errors
    assert row.data is not None
    return row.data


def refused(fund, data: bytes, row: int, column: str, words: str, filename="members.xlsx"):
    result = preview(fund, data, filename)
    assert result.file_error is None, result.file_error
    assert not result.accepted
    found = errors(result)
    assert any(r == row and c == column and words in m for r, c, m in found), found
    return result


def refused_cell(fund, column: str, words: str, **overrides):
    """One member with one bad value: the row (2, under the header) names the column."""
    return refused(fund, xlsx([person(1, **overrides)]), 2, column, words)


def file_refused(fund, data: bytes, words: str, filename: str = "members.xlsx"):
    result = preview(fund, data, filename)
    assert result.file_error is not None, errors(result)
    assert words in result.file_error, result.file_error
    assert not result.accepted and result.rows == []
    return result


def nothing_written():
    assert Member.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    assert AuditEntry.objects.count() == 0
    assert StatusChange.objects.count() == 0


# -- The whole flow ---------------------------------------------------------------------------


class TestPreviewAndCommit:
    def test_it_previews_every_row_and_writes_nothing(self, in_fund):
        result = preview(in_fund, xlsx([person(1), person(2), person(3)]))
        assert result.accepted
        assert result.counts == (3, 0, 0)
        assert [r.row_number for r in result.rows] == [2, 3, 4]
        assert len(result.sha256) == 64
        nothing_written()

    def test_it_imports_members_with_numbers_history_and_audit(self, in_fund, users):
        data = xlsx([person(1), person(2, สถานะ="ผู้สมัคร")])
        outcome = commit(in_fund, users, data)
        assert (outcome.added, outcome.skipped, outcome.already_imported) == (2, 0, False)
        members = list(Member.objects.order_by("number"))
        assert [m.number for m in members] == ["00001", "00002"]
        assert [m.status for m in members] == [Status.ACTIVE, Status.APPLICANT]
        assert members[0].import_batch == outcome.batch
        assert members[0].tambon == in_fund.tambon
        assert [h.event for h in members[0].history.all()] == [Event.APPLIED, Event.APPROVED]
        assert [h.event for h in members[1].history.all()] == [Event.APPLIED]
        assert {h.recorded_by for h in members[0].history.all()} == {users["treasurer"]}
        batch = ImportBatch.objects.get()
        assert (batch.rows_total, batch.rows_added, batch.created_by) == (2, 2, users["treasurer"])
        entries = AuditEntry.objects.filter(action="members.member.imported")
        assert entries.count() == 2
        assert make_national_id(1) not in "".join(e.data for e in entries)
        assert verify_audit() == []

    def test_it_numbers_after_the_highest_number_in_the_fund_and_in_the_file(self, in_fund, users):
        member_register(fund=in_fund, actor=users["chair"], data=member_data(90, number="00007"))
        commit(in_fund, users, xlsx([person(1), person(2, เลขที่สมาชิก="00008"), person(3)]))
        numbers = set(Member.objects.values_list("number", flat=True))
        assert numbers == {"00007", "00008", "00009", "00010"}

    def test_it_checks_with_the_forms_rules(self, in_fund):
        # The same messages as the form: the importer calls the same validation.
        refused_cell(in_fund, "วันที่สมัคร", "before the fund was founded", วันที่สมัคร="01/01/2552")
        refused_cell(in_fund, "วันเกิด", "cannot be in the future", วันเกิด="01/01/2570")
        refused_cell(in_fund, "วันเกิด", "over 120 years", วันเกิด="01/01/2440")
        refused_cell(in_fund, "วันที่สมัคร", "cannot be in the future", วันที่สมัคร="01/07/2568")
        refused_cell(in_fund, "นามสกุล", "Last name is required", นามสกุล="")
        refused_cell(in_fund, "วันที่สมัคร", "before the date of birth", วันเกิด="02/03/2558")

    def test_it_reports_every_problem_of_a_row_not_only_the_first(self, in_fund):
        result = preview(in_fund, xlsx([person(1, วันเกิด="31/02/2513", นามสกุล="", หมู่ที่="x")]))
        assert {c for _r, c, _m in errors(result)} == {"วันเกิด", "นามสกุล", "หมู่ที่"}


class TestAllOrNothing:
    def test_one_bad_row_writes_nothing(self, in_fund, users):
        data = xlsx([person(1), person(2), person(3, วันเกิด="31/02/2513"), person(4)])
        with pytest.raises(ValidationError) as info:
            commit(in_fund, users, data)
        assert any("Row 4" in m and "วันเกิด" in m for m in info.value.messages)
        nothing_written()

    def test_a_refused_file_writes_nothing(self, in_fund, users):
        with pytest.raises(ValidationError) as info:
            commit(in_fund, users, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
        assert ".xls" in info.value.messages[0]
        nothing_written()

    def test_a_crash_half_way_leaves_nothing_and_the_rerun_imports(
        self, in_fund, users, monkeypatch
    ):
        data = xlsx([person(1), person(2)])

        def crash(**kwargs):
            raise RuntimeError("power cut")

        monkeypatch.setattr(importing, "audit_log", crash)
        with pytest.raises(RuntimeError):
            commit(in_fund, users, data)
        nothing_written()
        monkeypatch.undo()
        assert commit(in_fund, users, data).added == 2

    def test_the_refusal_lists_the_first_problems_and_counts_the_rest(self, in_fund, users):
        data = xlsx([person(i, วันเกิด="") for i in range(1, 31)])
        with pytest.raises(ValidationError) as info:
            commit(in_fund, users, data)
        assert len(info.value.messages) == importing.MAX_ERRORS_IN_REFUSAL + 1
        assert "10 more" in info.value.messages[-1]


class TestIdempotency:
    def test_the_same_file_twice_adds_nothing_the_second_time(self, in_fund, users):
        data = xlsx([person(1), person(2)])
        assert commit(in_fund, users, data).added == 2
        again = preview(in_fund, data)
        assert again.already_imported and not again.accepted
        outcome = commit(in_fund, users, data)
        assert (outcome.added, outcome.already_imported) == (0, True)
        assert Member.objects.count() == 2
        assert ImportBatch.objects.count() == 1

    def test_the_same_people_in_a_resaved_file_add_nothing(self, in_fund, users):
        commit(in_fund, users, xlsx([person(1), person(2)]))
        resaved = csv_bytes([person(2, บ้านเลขที่="9"), person(1)])
        result = preview(in_fund, resaved, "members.csv")
        assert result.accepted
        assert result.counts == (0, 2, 0)
        assert all(r.already_member and r.ok for r in result.rows)
        outcome = commit(in_fund, users, resaved, "members.csv")
        assert (outcome.added, outcome.skipped) == (0, 2)
        assert Member.objects.count() == 2

    def test_a_longer_list_adds_only_the_new_people(self, in_fund, users):
        commit(in_fund, users, xlsx([person(1)]))
        outcome = commit(in_fund, users, xlsx([person(1), person(2), person(3)]))
        assert (outcome.added, outcome.skipped) == (2, 1)
        assert Member.objects.count() == 3

    def test_a_member_already_in_the_fund_is_skipped_even_with_other_mistakes(self, in_fund, users):
        commit(in_fund, users, xlsx([person(1)]))
        row = read_one(in_fund, วันเกิด="nonsense")
        assert row.already_member and row.ok


# -- 1. National ID ---------------------------------------------------------------------------


class TestNationalId:
    @pytest.mark.parametrize(
        ("value", "words"),
        [
            ("1101700230709", "check digit is wrong"),
            ("110170023070", "13 digits; this one has 12"),
            ("11017002307081", "13 digits; this one has 14"),
            ("0101700230701", "cannot start with 0 or 9"),
            ("9101700230706", "cannot start with 0 or 9"),
            ("1.23457E+12", "scientific notation"),
            ("", "missing"),
            ("110170023070x", "only digits"),
        ],
    )
    def test_it_refuses_a_bad_id(self, in_fund, value, words):
        refused_cell(in_fund, ID, words, **{ID: value})

    @pytest.mark.parametrize(
        "value",
        [
            "1101700230708",
            "๑๑๐๑๗๐๐๒๓๐๗๐๘",
            "1-1017-00230-70-8",
            " 1 1017 00230 70 8 ",
            1101700230708,
            1101700230708.0,
            "1101700230708.0",
            "\u200b1101700230708\u202c",
        ],
    )
    def test_it_reads_the_id_however_it_was_typed(self, in_fund, value):
        assert accepted_one(in_fund, **{ID: value}).national_id == "1101700230708"

    def test_a_duplicate_in_the_file_is_refused_naming_the_first_row(self, in_fund):
        data = xlsx([person(1), person(2), person(3, **{ID: make_national_id(1)})])
        result = refused(in_fund, data, 4, ID, "already in row 2 of this file")
        assert result.rows[0].ok and result.rows[1].ok

    def test_an_id_in_another_fund_is_accepted_without_a_word(self, in_fund, other_fund, users):
        with fund_scope(other_fund):
            member_register(fund=other_fund, actor=users["other_chair"], data=member_data(1))
        result = preview(in_fund, xlsx([person(1)]))
        assert result.accepted
        assert not result.rows[0].already_member
        assert result.notes == [] and result.rows[0].errors == []
        assert commit(in_fund, users, xlsx([person(1)])).added == 1


# -- 2. Dates ---------------------------------------------------------------------------------


class TestDates:
    @pytest.mark.parametrize(
        "value",
        [
            "17/05/2513",
            "17/05/1970",
            "17-5-2513",
            "17.05.2513",
            "1970-05-17",
            "17 พ.ค. 2513",
            "17 พฤษภาคม 2513",
            "17 May 1970",
            "๑๗/๐๕/๒๕๑๓",
            dt.datetime(1970, 5, 17),
            dt.datetime(1970, 5, 17, 23, 30),  # the date stays, whatever the time of day
            dt.datetime(2513, 5, 17),  # a BE year typed into a date cell
            to_excel(dt.datetime(1970, 5, 17)),  # a serial number in an unformatted cell
        ],
    )
    def test_it_reads_dates_in_either_era_and_any_common_form(self, in_fund, value):
        assert accepted_one(in_fund, วันเกิด=value).birth_date == dt.date(1970, 5, 17)

    def test_day_comes_before_month(self, in_fund):
        assert accepted_one(in_fund, วันที่สมัคร="03/04/2568").joined_on == dt.date(2025, 4, 3)

    def test_before_2484_january_to_march_belongs_to_the_next_year(self, in_fund):
        assert accepted_one(in_fund, วันเกิด="15/02/2482").birth_date == dt.date(1940, 2, 15)

    @pytest.mark.parametrize(
        ("value", "words"),
        [
            ("15/02/2483", "2483 BE did not exist"),
            ("17/05/13", "year in full"),
            ("05/17/1970", "day/month/year"),
            ("31/02/2513", "does not exist in the calendar"),
            ("17 Foo 2513", "Unknown month"),
            ("2513", "Only a year"),
            (2513, "Only a year"),
            (60, "29 February 1900"),
            ("", "missing"),
            (dt.time(10, 30), "a time, not a date"),
            ("sometime", "day/month/year"),
        ],
    )
    def test_it_refuses_dates_it_cannot_be_sure_of(self, in_fund, value, words):
        refused_cell(in_fund, BIRTH, words, วันเกิด=value)

    def test_serial_60_in_a_date_formatted_cell_is_refused(self, in_fund):
        data = xlsx([person(1)])
        data = with_cell_xml(data, "F2", '<c r="F2" s="1" t="n"><v>60</v></c>')
        data = _with_date_style(data)
        refused(in_fund, data, 2, BIRTH, "29 February 1900")

    def test_a_date_cell_shown_in_the_thai_calendar_is_still_the_same_day(self, in_fund):
        def thai_format(workbook, sheet):
            sheet["F2"].value = dt.datetime(1970, 5, 17)
            sheet["F2"].number_format = "[$-1070000]d/mm/yyyy;@"  # Excel shows 17/05/2513

        data = only_data(preview(in_fund, xlsx([person(1)], edit=thai_format)))
        assert data.birth_date == dt.date(1970, 5, 17)

    def test_a_1904_workbook_counts_its_date_cells_from_1904(self, in_fund):
        def edit(workbook, sheet):
            workbook.epoch = openpyxl.utils.datetime.MAC_EPOCH
            sheet["F2"].value = dt.datetime(1970, 5, 17)

        assert only_data(preview(in_fund, xlsx([person(1)], edit=edit))).birth_date == dt.date(
            1970, 5, 17
        )


def _with_date_style(data: bytes) -> bytes:
    """Make style 1 of the workbook a date format, as Excel does for a date cell."""
    z = zipfile.ZipFile(io.BytesIO(data))
    styles = z.read("xl/styles.xml").decode()
    assert "<cellXfs" in styles
    head, tail = styles.split("<cellXfs", 1)
    body, rest = tail.split("</cellXfs>", 1)
    body = body.replace('count="1"', 'count="2"', 1) + '<xf numFmtId="14" applyNumberFormat="1"/>'
    return rezip(
        data, replace={"xl/styles.xml": (head + "<cellXfs" + body + "</cellXfs>" + rest).encode()}
    )


# -- 3. Text ----------------------------------------------------------------------------------


class TestText:
    def test_nfd_is_stored_as_nfc(self, in_fund):
        data = accepted_one(in_fund, ชื่อ=unicodedata.normalize("NFD", "René"))
        assert data.first_name == "René" == unicodedata.normalize("NFC", data.first_name)

    def test_invisible_and_direction_marks_and_padding_are_removed(self, in_fund):
        data = accepted_one(in_fund, ชื่อ="  สม\u200bชาย\u200d ", นามสกุล="\u202eใจดี\u202c")
        assert (data.first_name, data.last_name) == ("สมชาย", "ใจดี")

    @pytest.mark.parametrize(
        ("typed", "title", "first"),
        [
            ("นายสมชาย", "นาย", "สมชาย"),
            ("นางสาว สมหญิง", "นางสาว", "สมหญิง"),
            ("ด.ช.ก้อง", "ด.ช.", "ก้อง"),
        ],
    )
    def test_a_title_typed_in_the_name_moves_to_the_title(self, in_fund, typed, title, first):
        data = accepted_one(in_fund, **{TITLE: ""}, ชื่อ=typed)
        assert (data.title, data.first_name) == (title, first)

    def test_a_title_typed_twice_is_kept_once(self, in_fund):
        data = accepted_one(in_fund, **{TITLE: "นาย"}, ชื่อ="นายสมชาย")
        assert (data.title, data.first_name) == ("นาย", "สมชาย")

    @pytest.mark.parametrize("header", ["ชื่อ-นามสกุล", "ชื่อ - สกุล", "Full name"])
    def test_one_name_column_is_split_at_the_first_space(self, in_fund, header):
        headers = [header, ID, BIRTH, JOINED]
        rows = [["นางสมศรี ณ อยุธยา", make_national_id(1), "17/05/2513", "01/03/2558"]]
        data = only_data(preview(in_fund, xlsx(rows, headers)))
        assert (data.title, data.first_name, data.last_name) == (
            "นาง",
            "สมศรี",
            "ณ อยุธยา",
        )

    def test_one_name_column_without_a_last_name_is_refused(self, in_fund):
        rows = [["สมศรี", make_national_id(1), "17/05/2513", "01/03/2558"]]
        data = xlsx(rows, ["ชื่อ-นามสกุล", ID, BIRTH, JOINED])
        refused(in_fund, data, 2, "ชื่อ-นามสกุล", "Last name is required")

    @pytest.mark.parametrize("name", ["สมชาย😀", "สมชาย1", "สม★ชาย"])
    def test_emoji_digits_and_symbols_in_a_name_are_refused(self, in_fund, name):
        refused_cell(in_fund, FIRST, "digits, symbols or emoji", ชื่อ=name)

    def test_a_10000_character_cell_is_refused(self, in_fund):
        refused_cell(in_fund, FIRST, "too long: 10000 characters", ชื่อ="ก" * 10_000)
        refused_cell(in_fund, "ถนน/ซอย", "too long", **{"ถนน/ซอย": "ก" * 10_000})

    def test_fields_longer_than_the_register_keeps_are_refused(self, in_fund):
        refused_cell(in_fund, "ถนน/ซอย", "at most 200", **{"ถนน/ซอย": "ก" * 201})
        refused_cell(in_fund, FIRST, "at most 100", ชื่อ="ก" * 101)
        refused_cell(in_fund, "เลขที่สมาชิก", "at most 20", เลขที่สมาชิก="1" * 21)

    def test_a_house_number_excel_turned_into_a_date_is_refused(self, in_fund):
        refused_cell(in_fund, "บ้านเลขที่", "into a date", บ้านเลขที่=dt.datetime(2025, 3, 12))

    def test_a_dash_means_empty_in_optional_columns(self, in_fund):
        data = accepted_one(in_fund, บ้านเลขที่="-", **{"ถนน/ซอย": "–", "หมู่ที่": "-", "โทรศัพท์": "-"})
        assert (data.house_no, data.street, data.moo, data.phone) == ("", "", None, "")


# -- 4. Formulas ------------------------------------------------------------------------------


class TestFormulas:
    @pytest.mark.parametrize("text", ["=1+1", "+66", "-สมชาย", "@SUM(A1)", "\t=cmd|' /C calc'!A0"])
    def test_text_that_a_spreadsheet_would_run_is_refused_in_names(self, in_fund, text):
        data = csv_bytes([person(1, ชื่อ=text)])
        refused(in_fund, data, 2, FIRST, "cannot start with", "members.csv")

    def test_text_that_starts_a_formula_is_refused_in_other_text_columns(self, in_fund):
        # A text cell (not a formula) whose text begins with "=": Excel stores it as a string.
        cell = '<c r="J2" t="inlineStr"><is><t>=HYPERLINK("http://x")</t></is></c>'
        data = with_cell_xml(xlsx([person(1, **{"ถนน/ซอย": "x"})]), "J2", cell)
        refused(in_fund, data, 2, "ถนน/ซอย", "cannot start with “=”")
        refused_cell(in_fund, "บ้านเลขที่", "cannot start with “@”", บ้านเลขที่="@12")

    def test_a_leading_tab_or_line_break_is_dropped(self, in_fund):
        assert accepted_one(in_fund, ชื่อ="\t\r\nสมชาย").first_name == "สมชาย"

    def test_a_formula_with_no_saved_result_is_refused_not_run(self, in_fund):
        data = xlsx([person(1, ชื่อ='=CONCATENATE("สม","ชาย")')])  # openpyxl saves no result
        refused(in_fund, data, 2, FIRST, "result was never saved")

    def test_a_formula_with_a_saved_result_gives_that_result(self, in_fund):
        cell = '<c r="A2" t="str"><f>"000"&amp;ROW()</f><v>0002</v></c>'
        data = with_cell_xml(xlsx([person(1, เลขที่สมาชิก="x")]), "A2", cell)
        assert only_data(preview(in_fund, data)).number == "0002"

    @pytest.mark.parametrize(
        "formula",
        ["cmd|' /C calc'!A0", 'HYPERLINK("http://evil.example","สมชาย")', "[1]Sheet1!A1"],
    )
    def test_a_formula_that_reaches_outside_is_refused_even_with_a_result(self, in_fund, formula):
        escaped = formula.replace("&", "&amp;").replace('"', "&quot;")
        cell = f'<c r="C2" t="str"><f>{escaped}</f><v>สมชาย</v></c>'
        data = with_cell_xml(xlsx([person(1)]), "C2", cell)
        refused(in_fund, data, 2, FIRST, "links to another program")

    def test_an_error_value_is_refused(self, in_fund):
        cell = '<c r="E2" t="e"><f>VLOOKUP(A1,B:C,2,0)</f><v>#N/A</v></c>'
        data = with_cell_xml(xlsx([person(1)]), "E2", cell)
        refused(in_fund, data, 2, ID, "spreadsheet error #N/A")

    def test_a_formula_that_gives_an_empty_result_is_an_empty_cell(self, in_fund):
        cell = '<c r="J2" t="str"><f>IF(1,"","x")</f><v></v></c>'
        data = with_cell_xml(xlsx([person(1, **{"ถนน/ซอย": "x"})]), "J2", cell)
        assert only_data(preview(in_fund, data)).street == ""

    @pytest.mark.parametrize("filename", ["members.xlsm", "MEMBERS.XLSM", "members.xltm"])
    def test_a_macro_workbook_is_refused_by_its_name(self, in_fund, filename):
        file_refused(in_fund, xlsx([person(1)]), "macros", filename)

    def test_a_macro_workbook_renamed_xlsx_is_refused(self, in_fund):
        data = rezip(xlsx([person(1)]), add={"xl/vbaProject.bin": b"\x00" * 64})
        file_refused(in_fund, data, "macros")
        types = zipfile.ZipFile(io.BytesIO(xlsx([person(1)]))).read("[Content_Types].xml")
        types = types.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
        file_refused(
            in_fund, rezip(xlsx([person(1)]), replace={"[Content_Types].xml": types}), "macros"
        )

    def test_external_links_are_refused(self, in_fund):
        link = b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
        data = rezip(xlsx([person(1)]), add={"xl/externalLinks/externalLink1.xml": link})
        file_refused(in_fund, data, "external links")


# -- 5. Structure -----------------------------------------------------------------------------


class TestStructure:
    def test_the_header_may_sit_below_a_title(self, in_fund):
        above = [["ทะเบียนสมาชิกกองทุนสวัสดิการชุมชนตำบลเวียงเหนือ"], [], ["ข้อมูล ณ", "1 มิ.ย. 2568"]]

        def merge_title(workbook, sheet):
            sheet.merge_cells("A1:N1")

        result = preview(in_fund, xlsx([person(1), person(2)], above=above, edit=merge_title))
        assert result.accepted
        assert [r.row_number for r in result.rows] == [5, 6]

    def test_columns_in_any_order_with_extra_columns_and_english_names(self, in_fund):
        headers = [
            "ลำดับ",
            " Date of birth ",
            "Remarks",
            "National ID",
            "SURNAME",
            "first name",
            "Joined on",
        ]
        rows = [[1, "17/05/1970", "ok", make_national_id(1), "ใจดี", "สมชาย", "01/03/2015"]]
        data = only_data(preview(in_fund, xlsx(rows, headers)))
        assert (data.first_name, data.last_name, data.birth_date) == (
            "สมชาย",
            "ใจดี",
            dt.date(1970, 5, 17),
        )

    def test_columns_that_are_not_read_are_named_in_a_note(self, in_fund):
        result = preview(in_fund, xlsx([person(1)], [*HEADERS, "ที่อยู่", "หมายเหตุ"]))
        assert result.accepted
        assert any("not read" in n and "“ที่อยู่”, “หมายเหตุ”" in n for n in result.notes)

    def test_header_variations_with_notes_and_spaces_are_recognised(self, in_fund):
        headers = ["ชื่อ", "นาม สกุล", "เลขประจำตัวประชาชน (13 หลัก)", "วัน/เดือน/ปี เกิด", "วันที่สมัคร *"]
        rows = [["สมชาย", "ใจดี", make_national_id(1), "17/05/2513", "01/03/2558"]]
        assert only_row(preview(in_fund, xlsx(rows, headers))).ok

    def test_missing_required_columns_are_named(self, in_fund):
        data = xlsx([["สมชาย", "ใจดี", make_national_id(1)]], [FIRST, LAST, ID])
        result = file_refused(in_fund, data, "These columns are missing")
        assert "วันเกิด" in result.file_error and "วันที่สมัคร" in result.file_error

    def test_two_columns_for_the_same_field_are_refused(self, in_fund):
        data = xlsx([], [*HEADERS, "วันเกิด"])
        result = file_refused(in_fund, data, "Two columns are both read as “วันเกิด”")
        assert "F “วันเกิด”" in result.file_error and "O “วันเกิด”" in result.file_error

    def test_no_header_anywhere(self, in_fund):
        file_refused(
            in_fund, xlsx([["a", "b"]], ["x", "y"]), "Could not find the row of column names"
        )

    def test_blank_rows_are_skipped_and_rows_keep_their_excel_numbers(self, in_fund):
        rows: list[Any] = [person(1), [], [None, "  ", "\u200b"], person(2)]
        result = preview(in_fund, xlsx(rows))
        assert result.accepted
        assert [r.row_number for r in result.rows] == [2, 5]

    def test_a_header_repeated_on_each_printed_page_is_skipped(self, in_fund):
        result = preview(in_fund, xlsx([person(1), HEADERS, person(2)]))
        assert result.accepted and result.counts.new == 2

    def test_no_rows_under_the_header(self, in_fund):
        file_refused(in_fund, xlsx([]), "no members under them")

    def test_a_two_row_header_with_merged_cells(self, in_fund):
        # Row 1: ID and dates merged down over two rows, "ชื่อ - สกุล" merged across two columns;
        # row 2: "ชื่อ" and "นามสกุล" under it.
        above = [[ID, "ชื่อ - สกุล", None, BIRTH, JOINED]]
        headers = [None, FIRST, LAST, None, None]
        rows = [[make_national_id(1), "สมชาย", "ใจดี", "17/05/2513", "01/03/2558"]]

        def merge(workbook, sheet):
            for ref in ("A1:A2", "B1:C1", "D1:D2", "E1:E2"):
                sheet.merge_cells(ref)

        result = preview(in_fund, xlsx(rows, headers, above=above, edit=merge))
        assert only_row(result).row_number == 3
        data = only_data(result)
        assert (data.first_name, data.last_name) == ("สมชาย", "ใจดี")

    def test_a_name_header_merged_over_first_and_last_name_columns(self, in_fund):
        headers = [ID, "ชื่อ - สกุล", None, BIRTH, JOINED]
        rows = [[make_national_id(1), "สมชาย", "ใจดี", "17/05/2513", "01/03/2558"]]
        data = only_data(
            preview(in_fund, xlsx(rows, headers, edit=lambda w, s: s.merge_cells("B1:C1")))
        )
        assert (data.first_name, data.last_name) == ("สมชาย", "ใจดี")

    def test_a_cell_merged_down_over_several_members_counts_for_each(self, in_fund):
        rows = [person(1, ประเภทสมาชิก="ผู้สูงอายุ"), person(2), person(3)]
        data = xlsx(rows, edit=lambda w, s: s.merge_cells("L2:L4"))
        result = preview(in_fund, data)
        assert [data_of(r).member_type for r in result.rows] == [MemberType.ELDERLY] * 3

    def test_hidden_rows_are_read_and_named_in_a_note(self, in_fund):
        def hide(workbook, sheet):
            sheet.row_dimensions[3].hidden = True

        result = preview(in_fund, xlsx([person(1), person(2)], edit=hide))
        assert result.accepted and result.counts.new == 2
        assert any("hidden" in n and "3" in n for n in result.notes)

    def test_the_first_visible_sheet_with_a_header_is_used_and_named(self, in_fund):
        def sheets(workbook, sheet):
            sheet.title = "ทะเบียน"
            hidden = workbook.create_sheet("เก่า", 0)
            hidden.append(HEADERS)
            hidden.append([person(9).get(h) for h in HEADERS])
            hidden.sheet_state = "hidden"
            notes = workbook.create_sheet("สรุป", 1)
            notes.append(["จำนวนสมาชิก", 2])

        result = preview(in_fund, xlsx([person(1), person(2)], edit=sheets))
        assert result.accepted and result.sheet == "ทะเบียน"
        assert [data_of(r).national_id for r in result.rows] == [
            make_national_id(1),
            make_national_id(2),
        ]
        assert any("ทะเบียน" in n for n in result.notes)

    def test_a_list_only_on_a_hidden_sheet_is_refused_naming_it(self, in_fund):
        def hide(workbook, sheet):
            sheet.title = "ทะเบียน"
            sheet.sheet_state = "hidden"
            workbook.create_sheet("ปก").append(["ปก"])

        file_refused(in_fund, xlsx([person(1)], edit=hide), "hidden sheet (“ทะเบียน”)")

    def test_many_sheets(self, in_fund):
        def many(workbook, sheet):
            workbook.move_sheet(sheet, 40)
            for i in range(40):
                workbook.create_sheet(f"s{i}", 0).append(["อื่น ๆ", i])

        result = preview(in_fund, xlsx([person(1)], edit=many))
        assert result.accepted and result.sheet == "Sheet"

    def test_a_sheet_of_a_million_rows_is_refused_from_its_size_at_once(self, in_fund):
        data = xlsx([person(1)])
        xml = sheet_xml(data).replace('<dimension ref="A1:N2"', '<dimension ref="A1:N1048576"')
        xml = xml.replace(
            "</sheetData>", '<row r="1048576"><c r="A1048576" t="n"><v>1</v></c></row></sheetData>'
        )
        # The message names the declared size: refused from the dimension, before any row is read.
        file_refused(in_fund, rezip(data, replace={SHEET: xml.encode()}), "1,048,576")

    def test_a_sheet_that_hides_its_size_is_stopped_while_reading(self, in_fund):
        data = xlsx([person(1)])
        xml = sheet_xml(data).replace('<dimension ref="A1:N2" />', "")
        far = importing.MAX_ROW_NUMBER + 1
        xml = xml.replace(
            "</sheetData>", f'<row r="{far}"><c r="A{far}" t="n"><v>1</v></c></row></sheetData>'
        )
        file_refused(in_fund, rezip(data, replace={SHEET: xml.encode()}), "at most 20,000 rows")

    def test_too_many_members_in_one_file(self, in_fund):
        rows = [[make_national_id(i)] for i in range(importing.MAX_DATA_ROWS + 1)]
        file_refused(in_fund, csv_bytes(rows, [ID, FIRST, LAST, BIRTH, JOINED]), "at most 20,000")

    def test_a_password_protected_workbook_is_explained(self, in_fund):
        ole = (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + bytes(500)
            + "EncryptedPackage".encode("utf-16-le")
        )
        file_refused(in_fund, ole + bytes(500), "remove the password")

    def test_an_old_xls_file_is_explained(self, in_fund):
        file_refused(in_fund, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(1000), "Save As")

    def test_a_csv_named_xlsx_is_read_as_csv(self, in_fund):
        assert preview(in_fund, csv_bytes([person(1)]), "members.xlsx").accepted

    def test_an_xlsx_named_csv_is_read_as_xlsx(self, in_fund):
        assert preview(in_fund, xlsx([person(1)]), "members.csv").accepted

    def test_a_zip_bomb_is_refused_before_unpacking(self, in_fund):
        bomb = rezip(xlsx([person(1)]), add={"xl/media/image1.png": bytes(60 * 1024 * 1024)})
        assert len(bomb) < 1024 * 1024
        file_refused(in_fund, bomb, "far more data")

    def test_a_file_that_unpacks_too_large_in_total_is_refused(self, in_fund, monkeypatch):
        monkeypatch.setattr(importing.reading, "MAX_UNPACKED_BYTES", 20_000)
        file_refused(in_fund, xlsx([person(i) for i in range(1, 200)]), "far more data")

    def test_a_zip_with_thousands_of_parts_is_refused(self, in_fund):
        parts = {f"xl/media/{i}.txt": b"x" for i in range(importing.MAX_ZIP_ENTRIES)}
        file_refused(in_fund, rezip(xlsx([person(1)]), add=parts), "too many parts")

    @pytest.mark.parametrize("part", [SHEET, "xl/workbook.xml", "[Content_Types].xml"])
    def test_an_xml_entity_bomb_is_refused_without_expanding(self, in_fund, part):
        data = xlsx([person(1)])
        original = zipfile.ZipFile(io.BytesIO(data)).read(part).decode()
        # "could harm" comes from the scan for DTDs, which runs before any XML is parsed.
        file_refused(in_fund, rezip(data, replace={part: _billion_laughs(original)}), "could harm")

    def test_an_entity_bomb_is_stopped_by_defusedxml_too(self, in_fund, monkeypatch):
        # The importer's own scan for DTDs switched off: openpyxl must still use defusedxml.
        assert openpyxl.DEFUSEDXML is True
        monkeypatch.setattr(importing.reading, "_DOCTYPE_MARKS", ())
        data = xlsx([person(1)])
        bomb = rezip(data, replace={SHEET: _billion_laughs(sheet_xml(data))})
        file_refused(in_fund, bomb, "could harm")

    def test_an_oversized_file_is_refused(self, in_fund):
        with override_settings(IMPORT_MAX_BYTES=1024):
            file_refused(in_fund, xlsx([person(1)]), "larger than")

    @pytest.mark.parametrize(
        ("data", "words"),
        [
            (b"", "empty"),
            (b"PK\x03\x04" + bytes(200), "damaged"),
            (b"\x89PNG\r\n\x1a\n" + bytes(100), "not an Excel workbook"),
            (b"%PDF-1.4 hello", "not an Excel workbook"),
        ],
    )
    def test_files_that_are_not_a_register_are_refused(self, in_fund, data, words):
        file_refused(in_fund, data, words)

    def test_a_truncated_workbook_is_refused_as_damaged(self, in_fund):
        data = xlsx([person(1)])
        file_refused(in_fund, data[: len(data) // 2], "damaged")

    def test_an_opendocument_spreadsheet_is_explained(self, in_fund):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as ods:
            ods.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
            ods.writestr("content.xml", "<office:document-content/>")
        file_refused(in_fund, buffer.getvalue(), ".ods")


def _billion_laughs(xml: str) -> bytes:
    doctype = (
        '<!DOCTYPE lolz [<!ENTITY lol "lol">'
        + "".join(
            f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">'
            for i in range(1, 10)
        )
        + "]>"
    )
    declaration, _, body = xml.partition("?>") if xml.startswith("<?xml") else ("", "", xml)
    prolog = declaration + "?>" if declaration else ""
    # The comment pushes the DTD past the first kilobytes, where a lazy check would stop looking.
    return (
        prolog + "<!--" + "x" * 20_000 + "-->" + doctype + body.replace("</t>", "&lol9;</t>", 1)
    ).encode()


# -- 6. CSV -----------------------------------------------------------------------------------


class TestCsv:
    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp874", "tis-620", "utf-16"])
    def test_encodings(self, in_fund, encoding):
        result = preview(in_fund, csv_bytes([person(1)], encoding=encoding), "members.csv")
        assert result.accepted, (result.file_error, errors(result))
        assert data_of(result.rows[0]).last_name == "ทดสอบ"

    @pytest.mark.parametrize("delimiter", [",", ";", "\t"])
    def test_delimiters(self, in_fund, delimiter):
        data = csv_bytes([person(1, **{"ถนน/ซอย": "ซอย 1, ถนนใหญ่; ข้างวัด"})], delimiter=delimiter)
        assert only_data(preview(in_fund, data, "members.csv")).street == "ซอย 1, ถนนใหญ่; ข้างวัด"

    def test_a_quoted_line_break_stays_in_its_cell_and_rows_are_counted_like_excel(self, in_fund):
        data = csv_bytes([person(1, **{"ถนน/ซอย": "ซอย 1\nถนนใหญ่"}), person(2, วันเกิด="")])
        result = refused(in_fund, data, 3, BIRTH, "missing", "members.csv")
        assert data_of(result.rows[0]).street == "ซอย 1 ถนนใหญ่"

    def test_utf8_with_a_damaged_byte_is_refused_not_read_as_thai_nonsense(self, in_fund):
        data = csv_bytes([person(1), person(2)])
        data = data.replace("ทดสอบ".encode(), "ทดสอบ".encode()[:-1] + b"\xff", 1)
        file_refused(in_fund, data, "could not be read", "members.csv")

    def test_nul_bytes_are_refused(self, in_fund):
        data = csv_bytes([person(1)]).replace("ทดสอบ".encode(), b"\x00", 1)
        file_refused(in_fund, data, "NUL", "members.csv")

    def test_numbers_in_a_csv_are_text_that_is_read_like_typed_text(self, in_fund):
        data = csv_bytes([person(1, โทรศัพท์="812345678", **{ID: "1101700230708.0"})])
        row = only_data(preview(in_fund, data, "members.csv"))
        assert (row.phone, row.national_id) == ("0812345678", "1101700230708")

    def test_an_excel_csv_with_scientific_notation_ids_is_refused(self, in_fund):
        data = csv_bytes([person(1, **{ID: "1.10170E+12"})])
        refused(in_fund, data, 2, ID, "scientific notation", "members.csv")


# -- 7. Numbers, codes and choices ------------------------------------------------------------


class TestValues:
    @pytest.mark.parametrize(
        ("typed", "stored"),
        [
            (812345678, "0812345678"),
            (812345678.0, "0812345678"),
            ("812345678", "0812345678"),
            (21234567, "021234567"),
            ("081-234-5678", "081-234-5678"),
            ("+66 81 234 5678", "081 234 5678"),
            ("", ""),
        ],
    )
    def test_phone_numbers_keep_their_leading_zero(self, in_fund, typed, stored):
        assert accepted_one(in_fund, โทรศัพท์=typed).phone == stored

    def test_a_phone_that_starts_a_formula_is_refused(self, in_fund):
        refused_cell(in_fund, "โทรศัพท์", "cannot start with", โทรศัพท์="+1 (555) 0100")

    @pytest.mark.parametrize(
        ("typed", "moo"),
        [
            (3, 3),
            (3.0, 3),
            ("3", 3),
            ("๓", 3),
            ("หมู่ 3", 3),
            ("ม.3", 3),
            ("หมู่ที่ 12", 12),
            ("3 บ้านดง", 3),
            (None, None),
        ],
    )
    def test_village_numbers(self, in_fund, typed, moo):
        assert accepted_one(in_fund, หมู่ที่=typed).moo == moo

    @pytest.mark.parametrize("typed", [0, 150, "สาม", 2.5, "-3"])
    def test_bad_village_numbers(self, in_fund, typed):
        refused_cell(in_fund, "หมู่ที่", "whole number from 1 to 99", หมู่ที่=typed)

    @pytest.mark.parametrize(
        ("typed", "number"), [(12, "12"), (12.0, "12"), ("00012", "00012"), ("๐๐๑๒", "0012")]
    )
    def test_member_numbers(self, in_fund, typed, number):
        assert accepted_one(in_fund, เลขที่สมาชิก=typed).number == number

    def test_a_member_number_twice_in_the_file_is_refused(self, in_fund):
        data = xlsx([person(1, เลขที่สมาชิก="7"), person(2, เลขที่สมาชิก="7")])
        refused(in_fund, data, 3, "เลขที่สมาชิก", "also in row 2")

    def test_a_member_number_already_used_in_the_fund_is_refused(self, in_fund, users):
        member_register(fund=in_fund, actor=users["chair"], data=member_data(90, number="7"))
        refused_cell(in_fund, "เลขที่สมาชิก", "already used", เลขที่สมาชิก="7")

    @pytest.mark.parametrize(
        ("typed", "code"),
        [
            ("", MemberType.GENERAL),
            ("ทั่วไป", MemberType.GENERAL),
            ("เด็ก/เยาวชน", MemberType.CHILD),
            ("เด็ก / เยาวชน", MemberType.CHILD),
            ("ผู้สูงอายุ", MemberType.ELDERLY),
            ("ผู้ด้อยโอกาส", MemberType.DISADVANTAGED),
            ("เด็กกำพร้า", MemberType.ORPHAN),
            ("orphan", MemberType.ORPHAN),
            ("Elderly", MemberType.ELDERLY),
        ],
    )
    def test_member_types(self, in_fund, typed, code):
        assert accepted_one(in_fund, ประเภทสมาชิก=typed).member_type == code

    @pytest.mark.parametrize("typed", ["ผู้พิการ", "คนพิการ", "disabled"])
    def test_a_disability_is_not_imported_without_explicit_consent(self, in_fund, typed):
        refused_cell(in_fund, "ประเภทสมาชิก", "not imported", ประเภทสมาชิก=typed)
        assert not Member.objects.filter(fund=in_fund).exists()

    def test_an_unknown_member_type_lists_the_choices(self, in_fund):
        result = refused_cell(
            in_fund, "ประเภทสมาชิก", "Unknown member type “นักเรียน”", ประเภทสมาชิก="นักเรียน"
        )
        assert "ผู้สูงอายุ" in errors(result)[0][2]

    @pytest.mark.parametrize(
        ("typed", "status"),
        [
            ("", Status.ACTIVE),
            ("สมาชิก", Status.ACTIVE),
            ("active", Status.ACTIVE),
            ("ผู้สมัคร", Status.APPLICANT),
            ("Applicant", Status.APPLICANT),
        ],
    )
    def test_statuses(self, in_fund, typed, status):
        assert accepted_one(in_fund, สถานะ=typed).status == status

    def test_a_resigned_or_dead_member_cannot_be_imported(self, in_fund):
        refused_cell(in_fund, "สถานะ", "Only members (สมาชิก) and applicants", สถานะ="ลาออก")

    @pytest.mark.parametrize(
        "typed", ["บ้านทดสอบ", " บ้าน ทดสอบ ", "1", "หมู่ 1", "ม.1", "หมู่ที่ ๑ บ้านทดสอบ"]
    )
    def test_branches_by_name_or_village_number(self, in_fund, branch, typed):
        assert accepted_one(in_fund, สาขา=typed).branch == branch

    def test_an_unknown_branch_is_refused_naming_the_branches(self, in_fund, branch):
        result = refused_cell(in_fund, "สาขา", "no branch “บ้านอื่น”", สาขา="บ้านอื่น")
        assert "บ้านทดสอบ" in errors(result)[0][2]

    def test_a_branch_of_another_fund_is_unknown_here(self, in_fund, other_fund, branch):
        with fund_scope(other_fund):
            Branch.objects.create(fund=other_fund, number=5, name="บ้านไกล")
        refused_cell(in_fund, "สาขา", "no branch", สาขา="บ้านไกล")

    def test_a_fund_without_branches_says_so(self, in_fund):
        refused_cell(in_fund, "สาขา", "no branches yet", สาขา="หมู่ 1")

    def test_true_or_false_is_not_a_value(self, in_fund):
        refused_cell(in_fund, "บ้านเลขที่", "TRUE or FALSE", บ้านเลขที่=True)


# -- Speed, template, robustness --------------------------------------------------------------


class TestScale:
    def test_3000_members_import_without_a_query_per_row(
        self, in_fund, users, django_assert_max_num_queries
    ):
        data = xlsx([person(i, โทรศัพท์=812345678, หมู่ที่=i % 20 + 1) for i in range(1, 3001)])
        with django_assert_max_num_queries(5):
            result = preview(in_fund, data)
        assert result.accepted and result.counts.new == 3000
        outcome = commit(in_fund, users, data)
        assert outcome.added == 3000
        assert Member.objects.count() == 3000
        assert StatusChange.objects.count() == 6000
        assert AuditEntry.objects.filter(action="members.member.imported").count() == 3000
        member = Member.objects.get(number="03000")
        assert member.national_id_index == national_id_index(make_national_id(3000))


class TestTemplate:
    def test_the_template_has_thai_headers_an_example_text_ids_and_instructions(self):
        workbook = openpyxl.load_workbook(io.BytesIO(importing.build_template_xlsx()))
        sheet, notes = workbook.worksheets
        headers = [c.value for c in sheet[1]]
        assert headers == HEADERS
        example = {h: c.value for h, c in zip(headers, sheet[2], strict=True)}
        assert example[FIRST] and example[ID]
        id_column = openpyxl.utils.get_column_letter(headers.index(ID) + 1)
        assert sheet.column_dimensions[id_column].number_format == "@"
        assert sheet[f"{id_column}2"].number_format == "@"
        assert "วิธีกรอก" in notes["A1"].value

    def test_a_filled_in_template_imports_cleanly(self, in_fund, users, branch):
        workbook = openpyxl.load_workbook(io.BytesIO(importing.build_template_xlsx()))
        sheet = workbook.worksheets[0]
        for seed in (1, 2, 3):
            sheet.append(
                [None, "นาง", thai_name(seed), "ใจดี", make_national_id(seed), "17/05/2513",
                 "01/03/2558", "12/3", "1", "", "0812345678", "ผู้สูงอายุ", "บ้านทดสอบ", "สมาชิก"]
            )  # fmt: skip
        buffer = io.BytesIO()
        workbook.save(buffer)
        result = preview(in_fund, buffer.getvalue())
        assert result.accepted, (result.file_error, errors(result))
        assert result.counts == (3, 0, 0)
        assert any("example" in n for n in result.notes)
        assert commit(in_fund, users, buffer.getvalue()).added == 3
        assert set(Member.objects.values_list("branch__name", "house_no")) == {("บ้านทดสอบ", "12/3")}

    def test_the_unchanged_template_has_no_members(self, in_fund):
        file_refused(in_fund, importing.build_template_xlsx(), "no members")


@functools.cache
def _good_xlsx(compression: int) -> bytes:
    # Stored (not deflated), a changed byte usually lands in XML that still unpacks.
    return rezip(xlsx([person(1), person(2)]), compression=compression)


class TestNeverCrashes:
    def test_a_part_that_fails_its_checksum_is_refused_as_damaged(self, in_fund):
        good = _good_xlsx(zipfile.ZIP_STORED)
        at = good.index(b"<Types") + 10  # inside [Content_Types].xml, stored as is
        file_refused(in_fund, good[:at] + b"X" + good[at + 1 :], "damaged")

    def test_an_unforeseen_failure_is_a_file_error_not_a_crash(self, in_fund, monkeypatch):
        def broken(grid):
            raise KeyError("a case nobody thought of")

        monkeypatch.setattr(importing, "_find_header", broken)
        file_refused(in_fund, csv_bytes([person(1)]), "could not be read")

    @settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.binary(max_size=3000))
    def test_random_bytes(self, in_fund, data):
        result = preview(in_fund, data, "x.csv")
        # No exception is the point; whatever came out is a refusal or rows, never both.
        assert result.file_error is None or result.rows == []

    @settings(
        max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.data())
    def test_damaged_workbooks(self, in_fund, data):
        good = _good_xlsx(data.draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])))
        position = data.draw(st.integers(0, len(good) - 1))
        byte = data.draw(st.integers(0, 255))
        damaged = good[:position] + bytes([byte]) + good[position + 1 :]
        result = preview(in_fund, damaged)
        assert isinstance(result, importing.ImportPreview)

    @settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.lists(st.text(max_size=40), min_size=5, max_size=5))
    def test_any_text_in_the_cells(self, in_fund, cells):
        rows = [[*cells, None, None]]
        result = preview(in_fund, csv_bytes(rows, [FIRST, LAST, ID, BIRTH, JOINED, "หมู่ที่", "สาขา"]))
        assert all(isinstance(e.message, str) for r in result.rows for e in r.errors)
