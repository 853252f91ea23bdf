"""Shared fixtures: every test must leave no process of ours behind, and a test that starts a
process says so with `@pytest.mark.process`, so that `pytest -m "not process"` stays fast."""
from __future__ import annotations

import multiprocessing.util
import os
import subprocess
import time
from collections import Counter
from collections.abc import Callable

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


# Every way this suite's code starts a process passes one of these: subprocess (and asyncio's
# subprocesses) in Popen._execute_child, multiprocessing's spawn/forkserver in spawnv_passfds, its
# fork context in os.fork, pty in os.forkpty, os.system and os.posix_spawn on their own.
_STARTERS = [(subprocess.Popen, "_execute_child"), (multiprocessing.util, "spawnv_passfds"), (os, "fork"),
             (os, "forkpty"), (os, "system"), (os, "posix_spawn"), (os, "posix_spawnp")]


class ProcessWithoutMarker(RuntimeError):
    """Raised where a test not marked `process` starts a process."""


@pytest.fixture(autouse=True)
def process_needs_marker(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch):
    """Refuse, and fail, a process started by a test not marked `process`. The refusal is
    recorded too, so the test fails even where a thread swallowed the exception."""
    if request.node.get_closest_marker("process"):
        yield
        return
    refused: list[str] = []

    def refuse(name: str) -> Callable[..., object]:
        def starter(*args: object, **kwargs: object) -> object:
            refused.append(name)
            raise ProcessWithoutMarker(f"{name}: this test starts a process; mark it @pytest.mark.process")
        return starter

    for module, name in _STARTERS:
        if hasattr(module, name):
            monkeypatch.setattr(module, name, refuse(f"{getattr(module, '__name__', module)}.{name}"))
    yield
    assert not refused, f"started a process without @pytest.mark.process: {sorted(set(refused))}"


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
