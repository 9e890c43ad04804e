"""The privacy crawl: every public page and file of a demo province, read as a stranger would.

It starts from the public index and follows every link within the public site (pages, JSON,
CSV, posters, receipt checks), and fails on any member's, beneficiary's, payee's or committee
member's name, any national ID, phone number or address, any detail of a claim, and any count
of 1 to 4 people (RELIABILITY S8). It also checks that it reached every fund and area.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import subprocess
import tempfile
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone
from django_scopes import scopes_disabled

from kongtun.contributions.matching import government_year_of
from kongtun.contributions.models import Receipt
from kongtun.demo import laptop
from kongtun.demo import province as demo
from kongtun.funds.models import CommitteeMember, Fund
from kongtun.lib.crypto import decrypt
from kongtun.members.models import Beneficiary, Member
from kongtun.public.specs import PAGES
from kongtun.welfare.models import Claim, Payee

PUBLIC = ("/public/", "/open/", "/r/")
MAX_FETCHES = 3000
COUNT_SPAN = re.compile(r'<span class="count" data-kind="count">([^<]*)</span>')
JSON_SCRIPT = re.compile(r'<script id="[^"]*" type="application/json">(.*?)</script>', re.S)
HREF = re.compile(r'(?:href|src|action)="([^"]+)"')


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _secrets() -> list[tuple[str, str]]:
    """(what, text) pairs no public byte may contain, whitespace removed."""
    found: set[tuple[str, str]] = set()

    def add(what: str, text: str, shortest: int = 4) -> None:
        text = squash(text or "")
        if len(text) >= shortest:
            found.add((what, text))

    with scopes_disabled():
        for m in Member.objects.all():
            add("member name", f"{m.first_name}{m.last_name}")
            add("member name", f"{m.title}{m.first_name}")
            national_id = decrypt(m.national_id_encrypted)
            add("national ID", national_id, 13)
            add("national ID", f"{national_id[0]}-{national_id[1:5]}-{national_id[5:10]}", 10)
            add("phone", re.sub(r"\D", "", m.phone), 9)
            add("phone", m.phone, 9)
            add("address", m.street, 6)
        for b in Beneficiary.objects.all():
            add("beneficiary name", b.full_name)
            if b.national_id_encrypted:
                add("national ID", decrypt(b.national_id_encrypted), 13)
        for c in Claim.objects.all():
            add("claim number", c.number, 5)
            add("claim person", c.person_name)
            add("claim address", c.person_address, 6)
            add("claim details", c.details, 8)
            add("claim decision", c.decision_note, 8)
        for p in Payee.objects.all():
            add("payee name", p.name)
        for s in CommitteeMember.objects.all():
            add("committee member name", s.full_name)
    for name in get_user_model().objects.values_list("full_name", flat=True):
        add("user's name", name)
    return sorted(found)


def _is_small(value: object) -> bool:
    if isinstance(value, str):
        value = value.replace(",", "").strip()
        if not value.isdigit():
            return False
        value = int(value)
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4


def _csv_page_kind(path: str) -> str:
    parts = path.split("/")[3:]  # after "", "open", "v1"
    if parts[0] == "index":
        return "index"
    if parts[0] == "area":
        return "area"
    if "statements" in parts:
        return "statements"
    if "audit" in parts:
        return "audit"
    return "fund"


class Crawl:
    def __init__(self, client, secrets: list[tuple[str, str]]) -> None:
        self.client = client
        self.secrets = secrets
        self.seen: set[str] = set()
        self.queue: deque[str] = deque()
        self.problems: list[str] = []
        self.kinds: dict[str, int] = {}

    def add(self, url: str) -> None:
        url = html.unescape(url).split("#")[0]
        if url.startswith(PUBLIC) and url not in self.seen:
            self.seen.add(url)
            self.queue.append(url)

    def run(self) -> None:
        while self.queue:
            assert len(self.seen) < MAX_FETCHES, "the crawl does not end"
            url = self.queue.popleft()
            if url.startswith("/r/"):
                cache.clear()  # the look-up rate limit counts a stranger, not a crawl
            response = self.client.get(url)
            if response.status_code != 200:
                self.problems.append(f"{url}: HTTP {response.status_code}")
                continue
            kind = response["Content-Type"].split(";")[0]
            self.kinds[kind] = self.kinds.get(kind, 0) + 1
            body = response.content
            if kind == "text/html":
                self.html(url, body.decode())
            elif kind == "application/json":
                self.json(url, json.loads(body))
            elif kind == "text/csv":
                self.csv(url, body.decode("utf-8-sig"))
            elif kind == "application/pdf":
                self.pdf(url, body)
            else:
                self.problems.append(f"{url}: unexpected {kind}")

    def secret_check(self, url: str, text: str) -> None:
        flat = squash(text)
        for what, secret in self.secrets:
            if secret in flat:
                self.problems.append(f"{url}: shows a {what} ({secret[:3]}…)")

    def html(self, url: str, text: str) -> None:
        self.secret_check(url, html.unescape(text))
        for value in COUNT_SPAN.findall(text):
            if _is_small(html.unescape(value)):
                self.problems.append(f"{url}: a count of {value}")
        for block in JSON_SCRIPT.findall(text):
            data = json.loads(html.unescape(block))
            if isinstance(data, dict) and data.get("unit") == "count":
                for dataset in data.get("datasets", []):
                    if any(_is_small(v) for v in dataset.get("data", []) if v is not None):
                        self.problems.append(f"{url}: a chart counts 1 to 4")
        for link in HREF.findall(text):
            if not link.startswith("/open/v1/schema"):
                self.add(link)

    def json(self, url: str, data: object) -> None:
        self.secret_check(url, json.dumps(data, ensure_ascii=False))
        if isinstance(data, dict) and data.get("page") in PAGES:
            spec = PAGES[data["page"]]
            for table in spec.tables:
                counts = [c.key for c in table.columns if c.kind == "count"]
                for row in data["tables"][table.key]:
                    for key in counts:
                        if _is_small(row[key]):
                            self.problems.append(f"{url}: {table.key}.{key} = {row[key]}")
                        if isinstance(row[key], str) and row[key] not in ("<5", "hidden"):
                            self.problems.append(f"{url}: {table.key}.{key} = {row[key]!r}")
            # every table of the page is also a CSV file
            path = urlsplit(url).path.removesuffix(".json")
            for table in spec.tables:
                self.add(f"{path}/{table.key}.csv")
        self._links(data)

    def _links(self, data: object) -> None:
        if isinstance(data, dict):
            for value in data.values():
                self._links(value)
        elif isinstance(data, list):
            for value in data:
                self._links(value)
        elif isinstance(data, str) and data.startswith(PUBLIC):
            self.add(data)

    def csv(self, url: str, text: str) -> None:
        self.secret_check(url, text)
        rows = list(csv.reader(io.StringIO(text)))
        path = urlsplit(url).path
        spec = PAGES[_csv_page_kind(path)].table_spec(path.rsplit("/", 1)[1].removesuffix(".csv"))
        kinds = {c.key: c.kind for c in spec.columns}
        assert rows[0] == [c.key for c in spec.columns], url
        for row in rows[1:]:
            for key, value in zip(rows[0], row, strict=True):
                if kinds[key] == "count" and _is_small(value):
                    self.problems.append(f"{url}: {key} = {value}")

    def pdf(self, url: str, body: bytes) -> None:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "page.pdf"
            path.write_bytes(body)
            text = subprocess.run(
                ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
        self.secret_check(url, text)


@pytest.fixture
def demo_province(db, settings):
    call_command("load_demo", stdout=io.StringIO(), funds=3, scale=0.05)
    officer = get_user_model().objects.get(username="demo-province")
    tambons = demo.lampang_tambons()
    laptop.laptop_load(
        plan=demo.plan_province(tambons), tambons=tambons, scale=0.02, seed=demo.SEED,
        officer=officer,
    )  # fmt: skip
    return list(Fund.objects.select_related("tambon__amphoe").order_by("code"))


def test_no_public_page_or_file_of_the_demo_shows_a_person_or_a_small_count(client, demo_province):
    funds = demo_province
    assert any(f.runs_on == Fund.RunsOn.OWN_COMPUTER for f in funds)
    secrets = _secrets()
    assert len(secrets) > 100  # the demo has people to protect
    crawl = Crawl(client, secrets)
    this_year = government_year_of(timezone.localdate())
    for start in ("/public/", "/public/data/", "/public/receipt/", "/open/v1/index.json"):
        crawl.add(start)
    # Last year is a whole year of figures; the pages open on the year just begun.
    for fund in funds:
        for year in (this_year, this_year - 1):
            crawl.add(f"/public/fund/{fund.code}/?fy={year}")
            crawl.add(f"/public/fund/{fund.code}/statements/?fy={year}")
            crawl.add(f"/open/v1/fund/{fund.code}/{year}.json")
            crawl.add(f"/open/v1/fund/{fund.code}/statements/{year}.json")
        crawl.add(f"/open/v1/fund/{fund.code}/audit.json")
    for code in {"52", *(f.tambon.amphoe_id for f in funds)}:
        crawl.add(f"/public/area/{code}/?fy={this_year - 1}")
        crawl.add(f"/open/v1/area/{code}/{this_year - 1}.json")
    with scopes_disabled():
        receipts = list(Receipt.objects.order_by("fund_id", "fiscal_year", "seq")[:8])
        receipts += list(Receipt.objects.filter(voided_at__isnull=False)[:2])
    for receipt in receipts:
        crawl.add(f"/r/{receipt.code}/")
    crawl.run()

    assert crawl.problems == []
    # It reached everything: every fund's pages and data, its posters, every area.
    for fund in funds:
        for path in (
            f"/public/fund/{fund.code}/",
            f"/public/fund/{fund.code}/audit/",
            f"/open/v1/fund/{fund.code}/{this_year - 1}/welfare.csv",
        ):
            assert any(u.split("?")[0] == path for u in crawl.seen), path
    server_funds = [f for f in funds if f.runs_on == Fund.RunsOn.SERVER]
    for fund in server_funds:
        assert any(u.startswith(f"/public/fund/{fund.code}/poster/") for u in crawl.seen)
    assert crawl.kinds.get("application/pdf", 0) >= len(server_funds)
    assert crawl.kinds["text/csv"] > 20 and crawl.kinds["application/json"] > 10


def test_the_crawl_would_find_a_name_an_id_and_a_small_count():
    """The crawl's own checks can fail: fed a page with each leak, it reports each one."""
    crawl = Crawl(client=None, secrets=[("member name", "สมชายใจดี"), ("national ID", "1234")])
    crawl.html("/public/x/", '<p>นายสมชาย ใจดี</p><span class="count" data-kind="count">3</span>')
    chart = '{"unit": "count", "datasets": [{"data": [7, 2, null]}]}'
    crawl.html("/public/y/", f'<script id="c" type="application/json">{chart}</script>')
    crawl.json(
        "/open/v1/fund/x/2569.json",
        {
            "page": "area",
            "tables": {
                "area": [],
                "totals": [],
                "income_by_source": [],
                "welfare": [{"persons": 2, "claims": "7", "category": "birth"}],
                "monthly": [],
                "parts": [],
            },
        },
    )
    crawl.csv("/open/v1/fund/x/2569/members.csv", _members_csv("12", "1"))
    crawl.pdf("/public/fund/x/poster/2569-9.pdf", _pdf_with("ID 1234 printed"))
    found = "\n".join(crawl.problems)
    assert "/public/x/: shows a member name" in found
    assert "/public/x/: a count of 3" in found
    assert "/public/y/: a chart counts 1 to 4" in found
    assert "welfare.persons = 2" in found
    assert "welfare.claims = '7'" in found  # a count written as text that is not a mark
    assert "members.csv: cumulative = 1" in found
    assert "poster/2569-9.pdf: shows a national ID" in found


def _members_csv(current: str, cumulative: str) -> str:
    keys = [c.key for c in PAGES["fund"].table_spec("members").columns]
    values = dict.fromkeys(keys, "") | {"current": current, "cumulative": cumulative}
    return ",".join(keys) + "\r\n" + ",".join(values[k] for k in keys) + "\r\n"


def _pdf_with(text: str) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=f"<html><body><p>{text}</p></body></html>").write_pdf()
    return pdf
