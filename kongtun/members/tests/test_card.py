"""The printable member card: Sarabun embedded, Thai that reads back, the national ID masked only,
and a QR code that leads into the fund and nowhere else.

These tests read the PDF with the tools a person would: poppler-utils (pdffonts, pdftotext,
pdftoppm) and zbar-tools (zbarimg). They fail, not skip, when a tool is missing.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import resolve
from django.utils import translation
from PIL import Image, ImageChops

from kongtun.conftest import make_national_id, member_data
from kongtun.lib import pdf as pdf_module
from kongtun.lib.pdf import FONT_DIR, local_url_fetcher, render_pdf, thai_text_layer
from kongtun.members.card import member_card_pdf, member_qr_payload
from kongtun.members.services import member_register

FUND_URL = "http://127.0.0.1:8000/f/lp-wiang-nuea/"
APT_PACKAGES = "poppler-utils zbar-tools"


def _run(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        pytest.fail(f"{tool} is not installed; the card tests need: apt-get install {APT_PACKAGES}")
    result = subprocess.run([tool, *args], capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{tool} {' '.join(args)} failed: {result.stderr}"
    return result.stdout


def _squash(text: str) -> str:
    """Text as it reads back from the PDF, without the spaces pdftotext guesses between glyphs
    (Thai has no spaces between words, so it inserts them where marks shift a glyph)."""
    return re.sub(r"\s+", "", thai_text_layer(text))


def _write(tmp_path: Path, pdf: bytes, name: str = "card.pdf") -> Path:
    path = tmp_path / name
    path.write_bytes(pdf)
    return path


def _text(path: Path) -> str:
    # -raw keeps the drawing order, which is the logical order of Thai marks.
    return _run("pdftotext", "-raw", "-enc", "UTF-8", str(path), "-")


def _png(path: Path, resolution: int) -> Path:
    prefix = path.with_suffix("")
    _run("pdftoppm", "-r", str(resolution), "-png", "-singlefile", str(path), str(prefix))
    return prefix.with_suffix(".png")


@pytest.fixture
def honey(in_fund, users, branch):
    """A name whose marks stack above and below: tone over SARA AM, vowels over tone marks."""
    return member_register(
        fund=in_fund,
        actor=users["treasurer"],
        data=member_data(
            7,
            title="นางสาว",
            first_name="น้ำผึ้ง",
            last_name="ปิ่นทอง",
            branch=branch,
            birth_date=dt.date(1988, 1, 9),
            joined_on=dt.date(2020, 10, 1),
        ),
    )


# --- The QR payload ------------------------------------------------------------------------


def test_qr_payload_is_the_members_page_inside_the_fund(member):
    payload = member_qr_payload(member=member, fund_url=FUND_URL)

    assert payload == f"{FUND_URL}members/{member.code}/"
    assert resolve(urlsplit(payload).path).url_name == "members-detail"


def test_qr_payload_carries_no_name_id_or_number(member):
    payload = member_qr_payload(member=member, fund_url=FUND_URL)
    rest = payload.replace(str(member.code), "")

    assert member.number not in rest
    assert member.first_name not in payload
    assert member.last_name not in payload
    assert make_national_id(1) not in payload
    assert member.national_id_tail not in rest


def test_qr_payload_accepts_a_fund_url_without_trailing_slash(member):
    payload = member_qr_payload(member=member, fund_url=FUND_URL.rstrip("/"))

    assert payload == f"{FUND_URL}members/{member.code}/"


@pytest.mark.parametrize(
    "fund_url",
    [
        "http://127.0.0.1:8000/f/lp-hua-wiang/",  # another fund
        "/f/lp-wiang-nuea/",  # not absolute
        "ftp://127.0.0.1/f/lp-wiang-nuea/",
        "http://127.0.0.1:8000/f/lp-wiang-nuea/?next=/",
    ],
)
def test_qr_payload_refuses_a_url_that_is_not_the_members_fund(member, fund_url):
    with pytest.raises(ValueError):
        member_qr_payload(member=member, fund_url=fund_url)


# --- The PDF ------------------------------------------------------------------------------


def test_card_is_a_pdf_with_only_sarabun_embedded(member, tmp_path):
    pdf = member_card_pdf(member=member, fund_url=FUND_URL)
    assert pdf.startswith(b"%PDF")

    rows = _run("pdffonts", str(_write(tmp_path, pdf))).splitlines()[2:]
    assert rows, "the card has no fonts"
    for row in rows:
        name, emb = row.split()[0], row.split()[-5]
        # A subset name like ABCDEF+Sarabun-Bold; any other font means a fallback was used.
        assert "Sarabun" in name, f"not Sarabun: {row}"
        assert emb == "yes", f"not embedded: {row}"


def test_card_shows_fund_name_dates_and_masked_id(member, tmp_path):
    pdf = member_card_pdf(member=member, fund_url=FUND_URL)
    text = _text(_write(tmp_path, pdf))
    squashed = _squash(text)

    assert _squash("บัตรสมาชิกกองทุนสวัสดิการชุมชน") in squashed
    assert _squash(member.fund.name) in squashed
    assert _squash(member.full_name) in squashed  # นายทดสอบ1 สมมติ
    assert member.number in squashed
    assert _squash("17 พฤษภาคม 2513") in squashed  # born 17 May 1970
    assert _squash("1 มีนาคม 2558") in squashed  # joined 1 March 2015
    assert member.national_id_masked in squashed


def test_card_never_shows_the_full_national_id(member, tmp_path):
    national_id = make_national_id(1)
    pdf = member_card_pdf(member=member, fund_url=FUND_URL)
    text = _text(_write(tmp_path, pdf))
    digits_only = re.sub(r"[\s\-]", "", text)

    assert national_id not in digits_only
    assert not re.search(r"\d{13}", digits_only)
    assert national_id.encode() not in pdf


def test_thai_marks_read_back_in_order(honey, tmp_path):
    pdf = member_card_pdf(member=honey, fund_url=FUND_URL)
    squashed = _squash(_text(_write(tmp_path, pdf)))

    assert _squash("นางสาวน้ำผึ้ง ปิ่นทอง") in squashed
    assert _squash("9 มกราคม 2531") in squashed
    assert _squash("หมู่ที่ 1 บ้านทดสอบ") in squashed
    assert _squash("กองทุนสวัสดิการชุมชนตำบลเวียงเหนือ") in squashed


def test_card_is_thai_whatever_the_ui_language(member, tmp_path):
    with translation.override("en"):
        pdf = member_card_pdf(member=member, fund_url=FUND_URL)

    assert _squash("17 พฤษภาคม 2513") in _squash(_text(_write(tmp_path, pdf)))


def test_qr_code_on_the_printed_card_scans_to_the_payload(member, tmp_path):
    pdf = member_card_pdf(member=member, fund_url=FUND_URL)
    png = _png(_write(tmp_path, pdf), 300)

    decoded = _run("zbarimg", "--quiet", "--raw", str(png)).strip()

    assert decoded == member_qr_payload(member=member, fund_url=FUND_URL)


def test_sara_am_rewrite_draws_exactly_the_same_glyphs(honey, tmp_path, monkeypatch):
    """thai_text_layer only changes what the text layer says, never what is printed."""
    rewritten = _png(_write(tmp_path, member_card_pdf(member=honey, fund_url=FUND_URL)), 150)
    monkeypatch.setattr(pdf_module, "thai_text_layer", lambda text: text)
    as_typed = _write(tmp_path, member_card_pdf(member=honey, fund_url=FUND_URL), "typed.pdf")

    with Image.open(rewritten) as a, Image.open(_png(as_typed, 150)) as b:
        assert ImageChops.difference(a.convert("RGB"), b.convert("RGB")).getbbox() is None


def test_thai_text_layer_spells_sara_am_as_drawn():
    assert thai_text_layer("ตำบล") == "ต\u0e4d\u0e32บล"
    assert thai_text_layer("น้ำ") == "น\u0e4d\u0e49\u0e32"  # NIKHAHIT moves before the tone
    assert thai_text_layer("การ") == "การ"


# --- The shared PDF helper -----------------------------------------------------------------


def test_pdf_helper_reads_only_local_static_files_and_data_uris():
    from weasyprint.urls import FatalURLFetchingError

    fetcher = local_url_fetcher()
    font = fetcher((FONT_DIR / "Sarabun-Regular.ttf").as_uri())
    assert font.read(4) == b"\x00\x01\x00\x00"
    font.close()
    assert fetcher("data:text/plain,ok").read() == b"ok"
    for url in (
        "http://169.254.169.254/latest/meta-data/",
        "file:///etc/passwd",
        (FONT_DIR / ".." / ".." / ".." / "settings.py").as_uri(),
    ):
        with pytest.raises(FatalURLFetchingError):
            fetcher(url)


def test_pdf_helper_refuses_to_print_without_the_fonts(member, monkeypatch, tmp_path):
    monkeypatch.setattr(pdf_module, "FONT_DIR", tmp_path)

    with pytest.raises(ImproperlyConfigured, match=r"Sarabun-Regular\.ttf"):
        render_pdf("members/card.html", {"cards": []})
