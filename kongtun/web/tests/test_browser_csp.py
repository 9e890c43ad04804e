"""The content security policy, in real Chromium: no page breaks it, and the pages still work.

A crawler follows every link it finds (a fund's pages as its chair, the network's as the
province officer, the public pages logged out) and collects what Chromium reports: the
`securitypolicyviolation` events in each page and its "Refused to …" console messages. Any one
is a failure. Then the interactive parts are used: the htmx member search and the charts.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError

from kongtun.web.tests.browser import TOTP_SECRET, chromium, device_seed, login, serve, shot

pytestmark = pytest.mark.browser

SEED = """
from kongtun.demo.province import load_demo
load_demo(funds_limit=2, scale=0.01)
""" + device_seed("demo-chair", "demo-province")  # their two-step login: a known secret
PASSWORD = "kongtun-demo"  # kongtun.demo.province.DEMO_PASSWORD
FUND = "lp-520101"

# Each page records the violations it sees; the crawler reads them after the page has loaded.
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " "
    + e.sourceFile + ":" + e.lineNumber);
});
"""
# Links the crawler leaves alone: files (not pages), leaving, the admin, and pages that write.
SKIP = ("/accounts/logout", "/admin/", "/i18n/", ".pdf", ".csv", ".xlsx", ".zip", "/download",
        "/export", "/static/", "/media/")  # fmt: skip
MAX_PAGES = 70


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve(tmp_path_factory.mktemp("csp"), SEED) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as browser:
        yield browser


class Watched:
    """A browser context whose pages report CSP violations and refused resources."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 390, "height": 844}, locale="th-TH")
        self.context.add_init_script(WATCH)
        self.problems: list[str] = []
        self.page = self.context.new_page()
        self.page.on("console", self._console)

    def _console(self, message: Any) -> None:
        text = message.text
        if "Refused to" in text or "Content Security Policy" in text:
            self.problems.append(f"{self.page.url}: {text}")

    def collect(self) -> None:
        for violation in self.page.evaluate("window.__csp || []"):
            self.problems.append(f"{self.page.url}: {violation}")


def _login(watched: Watched, base: str, username: str) -> None:
    page = watched.page
    login(page, base, username, PASSWORD, TOTP_SECRET)
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{username} could not log in"


def _crawl(watched: Watched, base: str, start: str, inside: str) -> list[str]:
    """Visit the pages linked from `start` whose path begins with `inside`; return them."""
    page = watched.page
    seen: set[str] = set()
    queue = [base + start]
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" in str(error):  # a file, not a page
                continue
            raise
        assert response is not None and response.status < 500, (url, response and response.status)
        page.wait_for_load_state("load")
        watched.collect()
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            link = urldefrag(href)[0]
            path = urlsplit(link).path
            if (
                link.startswith(base)
                and path.startswith(inside)
                and not any(s in link for s in SKIP)
                and link not in seen
            ):
                queue.append(link)
    return sorted(seen)


def test_a_funds_pages_break_no_policy_and_htmx_still_works(server, browser):
    watched = Watched(browser)
    _login(watched, server, "demo-chair")
    seen = _crawl(watched, server, f"/f/{FUND}/", f"/f/{FUND}/")
    paths = {urlsplit(u).path for u in seen}
    for part in ("members/", "contributions/", "welfare/", "books/"):
        assert any(p.startswith(f"/f/{FUND}/{part}") for p in paths), part
    assert any(p.startswith(f"/f/{FUND}/contributions/collect/") for p in paths)
    assert watched.problems == []

    # htmx: typing in the member search replaces the results without a page load.
    page = watched.page
    page.goto(f"{server}/f/{FUND}/members/")
    results = "document.querySelector('#results').innerText"
    before = page.evaluate(results)
    page.fill("#q", "ไม่มีชื่อนี้แน่นอน")
    page.wait_for_function(f"b => {results} !== b", arg=before)
    page.fill("#q", "")
    page.wait_for_function(f"b => {results} === b", arg=before)
    watched.collect()
    shot(page, "csp-members-search")
    assert watched.problems == []


def test_the_network_pages_break_no_policy_and_draw_their_charts(server, browser):
    watched = Watched(browser)
    _login(watched, server, "demo-province")
    seen = _crawl(watched, server, "/network/", "/network/")
    assert len(seen) > 3
    assert watched.problems == []

    page = watched.page
    charted = [u for u in seen if urlsplit(u).path.startswith("/network/area/")] or seen
    drawn = 0
    for url in charted[:5]:
        page.goto(url)
        page.wait_for_load_state("load")
        drawn += page.evaluate(
            "Array.from(document.querySelectorAll('canvas[data-chart]'))"
            ".filter(c => window.Chart && window.Chart.getChart(c)).length"
        )
    assert drawn > 0, "no chart was drawn"
    shot(page, "csp-network-chart")
    watched.collect()
    assert watched.problems == []


def test_the_public_pages_break_no_policy(server, browser):
    watched = Watched(browser)
    seen = _crawl(watched, server, "/public/", "/public/")
    seen += _crawl(watched, server, "/r/", "/r/")
    assert len(seen) > 2
    assert watched.problems == []


def test_a_violation_is_caught(server, browser):
    """The watch itself works: a script the policy refuses is reported."""
    watched = Watched(browser)
    watched.page.goto(server + "/public/")
    watched.page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = '1'; "
        "document.body.appendChild(s); }"
    )
    watched.page.wait_for_function("window.__csp.length > 0")
    watched.collect()
    assert any("script-src" in p or "Refused" in p for p in watched.problems)
