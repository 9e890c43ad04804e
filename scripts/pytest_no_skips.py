"""pytest plugin for CI: a skipped test fails the run.

Loaded by `make test` when CI=true (`-p pytest_no_skips`, with scripts/ on PYTHONPATH). On CI
every dependency is installed, so a skip can only mean a test that silently stopped testing:
a missing browser, font or database. The skips are listed, and the exit code becomes 1.
"""

from __future__ import annotations

from typing import Any

import pytest


def _skipped(config: pytest.Config) -> list[Any]:
    if hasattr(config, "workerinput"):  # an xdist worker: the controller sees every report
        return []
    reporter: Any = config.pluginmanager.get_plugin("terminalreporter")
    return list(reporter.stats.get("skipped", [])) if reporter else []


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped(session.config) and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    skipped = _skipped(config)
    if not skipped:
        return
    terminalreporter.section("skipped tests fail the run on CI", red=True, bold=True)
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        terminalreporter.write_line(f"{report.nodeid}: {reason}", red=True)
