"""Shared fixtures: every test must leave no process of ours behind."""
from __future__ import annotations

import time
from collections import Counter

import psutil
import pytest


def _children() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


@pytest.fixture(autouse=True)
def no_leftover_processes():
    """Fail a test that leaves a child process of the test run alive (after a short grace)."""
    before = _children()
    yield
    deadline = time.monotonic() + 3
    left = _children() - before
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = {pid for pid in left if psutil.pid_exists(pid) and psutil.Process(pid).status() != "zombie"}
    assert not left, f"processes left behind: {[psutil.Process(p).cmdline() for p in left if psutil.pid_exists(p)]}"


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """How many tests skipped, and why, grouped by reason: a green run proves nothing about
    them (the CPU-ordering tests skip when this shared machine gives no second free core)."""
    skipped = [report for report in terminalreporter.stats.get("skipped", []) if report.skipped]
    if not skipped:
        return
    terminalreporter.section(f"{len(skipped)} skipped, by reason", sep="-")
    for reason, count in Counter(_skip_reason(report) for report in skipped).most_common():
        terminalreporter.line(f"{count:>4}  {reason}")
