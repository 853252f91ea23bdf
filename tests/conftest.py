"""Shared fixtures: every test must leave no process of ours behind."""
from __future__ import annotations

import time

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
