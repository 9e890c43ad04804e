"""The province benchmark (bench/province_rollup.py) runs end to end on a tiny province, and
its checks can fail. No timing is asserted: the figures are the benchmark's to print."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "bench" / "province_rollup.py"
# 3 funds × 10 members × 120 months = 3,600 payments: seconds, not minutes.
TINY = [
    "--engines=sqlite",
    "--funds=3",
    "--scale=0.005",
    "--rounds=1",
    "--rebuild-rounds=1",
    "--upkeep=5",
    "--upkeep-rounds=1",
]


def run_bench(*extra: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["TMPDIR"] = str(tmp_path)
    return subprocess.run(
        [sys.executable, str(SCRIPT), *TINY, *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_every_report_matches_duckdb_and_the_totals_match_the_raw_rows(tmp_path: Path) -> None:
    result = run_bench(tmp_path=tmp_path)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "3 funds × 10 members × 120 months = 3,600 payments" in out
    assert "and = raw rows (360 fund-months): OK" in out
    for report in (
        "(1) province roll-up FY2568 (area_rollup)",
        "(2) monthly provincial report 2025-09",
        "(3) fund's income & expenditure FY2568",
        "(4) province series, 120 months (series)",
    ):
        line = next(ln for ln in out.splitlines() if ln.strip().startswith(report))
        assert line.endswith("figures equal DuckDB's"), line
    assert "upkeep on SQLite" in out
    assert "checks: OK" in out
    # Nothing is left behind in the temp directory but what pytest made.
    assert not list(tmp_path.glob("kongtun-bench-*"))


def test_a_monthly_total_one_satang_off_fails_the_run(tmp_path: Path) -> None:
    result = run_bench("--tamper", "--upkeep=0", tmp_path=tmp_path)
    out = result.stdout
    assert result.returncode == 1, out + result.stderr
    assert "tampered: one monthly total moved by 0.01 baht" in out
    assert "totals differ from the lines" in out
    assert "checks: FAILED" in out
    assert "province_rollup: failed on sqlite" in result.stderr
