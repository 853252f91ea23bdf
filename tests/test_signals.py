"""Ctrl+C, SIGTERM and SIGHUP cancel the run and reap every process below conctui within 3 s
(exit 130 / 143 / 129); SIGKILL of conctui itself leaves nothing running 3 s later either.

The command runs in a session of its own so that only it gets the signal, as when a user
presses Ctrl+C in a terminal (the runner is in its own session too). The processes below it
are collected with psutil while the run is live and checked one by one afterwards.
"""
from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

import pytest
from conctui.engine.events import RunFinished, RunStarted, WorkerFinished
from conctui.engine.runner_process import KILL_AFTER_S
from conctui.engine.session import Session
from conctui.engine.spec import RunSpec, parse_workload
from fixtures.command import READY_ENV, TASKS, LiveRun, left_after, task

pytestmark = pytest.mark.process

REAP_S = 3.0  # a sleeping thread cannot be interrupted: the runner's 1 s grace, its kill at 1.5 s,
# and slack for a loaded machine
LAUNCHES = {
    "threads": ["--mode", "threads"],
    "processes": ["--mode", "processes"],
    "forkserver": ["--mode", "processes", "--start-method", "forkserver"],
}


def _start(launch: str, ready_dir: Path) -> tuple[LiveRun, list]:
    run = LiveRun("run", task("nap"), *LAUNCHES[launch], "--workers", "2", "--json", ready_dir=ready_dir)
    try:
        tree = run.wait_ready(2)
    except BaseException:
        run.kill()
        raise
    if launch != "threads":
        assert len(tree) >= 3, tree  # the runner and one child per worker
    return run, tree


@pytest.mark.parametrize("launch", ["threads", "processes"])
@pytest.mark.parametrize(("signum", "code"), [
    (signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129),
], ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_signal_cancels_the_run_and_reaps_everything(launch: str, signum: int, code: int, tmp_path: Path) -> None:
    run, tree = _start(launch, tmp_path)
    try:
        sent = time.monotonic()
        os.kill(run.process.pid, signum)
        result = run.finish(within=10)
    finally:
        run.kill()
    assert result.code == code, result.err
    assert "Traceback" not in result.err
    assert not left_after(tree, within=max(0.0, sent + REAP_S - time.monotonic()))
    (figures,) = result.json()["runs"]
    assert figures["status"] == "cancelled"
    assert {w["status"] for w in figures["per_worker"]} == {"cancelled"}


@pytest.mark.parametrize("launch", list(LAUNCHES))
def test_sigkill_of_conctui_leaves_no_process_behind(launch: str, tmp_path: Path) -> None:
    run, tree = _start(launch, tmp_path)
    try:
        run.process.kill()
        killed = time.monotonic()
    finally:
        run.kill()
    assert not left_after(tree, within=max(0.0, killed + REAP_S - time.monotonic()))


def test_sigkill_during_http_leaves_no_server_behind() -> None:
    run = LiveRun("run", "http", "--mode", "threads", "--workers", "2", "--param", "requests=1000", "--json")
    try:
        tree = run.wait_tree("http_get.py serve")  # the runner and the loopback server it started
        run.process.kill()
        killed = time.monotonic()
    finally:
        run.kill()
    assert not left_after(tree, within=max(0.0, killed + REAP_S - time.monotonic()))


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["SIGINT", "SIGTERM"])
def test_a_signal_while_the_workload_loads_stops_at_once(signum: int, code: int, tmp_path: Path) -> None:
    """No traceback (Ctrl+C), no orphan (SIGTERM): the runner loading it (a 30 s import, reading
    no command meanwhile) is killed at once, not after the 1.5 s an answering runner is given."""
    run = LiveRun("run", f"{TASKS.with_name('slow_import.py')}:work", "--json", ready_dir=tmp_path)
    try:
        tree = run.wait_ready(1)
        sent = time.monotonic()
        os.kill(run.process.pid, signum)
        result = run.finish(within=10)
    finally:
        run.kill()
    assert (result.code, result.out) == (code, ""), result.err
    assert "Traceback" not in result.err
    assert result.seconds < KILL_AFTER_S, result.seconds
    assert not left_after(tree, within=max(0.0, sent + REAP_S - time.monotonic()))


def _nap(workers: int = 2) -> RunSpec:
    return RunSpec(parse_workload(task("nap")), "threads", workers, {"seconds": 30.0}, sys.executable)


def test_a_cancel_while_the_runner_starts_reaches_it() -> None:
    """Ctrl+C just after the runner was given its run, before its events are read (its workers
    may run already): the cancel is kept and sent, not lost while the run naps on for 30 s."""
    events: list = []
    session = Session([events.extend])
    watch = session.sampler.watch_run
    session.sampler.watch_run = lambda pid: (session.cancel(), watch(pid))  # type: ignore[method-assign]
    try:
        session.run(_nap(), timeout=10)
    finally:
        session.close()
    assert [e.status for e in events if isinstance(e, RunFinished)] == ["cancelled"]  # not "timeout"
    assert sorted(e.status for e in events if isinstance(e, WorkerFinished)) == ["cancelled", "cancelled"]


def test_a_cancel_before_the_runner_is_spoken_to_is_sent_once_it_is() -> None:
    events: list = []
    session = Session([events.extend])
    try:
        session.stop()  # as if Ctrl+C came while start() was on its way
        runner = session.start(_nap())
        assert runner.wait(10)
    finally:
        session.close()
    assert [e.status for e in events if isinstance(e, RunFinished)] == ["cancelled"]


def test_a_cancel_while_the_workload_imports_ends_cancelled_not_crashed(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A runner still importing reads no command: the cancel's reaper kills it, and the run
    says it was cancelled and why, not that the runner crashed."""
    monkeypatch.setenv(READY_ENV, str(tmp_path))
    events: list = []
    session = Session([events.extend])
    spec = RunSpec(parse_workload(f"{TASKS.with_name('slow_import.py')}:work"), "threads", 2, {}, sys.executable)
    try:
        runner = session.start(spec)
        deadline = time.monotonic() + 30
        while not (tmp_path / "importing").exists():
            assert time.monotonic() < deadline and not runner.done.is_set(), "the import never began"
            time.sleep(0.02)
        session.cancel()
        assert runner.wait(10)
    finally:
        session.close()
    (finished,) = [e for e in events if isinstance(e, RunFinished)]
    assert finished.status == "cancelled" and "did not stop" in (finished.error or ""), finished
    assert {e.status for e in events if isinstance(e, WorkerFinished)} == {"cancelled"}


def test_a_stopped_session_starts_no_other_run() -> None:
    """Ctrl+C between two runs of a sweep: the next run never starts."""
    events: list = []
    session = Session([events.extend])
    try:
        session.stop()
        session.run(_nap(), timeout=10)
    finally:
        session.close()
    assert session.runner is None and not any(isinstance(e, RunStarted) for e in events)
