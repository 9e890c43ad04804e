"""The cast every test can use: two funds, a user for each role, an officer, an outsider.

Tests run inside the fund's scope only when they ask for `in_fund` (or enter fund_scope
themselves), so a forgotten scope fails in tests exactly as it does in production.

Avoid `transactional_db`/`live_server`: the audit table's triggers refuse the DELETE/TRUNCATE
Django uses to empty tables between such tests. Browser tests start their own server instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from kongtun.accounts.models import User
from kongtun.funds.models import Branch, Fund, FundRole, OfficerAssignment
from kongtun.funds.permissions import Role
from kongtun.funds.tenancy import fund_scope
from kongtun.geo.models import Tambon
from kongtun.members.models import Member
from kongtun.members.services import MemberInput, member_register

PASSWORD = "correct-horse-battery-staple"

# Valid checksums, generated for tests only; none belongs to a real person.
VALID_IDS = [
    "1101700230708",
    "3100600445635",
    "1234567890121",
    "1529900012344",
    "3520100123453",
]


def make_national_id(seed: int) -> str:
    """A synthetic ID with a valid check digit, starting with 5 so it reads as test data."""
    body = f"5{seed:011d}"[:12]
    total = sum(int(d) * (13 - i) for i, d in enumerate(body))
    return body + str((11 - total % 11) % 10)


@pytest.fixture
def tambon(db: Any) -> Tambon:
    return Tambon.objects.get(code="520101")


@pytest.fixture
def fund(db: Any, tambon: Tambon) -> Fund:
    return Fund.objects.create(
        code="lp-wiang-nuea",
        name="กองทุนสวัสดิการชุมชนตำบลเวียงเหนือ",
        tambon=tambon,
        founded_on=dt.date(2010, 1, 15),
    )


@pytest.fixture
def other_fund(db: Any) -> Fund:
    return Fund.objects.create(
        code="lp-hua-wiang",
        name="กองทุนสวัสดิการชุมชนตำบลหัวเวียง",
        tambon=Tambon.objects.get(code="520102"),
        founded_on=dt.date(2012, 6, 1),
    )


def _user(username: str) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, full_name=username)


@pytest.fixture
def users(db: Any, fund: Fund, other_fund: Fund) -> dict[str, User]:
    """One user per role in `fund`, a chair of `other_fund`, officers, and a user with no role."""
    cast: dict[str, User] = {}
    for role in Role:
        cast[role.value] = _user(role.value)
        FundRole.objects.create(fund=fund, user=cast[role.value], role=role.value)
    cast["other_chair"] = _user("other_chair")
    FundRole.objects.create(fund=other_fund, user=cast["other_chair"], role=Role.CHAIR)
    cast["officer"] = _user("officer")
    OfficerAssignment.objects.create(user=cast["officer"], level="province", area_code="52")
    cast["nobody"] = _user("nobody")
    cast["admin"] = User.objects.create_superuser("admin", "", PASSWORD)
    return cast


@pytest.fixture
def client_for(users: dict[str, User]) -> Any:
    def make(name: str | None) -> Client:
        client = Client()
        if name is not None:
            client.force_login(users[name])
        return client

    return make


@pytest.fixture
def in_fund(fund: Fund) -> Iterator[Fund]:
    with fund_scope(fund):
        yield fund


@pytest.fixture
def branch(in_fund: Fund) -> Branch:
    return Branch.objects.create(fund=in_fund, number=1, name="บ้านทดสอบ")


def member_data(seed: int = 1, **overrides: Any) -> MemberInput:
    values: dict[str, Any] = {
        "first_name": f"ทดสอบ{seed}",
        "last_name": "สมมติ",
        "national_id": make_national_id(seed),
        "birth_date": dt.date(1970, 5, 17),
        "joined_on": dt.date(2015, 3, 1),
        "title": "นาย",
    }
    values.update(overrides)
    return MemberInput(**values)


@pytest.fixture
def member(in_fund: Fund, users: dict[str, User]) -> Member:
    return member_register(fund=in_fund, actor=users["treasurer"], data=member_data(1))


@pytest.fixture(autouse=True)
def _own_var_dir(settings: Any, tmp_path: Any) -> None:
    """Uploads and attachments written by a test land in its own folder, not in var/."""
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """The public look-ups count each client in the cache: a test starts with no count."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _force_login_gives_both_factors(monkeypatch: Any) -> Iterator[None]:
    """`Client.force_login` skips our login view, so it never gives the code; the session
    middleware would log out every privileged user it logs in. Sessions it starts count as
    two-step logins; every other login (Client.login, the real views) gets no such mark, so the
    tests that log in through the views still prove the code is needed."""
    from django.contrib.auth.signals import user_logged_in

    from kongtun.accounts.pending import VERIFIED

    forcing: list[bool] = []
    original = Client.force_login

    def force_login(self: Client, user: Any, backend: str | None = None) -> None:
        forcing.append(True)
        try:
            original(self, user, backend)
        finally:
            forcing.pop()

    def mark(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
        if forcing and request is not None:
            request.session[VERIFIED] = True

    uid = "kongtun-tests-force-login-verified"
    user_logged_in.connect(mark, dispatch_uid=uid, weak=False)
    monkeypatch.setattr(Client, "force_login", force_login)
    yield
    user_logged_in.disconnect(dispatch_uid=uid)
