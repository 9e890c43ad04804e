"""Security headers on a sample of every app's routes, and templates the policy can serve.

The content security policy refuses inline script and style, so a template that still has one
would break in the browser; the scan below finds it before a person does
(test_browser_csp.py then proves it in Chromium).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from kongtun.web.security import CONTENT_SECURITY_POLICY
from kongtun.web.tests.test_access import objects  # noqa: F401 (a fixture)

KONGTUN = Path(__file__).resolve().parents[2]


def _assert_headers(response, *, camera: bool = False) -> None:
    csp = response["Content-Security-Policy"]
    assert csp == CONTENT_SECURITY_POLICY
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in csp.split("; ")
    assert "unsafe" not in csp
    policy = response["Permissions-Policy"]
    assert ("camera=(self)" if camera else "camera=()") in policy
    assert "microphone=()" in policy and "geolocation=()" in policy
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    # The receipt look-up sends no referrer at all (its URL holds what was typed).
    assert response["Referrer-Policy"] in ("same-origin", "no-referrer")
    assert response["X-Frame-Options"] == "DENY"


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/healthz",
        "/accounts/login/",
        "/admin/login/",
        "/public/",
        "/public/receipt/",
        "/public/data/",
        "/open/v1/index.json",
        "/r/00000000-0000-0000-0000-000000000000/",
        "/no-such-page/",
    ],
)
def test_anonymous_routes_send_the_headers(client, db, path):
    response = client.get(path)
    assert response.status_code < 500
    _assert_headers(response)


FUND_ROUTES = [
    ("funds-home", {}),
    ("members-list", {}),
    ("members-detail", {"code": "member"}),
    ("ledger-home", {}),
    ("contributions-home", {}),
    ("welfare-home", {}),
    ("welfare-claim", {"claim": "claim"}),
    ("indicators-home", {}),
    ("codi-forms", {}),
    ("public-manage", {}),
    ("funds-audit", {}),
]


@pytest.mark.parametrize(("name", "kwargs"), FUND_ROUTES, ids=[n for n, _ in FUND_ROUTES])
def test_fund_routes_send_the_headers(name, kwargs, fund, client_for, objects):  # noqa: F811
    args = {key: objects[value].code for key, value in kwargs.items()}
    response = client_for("chair").get(reverse(name, kwargs={"fund_code": fund.code, **args}))
    assert response.status_code == 200
    _assert_headers(response)


def test_the_camera_is_allowed_only_where_a_card_is_scanned(fund, client_for, objects):  # noqa: F811
    url = reverse(
        "contributions-session",
        kwargs={"fund_code": fund.code, "session": objects["session"].code},
    )
    response = client_for("chair").get(url)
    assert response.status_code == 200
    _assert_headers(response, camera=True)
    assert b"scan.js" in response.content


@pytest.mark.parametrize("path", ["/network/", "/network/vetting/", "/network/outcomes/"])
def test_network_routes_send_the_headers(path, client_for):
    response = client_for("officer").get(path, follow=True)
    assert response.status_code == 200
    _assert_headers(response)


def test_an_evidence_file_keeps_its_own_stricter_policy(fund, client_for, objects):  # noqa: F811
    url = reverse(
        "welfare-claim-document",
        kwargs={"fund_code": fund.code, "claim": objects["claim"].code,
                "document": objects["document"].code},
    )  # fmt: skip
    response = client_for("chair").get(url)
    assert response.status_code == 200
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert "sandbox" in response["Content-Security-Policy"]
    assert response["Permissions-Policy"] and response["X-Content-Type-Options"] == "nosniff"


# Inline code the policy refuses: a <style> element, a style="" attribute, a <script> with
# neither src nor a JSON type, an on…= handler, htmx's hx-on, and javascript: URLs.
INLINE = re.compile(
    r"<style|\sstyle=|<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")"
    r"|\son[a-z]+\s*=|hx-on|javascript:|hx-vars|hx-vals=.\s*js:",
    re.IGNORECASE,
)


def _browser_templates() -> list[Path]:
    """Templates a browser shows. PDF templates are drawn by WeasyPrint on the server, which the
    policy does not govern, so their inline styles stay."""
    found = []
    for path in sorted(KONGTUN.glob("*/templates/**/*.html")):
        text = path.read_text()
        if "/pdf/" in path.as_posix() or path.name.endswith("_pdf.html"):
            continue
        if 'extends "pdf/base.html"' in text:
            continue
        found.append(path)
    return found


def test_it_scans_the_templates():
    names = {p.relative_to(KONGTUN).as_posix() for p in _browser_templates()}
    assert "web/templates/web/base.html" in names
    assert "members/templates/members/detail.html" in names
    assert len(names) > 100


def test_no_browser_template_has_inline_script_or_style():
    offenders = []
    for path in _browser_templates():
        for match in INLINE.finditer(path.read_text()):
            offenders.append(f"{path.relative_to(KONGTUN)}: {match.group(0)}")
    assert offenders == []


def test_htmx_neither_evaluates_nor_injects_styles():
    base = (KONGTUN / "web/templates/web/base.html").read_text()
    assert '"includeIndicatorStyles": false' in base
    assert '"allowEval": false' in base
