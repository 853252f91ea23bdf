"""--timeout ends a run that never ends, in every mode, with exit 124 and nothing left running.

Threads cannot be killed: a thread spinning in `while True: pass` never reaches a report()
where it could stop, so the runner gives it a grace second, reports it cancelled ("did not
stop"), and ends its own process, which ends the thread.
"""
from __future__ import annotations

import pytest
from fixtures.command import LiveRun, left_after, task

pytestmark = pytest.mark.process

TIMEOUT_S = 0.5


@pytest.mark.parametrize(("mode", "function"), [
    ("threads", "spin"),
    ("sequential", "spin"),
    ("processes", "spin"),
    ("asyncio", "aspin"),   # yields to the loop: the tasks are cancelled
    ("asyncio", "ablock"),  # never yields: the loop itself is stuck, like a spinning thread
    ("processes", "shell_out"),  # a program a worker started must not outlive the run
])
def test_timeout_cuts_a_worker_that_never_ends(mode: str, function: str) -> None:
    run = LiveRun("run", task(function), "--mode", mode, "--workers", "2", "--timeout", str(TIMEOUT_S), "--json")
    try:
        result, tree = run.watch_until_exit(within=20)
    finally:
        run.kill()
    assert result.code == 124, result.err
    assert result.seconds < TIMEOUT_S + 8  # the describe and run runners' starts, the 1 s grace, a loaded machine
    assert tree, "the runner was never seen"
    assert not left_after(tree, within=3)
    (figures,) = result.json()["runs"]
    assert figures["status"] == "timeout"
    assert {w["status"] for w in figures["per_worker"]} == {"cancelled"}
