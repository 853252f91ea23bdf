"""The interpreters mode on real interpreters: a sub-interpreter per worker, its own GIL each.

Python 3.13 (private `_interpreters`) is the newest on this machine; 3.12 must be refused
with the reason. A limit of sub-interpreters is that worker's failure, never a crash.
"""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from fixtures.command import LiveRun, conctui, left_after, task
from fixtures.pythons import CLAIMED_GAIN, best_walls, needs_cores, pyenv_python, python_at_least

pytestmark = pytest.mark.process

TASKS = Path(__file__).parent / "fixtures" / "interp_tasks.py"
CPU = ["--param", "n=8000000"]  # ~0.5 s a worker: each sub-interpreter's ~0.1 s start stays small beside it


def _interp(function: str, *args: str, python: str | None = None):
    return conctui("run", f"{TASKS}:{function}", "--mode", "interpreters", "--python",
                   python or pyenv_python("3.13"), "--json", *args)


@pytest.mark.timing
def test_two_subinterpreters_on_pure_python_cpu_beat_sequential() -> None:
    needs_cores(2)
    walls, document = best_walls(pyenv_python("3.13"), "interpreters", *CPU)
    assert walls["interpreters"] < CLAIMED_GAIN * walls["sequential"], walls
    run = next(r for r in document["runs"] if r["mode"] == "interpreters")
    assert {w["status"] for w in run["per_worker"]} == {"done"}
    assert all(w["cpu_s"] > 0.05 for w in run["per_worker"]), run["per_worker"]  # the thread's own clock
    assert run["python"]["interpreters"] == {"api": "_interpreters", "experimental": True, "reason": None}
    assert run["gil_scope"] == "per interpreter" and run["gil_wait"] is None
    assert run["gil_latency_note"] == "own GIL in each sub-interpreter"


def test_a_worker_importing_curses_fails_with_the_reason_while_the_other_finishes() -> None:
    result = _interp("curses_on_zero", "--workers", "2")
    assert result.code == 1, result.err
    zero, one = result.run()["per_worker"]
    assert zero["status"] == "failed"
    assert "_curses" in zero["error"] and "subinterpreters" in zero["error"], zero["error"]
    assert one["status"] == "done"
    assert one["output"] == ["worker 1 computed %d" % sum(i * i for i in range(100_000))]  # captured, not printed


def test_no_daemon_threads_and_no_fork_are_failures_with_pythons_words() -> None:
    for function, words in (("daemon_thread", "daemon"), ("fork", "fork")):
        result = _interp(function, "--workers", "1")
        assert result.code == 1, result.err
        (worker,) = result.run()["per_worker"]
        assert worker["status"] == "failed" and words in worker["error"], worker


def test_python_3_12_is_refused_with_the_reason() -> None:
    result = conctui("run", "cpu", "--mode", "interpreters", "--python", pyenv_python("3.12"))
    assert result.code == 2
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert "3.13" in result.err and "aborted" in result.err, result.err


def test_timeout_cancels_workers_at_their_next_report() -> None:
    start = time.monotonic()
    result = _interp("report_forever", "--workers", "2", "--timeout", "1")
    assert result.code == 124, result.err
    assert {w["status"] for w in result.run()["per_worker"]} == {"cancelled"}
    assert time.monotonic() - start < 15


def test_sigkill_of_conctui_leaves_no_runner_behind(tmp_path: Path) -> None:
    run = LiveRun("run", task("nap"), "--mode", "interpreters", "--python", pyenv_python("3.13"),
                  "--workers", "2", ready_dir=tmp_path)
    try:
        tree = run.wait_ready(2)
        run.process.kill()
        killed = time.monotonic()
    finally:
        run.kill()
    assert tree
    assert not left_after(tree, within=max(0.0, killed + 2.0 - time.monotonic()))


def test_python_3_14_runs_subinterpreters_through_concurrent_interpreters() -> None:
    python = python_at_least((3, 14), "the interpreters mode's concurrent.interpreters path")
    result = _interp("curses_on_zero", "--workers", "2", python=python)
    zero, one = result.run()["per_worker"]
    assert result.run()["python"]["interpreters"]["api"] == "concurrent.interpreters"
    assert zero["status"] == "failed" and "_curses" in zero["error"], zero
    assert one["status"] == "done", one
