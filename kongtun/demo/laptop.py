"""The demo's laptop fund: a fund that keeps its records on its own computer.

Its records never touch the province server. A second Kongtun installation, with its own
SQLite file in a temporary folder, is started as a subprocess (`manage.py
demo_laptop_package`): it loads this one fund as the demo loads any other, and exports its
signed package as of the last 30 September. The province server then does what an officer
does: registers the fund (own computer), trusts its key, and imports the package. The
province sees the fund's indicators and monthly totals, and nothing else of it.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from django.conf import settings

from kongtun.demo import books, claims, contributions
from kongtun.funds.models import Fund

PACKAGE_GLOB = "*.kongtun.zip"
KEY_FILE = "public-key.txt"


def laptop_spec(plan: list[Any], tambons: list[Any], seed: int) -> Any:
    """A fund in a tambon the province plan left without one, in the showcase's amphoe if it
    can be; None when every tambon has a fund."""
    from kongtun.demo.province import SHOWCASE_AMPHOE, FundSpec

    taken = {s.tambon_code for s in plan}
    free = sorted(
        (t for t in tambons if t.code not in taken),
        key=lambda t: (t.amphoe_code != SHOWCASE_AMPHOE, t.code),
    )
    if not free:
        return None
    t = free[0]
    return FundSpec(
        ordinal=len(plan),
        code=f"lp-{t.code}",
        name="กองทุนสวัสดิการชุมชนตำบล" + t.name_th,
        kind=Fund.Kind.TAMBON,
        municipality_name="",
        tambon_code=t.code,
        amphoe_code=t.amphoe_code,
        founded_on=dt.date(2011, 3, 1),
        fiscal_year=Fund.FiscalYear.GOVERNMENT,
        applying=False,
        base_members=400,
    )


def build_on_laptop(*, out: Path, scale: float, seed: int) -> Path:
    """Inside the laptop installation: load the one fund and export its package into `out`."""
    from django.core.management import call_command
    from django.utils import timezone

    from kongtun.demo.books_load import bookkeeper
    from kongtun.demo.province import (
        _create_fund,
        build_fund_content,
        lampang_tambons,
        plan_province,
    )
    from kongtun.exchange.services import package_export, public_key_text, signing_key_get_or_create
    from kongtun.funds.tenancy import fund_scope
    from kongtun.indicators.selectors import last_snapshot_date

    call_command("migrate", verbosity=0)
    today = timezone.localdate()
    tambons = lampang_tambons()
    spec = laptop_spec(plan_province(tambons, seed=seed), tambons, seed)
    content = build_fund_content(spec, today=today, scale=scale, seed=seed)
    dues = contributions.plan_dues(spec, content, today=today, seed=seed)
    content = replace(content, members=dues.members)
    regulations = claims.adoptions(spec, today=today)
    welfare = claims.plan_claims(spec, content, dues, regulations, today=today, seed=seed)
    ledger = books.plan_books(
        spec, content, today=today, seed=seed, dues=dues, claims=welfare, over_cap=False
    )
    _create_fund(spec, content, ledger, dues, welfare)
    fund = Fund.objects.get(code=spec.code)
    chair = bookkeeper()
    with fund_scope(fund):
        key = signing_key_get_or_create(fund=fund, actor=chair)
        (out / KEY_FILE).write_text(public_key_text(key), encoding="utf-8")
        as_of = last_snapshot_date(today)
        with (out / f"kongtun-{fund.code}-{as_of.isoformat()}.kongtun.zip").open("w+b") as file:
            package_export(fund=fund, actor=chair, as_of=as_of, today=today, out=file)
    return out


def laptop_load(
    *, plan: list[Any], tambons: list[Any], scale: float, seed: int, officer: Any
) -> int:
    """On the province server: register the laptop fund, trust its key, import its package.
    Returns 1 when the fund was added, 0 when it was already there or there is no room."""
    from django_scopes import scopes_disabled

    from kongtun.exchange.services import package_import, trusted_key_register
    from kongtun.network.access import funds_recordable_by

    spec = laptop_spec(plan, tambons, seed)
    if spec is None or Fund.objects.filter(code=spec.code).exists():
        return 0
    with tempfile.TemporaryDirectory(prefix="kongtun-laptop-") as tmp:
        folder = Path(tmp)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder / 'laptop.sqlite3'}",
            "KONGTUN_VAR_DIR": str(folder / "var"),
            "HTTPS": "false",
        }
        subprocess.run(  # noqa: S603 — our own manage.py, with fixed arguments
            [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "demo_laptop_package",
             "--out", str(folder), "--scale", str(scale), "--seed", str(seed)],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        fund = Fund.objects.create(
            code=spec.code,
            name=spec.name,
            kind=spec.kind,
            tambon_id=spec.tambon_code,
            founded_on=spec.founded_on,
            fiscal_year=spec.fiscal_year,
            runs_on=Fund.RunsOn.OWN_COMPUTER,
            is_demo=True,
        )
        trusted_key_register(
            fund=fund, actor=officer, text=(folder / KEY_FILE).read_text(encoding="utf-8")
        )
        (package,) = folder.glob(PACKAGE_GLOB)
        with package.open("rb") as file, scopes_disabled():
            package_import(
                file=file,
                size=package.stat().st_size,
                filename=package.name,
                funds=funds_recordable_by(officer),
                actor=officer,
            )
    return 1
