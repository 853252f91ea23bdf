"""Each way a worker can fail is named in its row, the others finish, and the run exits 1.

`fail_by_index` makes worker i fail in way i (0 finishes, 1 raises, 2 sys.exit, 3 os._exit,
4 segfault, 5 SIGSEGV). In child processes nothing a worker does reaches the others; in
threads, os._exit and a segfault end the whole runner process, so every worker is
reported crashed with the runner's reason (as the README says).
"""
from __future__ import annotations

import re
import sys
import threading

import pytest
from conctui.engine.events import Progress, WorkerFinished, WorkerStarted
from conctui.engine.session import Session
from conctui.engine.spec import RunSpec, parse_workload
from fixtures.command import conctui, task

pytestmark = pytest.mark.process


def _run(function: str, mode: str, workers: int) -> dict:
    result = conctui("run", task(function), "--mode", mode, "--workers", str(workers), "--json")
    assert result.code == 1, result.err
    assert "Traceback" not in result.err
    return result.run()


def _rows(run: dict) -> list[dict]:
    assert [w["index"] for w in run["per_worker"]] == list(range(run["workers"]))
    return run["per_worker"]


def _assert_raise_and_exit_fail_alone(rows: list[dict]) -> None:
    fine, raised, exited = rows[:3]
    assert fine["status"] == "done" and fine["error"] is None
    assert raised["status"] == "failed"
    assert re.fullmatch(r"ValueError: boom \(user_tasks\.py:\d+\)", raised["error"]), raised["error"]
    assert exited["status"] == "failed"
    assert "sys.exit(3)" in exited["error"]


@pytest.mark.parametrize(("mode", "function"), [
    ("sequential", "fail_by_index"), ("threads", "fail_by_index"), ("asyncio", "afail_by_index"),
])
def test_in_process_a_raise_and_sys_exit_fail_only_their_worker(mode: str, function: str) -> None:
    run = _run(function, mode, 3)
    assert run["status"] == "failed"
    _assert_raise_and_exit_fail_alone(_rows(run))


def test_each_child_process_fails_alone_with_its_reason() -> None:
    run = _run("fail_by_index", "processes", 6)
    assert run["status"] == "failed"
    rows = _rows(run)
    _assert_raise_and_exit_fail_alone(rows)
    assert len({w["pid"] for w in rows}) == 6 and all(isinstance(w["pid"], int) for w in rows)  # the dead too
    died = [(w["status"], w["error"], w["exitcode"]) for w in rows[3:]]
    assert died == [
        ("crashed", "exited with code 7", 7),
        ("crashed", "killed by SIGSEGV", -11),
        ("crashed", "killed by SIGSEGV", -11),
    ]
    # it died before it could tell its CPU: none, or what the sampler last read of it
    assert all(w["cpu_s"] is None or w["cpu_s"] >= 0 for w in rows[3:])


@pytest.mark.parametrize(("function", "reason"), [
    ("hard_exit", "exited with code 7"),
    ("segfault", "killed by SIGSEGV"),
])
def test_a_dying_thread_takes_the_runner_and_every_worker(function: str, reason: str) -> None:
    run = _run(function, "threads", 3)
    assert run["status"] == "crashed"
    assert reason in run["error"]
    assert {w["status"] for w in _rows(run)} == {"crashed"}
    assert all(reason in w["error"] for w in run["per_worker"])


def test_a_line_printed_just_before_os_exit_is_kept() -> None:
    rows = _rows(_run("last_words", "processes", 2))
    assert [(w["status"], w["output"]) for w in rows] == [
        ("crashed", [f"last words of {i}"]) for i in range(2)]


@pytest.mark.parametrize("mode", ["threads", "processes"])
def test_report_of_a_non_number_fails_its_worker_and_the_stream_goes_on(mode: str) -> None:
    events: list = []
    session = Session([events.extend])
    try:
        session.run(RunSpec(parse_workload(task("bad_report")), mode, 2, {}, sys.executable), timeout=30)
    finally:
        session.close()
    finished = {e.index: e for e in events if isinstance(e, WorkerFinished)}
    assert finished[0].status == "done"
    assert finished[1].status == "failed"
    # report() is array('d').__setitem__: the C call refuses the str in the worker's own line
    assert re.fullmatch(r"TypeError: must be real number, not str \(user_tasks\.py:\d+\)", finished[1].error)
    fractions = {e.fraction for e in events if isinstance(e, Progress) and e.index == 0}
    assert len(fractions) >= 2, fractions  # 5 reports 20 ms apart, flushed every 20 ms, not only at the end


@pytest.mark.parametrize("mode", ["threads", "sequential"])
def test_a_cancelled_thread_that_never_reports_stops_in_its_own_thread(mode: str) -> None:
    """report() is a C call that cannot raise: cancellation raises Cancelled in the worker's
    thread itself (an asynchronous exception), so even `while True: pass` stops where it is,
    rather than being reported "did not stop" and ended with the runner."""
    events: list = []
    started = threading.Event()  # the last worker to start runs: threads, both; sequential, the first

    def sink(batch: list) -> None:
        events.extend(batch)
        if any(isinstance(e, WorkerStarted) and e.index == (1 if mode == "threads" else 0) for e in batch):
            started.set()

    session = Session([sink])
    try:
        runner = session.start(RunSpec(parse_workload(task("spin")), mode, 2, {}, sys.executable))
        assert started.wait(30), "the workers never started"
        session.cancel()
        assert runner.wait(10)
    finally:
        session.close()
    finished = sorted((e.index, e.status, e.error) for e in events if isinstance(e, WorkerFinished))
    assert finished[0] == (0, "cancelled", None)
    assert [status for _, status, _ in finished] == ["cancelled", "cancelled"]
    assert not any("did not stop" in (error or "") for _, _, error in finished), finished


def test_a_cancel_while_children_start_ends_every_worker_and_its_courier() -> None:
    """Each child's courier thread is started before any child and waits for its child's launch:
    a cancel that comes while the children are still being started must end the couriers of those
    never started too, or the run would end only after the runner's grace (workers 'did not stop')."""
    workers = 8
    events: list = []
    started = threading.Event()

    def sink(batch: list) -> None:
        events.extend(batch)
        if any(isinstance(e, WorkerStarted) for e in batch):
            started.set()

    session = Session([sink])
    try:
        runner = session.start(RunSpec(parse_workload(task("spin")), "processes", workers, {}, sys.executable))
        assert started.wait(30), "no worker started"
        session.cancel()
        assert runner.wait(10)
    finally:
        session.close()
    finished = {e.index: e for e in events if isinstance(e, WorkerFinished)}
    assert sorted(finished) == list(range(workers))
    assert {e.status for e in finished.values()} == {"cancelled"}, finished
    said = {e.error for e in finished.values()}
    # ended by the cancel's SIGTERM, or never launched; none left for the runner's last sweep
    assert said <= {"killed by SIGTERM", "cancelled before it started"}, said
