"""CSRF on every unsafe route: the whole URLconf is walked, so a new page is covered unasked.

Every route, fund or not (network, public, accounts, r/, open/v1/, the admin, set-language),
is sent POST, PUT, PATCH and DELETE without a token by a logged-in user who may use it; each
must be refused by Django's CSRF check. The refusal is recognised by a failure view of the
test's own, so a 403 for a missing permission cannot pass for it; the same request with a
token must get past the check, which proves each built URL reaches its view.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils.crypto import get_random_string

# Views allowed to skip CSRF, each with its reason. None is: every unsafe request comes from our
# own forms or htmx, which send the token.
CSRF_EXEMPT_ALLOWED: dict[str, str] = {}

REJECTED = "X-Test-Csrf-Rejected"
FUND_CODE = "lp-wiang-nuea"  # the `fund` fixture's code
VALUES = {"int": "1", "uuid": str(uuid.UUID(int=1)), "slug": "x", "str": "x", "path": "x/y"}


def csrf_rejected(request: HttpRequest, reason: str = "") -> HttpResponse:
    response = HttpResponse(reason, status=403)
    response[REJECTED] = "1"
    return response


def _fill_route(route: str) -> str:
    def value(match: re.Match[str]) -> str:
        converter, name = match.group(1) or "str", match.group(2)
        return FUND_CODE if name == "fund_code" else VALUES[converter]

    return re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


def _fill_regex(regex: str) -> str:
    """A path matching one of the admin's regex patterns: each group's first alternative."""

    def group(match: re.Match[str]) -> str:
        body = match.group(2)
        first = body.split("|")[0]
        return first if re.fullmatch(r"[\w-]+", first) else "x"

    text = re.sub(r"\(\?P<(\w+)>([^)]*)\)", group, regex)
    return text.lstrip("^").rstrip("$").replace("\\", "")


def _routes() -> list[tuple[str, str, Any]]:
    """(name, a concrete path, view) for every named route."""
    found: list[tuple[str, str, Any]] = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p.pattern, RoutePattern):
                part = _fill_route(str(p.pattern))
            else:
                assert isinstance(p.pattern, RegexPattern)
                part = _fill_regex(p.pattern.regex.pattern)
            if isinstance(p, URLResolver):
                inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + part, inner)
            elif isinstance(p, URLPattern):
                name = f"{namespace}{p.name or p.lookup_str}"
                found.append((name, "/" + prefix + part, p.callback))

    walk(get_resolver().url_patterns, "", "")
    return found


ROUTES = _routes()
IDS = [name for name, _, _ in ROUTES]


def test_it_walks_every_part_of_the_site():
    paths = [path for _, path, _ in ROUTES]
    for prefix in ("/f/", "/network/", "/public/", "/accounts/", "/r/", "/open/v1/", "/admin/",
                   "/i18n/setlang/"):  # fmt: skip
        assert any(p.startswith(prefix) for p in paths), prefix
    assert len(ROUTES) > 150


@pytest.mark.parametrize(("name", "path", "view"), ROUTES, ids=IDS)
def test_no_view_is_csrf_exempt(name, path, view):
    if name in CSRF_EXEMPT_ALLOWED:
        return
    assert not getattr(view, "csrf_exempt", False), f"{name} is csrf_exempt"


def _user_for(path: str) -> str:
    if path.startswith("/f/"):
        return "chair"
    if path.startswith("/network/"):
        return "officer"
    return "admin"


@pytest.fixture
def rejecting(settings):
    settings.CSRF_FAILURE_VIEW = "kongtun.web.tests.test_csrf.csrf_rejected"


@pytest.mark.parametrize(("name", "path", "view"), ROUTES, ids=IDS)
def test_every_unsafe_request_without_a_token_is_refused(name, path, view, fund, users, rejecting):
    assert resolve(path).func is view, f"{path} does not reach {name}"
    if name in CSRF_EXEMPT_ALLOWED:
        return
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(users[_user_for(path)])
    for method in ("post", "put", "patch", "delete"):
        response = getattr(client, method)(path, {"x": "1"})
        assert response.status_code == 403, (method, path, response.status_code)
        assert response.get(REJECTED) == "1", f"{method} {path}: 403, but not from the CSRF check"

    # With the cookie and its token the same POST gets past the check (whatever the view says).
    secret = get_random_string(32)
    client.cookies[settings.CSRF_COOKIE_NAME] = secret
    response = client.post(path, {"x": "1"}, headers={"X-CSRFToken": secret})
    assert response.get(REJECTED) is None, f"{path}: refused even with a token"
