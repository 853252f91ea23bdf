"""The lab's GIL sampler holds py-spy to a budget of CPU (engine/pyspy_budget.py): a few processes'
windows still come back to back, 17 processes' come seconds apart, and between windows the GIL
figures stay those of the windows sampled, never 0."""
from __future__ import annotations

import os
import stat
import sys
import threading
from pathlib import Path

import pytest
from conctui.engine import gil_sampler
from conctui.engine.events import GilWorkers, PythonInfo, RunStarted, WorkerStarted
from conctui.engine.gil_sampler import RunSampling, Worker
from conctui.engine.pyspy_budget import SAMPLES_PER_S, Budget

# one 1 s window's py-spy CPU, measured here (py-spy 0.4 on busy workers): attaching is most of it
CHEAP_S, WINDOW_WALL_S = 0.08, 1.05  # 2 worker processes and the runner
DEAR_S, DEAR_WALL_S = 0.33, 1.3  # 16 worker processes and the runner, at 23 Hz: 1.3 s from start to end


def test_a_few_processes_windows_still_come_back_to_back() -> None:
    budget = Budget(0.0, gil_sampler.BUDGET)
    now = 0.0
    for _ in range(20):  # 20 windows of 3 processes: never held back
        assert budget.ready(now)
        now += WINDOW_WALL_S
        budget.spend(CHEAP_S, now)


def test_seventeen_processes_windows_come_seconds_apart() -> None:
    budget = Budget(0.0, gil_sampler.BUDGET)
    assert budget.ready(0.0)  # the first window at once: a short run still has figures
    budget.spend(DEAR_S, DEAR_WALL_S)
    assert not budget.ready(DEAR_WALL_S + 1.0)
    assert budget.ready(DEAR_S / gil_sampler.BUDGET + 0.1)


def _sampling(sent: list[GilWorkers], pid: int = 10) -> RunSampling:
    return RunSampling(RunStarted(0.0, 1, "threads", "cpu", {}, 1, PythonInfo(), "spawn", pid), sent.extend, 0.0)


def test_between_windows_the_figures_are_the_windows_sampled_never_0() -> None:
    """A window held 100%, then 4 s with no window (the budget), then one held 50%: between them
    the figure stays 100%, and over the run it is 75%, the windows' own time-weighted (the gap
    counts neither as held nor as sampled)."""
    sent: list[GilWorkers] = []
    sampling = _sampling(sent)
    sampling.workers = {0: Worker(0, 10, 100, [], started=0.0)}
    sampling._count({(10, 100): 100}, 0.0, 1.0)
    sampling._send(final=False)
    sampling._send(final=False)  # a second later: no window, the budget held it back
    sampling._count({(10, 100): 50}, 5.0, 6.0)
    sampling._send(final=False)
    assert [(event.rows[0][1], event.run_held) for event in sent] == [(1.0, 1.0), (1.0, 1.0), (0.75, 0.75)]


def test_a_window_at_a_lower_rate_is_counted_at_its_own_rate() -> None:
    """16 worker processes are sampled at 23 Hz (SAMPLES_PER_S over 17): 23 held samples of a 1 s
    window are all of it, not 23% (a window read at 100 Hz)."""
    sent: list[GilWorkers] = []
    sampling = _sampling(sent)
    sampling.workers = {0: Worker(0, 10, 100, [], started=0.0)}
    sampling._count({(10, 100): 23}, 0.0, 1.0, rate=SAMPLES_PER_S // 17)
    rows, held = sampling._rows()
    assert rows[0][1] == pytest.approx(1.0, abs=0.05) and held == rows[0][1]


def _fake_py_spy(folder: Path, burn_s: float) -> Path:
    """A stand-in py-spy that notes each start in `folder`/starts, burns `burn_s` CPU-s, and
    writes a window in which this test's thread held the GIL throughout."""
    starts = folder / "starts"
    fake = folder / "py-spy"
    fake.write_text(f"#!{sys.executable}\nimport sys, time\nopen({str(starts)!r}, 'a').write('start\\n')\n"
                    f"end = time.process_time() + {burn_s}\nwhile time.process_time() < end:\n    pass\n"
                    "out = sys.argv[sys.argv.index('--output') + 1]\n"
                    f"open(out, 'w').write('thread ({threading.get_native_id()}): main;work (job.py:1) 100\\n')\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    return starts


@pytest.mark.process
def test_a_py_spy_that_burns_cpu_holds_back_the_next_window(tmp_path, monkeypatch) -> None:
    """A stand-in py-spy that burns 0.2 CPU-s a window, under a budget that takes 200 s to pay it
    back: one window only, and every figure sent after it is that window's."""
    starts = _fake_py_spy(tmp_path, 0.2)
    monkeypatch.setenv("CONCTUI_PY_SPY", str(tmp_path / "py-spy"))
    monkeypatch.setattr(gil_sampler, "BUDGET", 0.001)
    sent: list[GilWorkers] = []
    three = threading.Semaphore(0)
    sampling = _sampling(sent, os.getpid())
    sampling.emit = lambda events: (sent.extend(events), three.release())
    sampling.worker(WorkerStarted(0.0, 0, os.getpid(), threading.get_native_id()))  # starts its thread
    try:
        for _ in range(4):  # the window's figures, then at least 3 more a second apart with no window
            assert three.acquire(timeout=30), f"no figures: {sent}"
    finally:
        sampling.stop()
        sampling.thread.join(10)
    held = [event.rows[0][1] for event in sent]
    first = next(i for i, value in enumerate(held) if value is not None)
    assert held[first] == pytest.approx(1.0, abs=0.05) and len(held) - first >= 3
    assert all(value == held[first] for value in held[first:]), held  # never 0, never dropped
    assert starts.read_text().count("start") == 1
    assert sent[-1].source.startswith("py-spy at 100 Hz") and "spaced to cost at most" in sent[-1].source



@pytest.mark.process
def test_a_processes_runs_first_window_waits_until_every_worker_process_started(tmp_path, monkeypatch) -> None:
    """py-spy attaching to each new process costs CPU the starting children need (issue 23 §4):
    in the processes mode the first window starts once every worker has started, or ended without
    starting. Until then the figures say why they are missing, never 0; then they come."""
    starts = _fake_py_spy(tmp_path, 0.0)
    monkeypatch.setenv("CONCTUI_PY_SPY", str(tmp_path / "py-spy"))
    sent: list[GilWorkers] = []
    arrived = threading.Semaphore(0)
    pid, tid = os.getpid(), threading.get_native_id()
    started = RunStarted(0.0, 1, "processes", "cpu", {}, 3, PythonInfo(), "spawn", pid)
    sampling = RunSampling(started, lambda events: (sent.extend(events), arrived.release()), 0.0)
    sampling.worker(WorkerStarted(0.0, 0, pid, tid))  # starts its thread: /proc reads, no window yet
    try:
        assert arrived.acquire(timeout=30), "no figures a window's time after the first worker started"
        assert not starts.exists(), "py-spy started while worker processes were still starting"
        assert sent[0].note == gil_sampler.NOT_YET and sent[0].rows == [[0, None, None, None]]
        sampling.worker(WorkerStarted(0.1, 1, pid, tid))
        sampling.ended(2, 0.2)  # the last one ended before it started (its workload failed to load)
        while sent[-1].note is not None:
            assert sent[-1].note == gil_sampler.NOT_YET, sent[-1].note
            assert arrived.acquire(timeout=30), f"no window once every worker had started: {sent}"
    finally:
        sampling.stop()
        sampling.thread.join(10)
    assert starts.read_text().count("start") >= 1
    held = [row[1] for row in sent[-1].rows]  # both workers stand on this test's thread: it held throughout
    assert None not in held and sum(held) == pytest.approx(1.0, abs=0.05), held


def test_before_a_processes_runs_first_window_the_gil_line_says_not_sampled_yet() -> None:
    """Between the workers' start and py-spy's first window the cores pane says why there is no
    GIL figure (the /proc reads already counted are held back with it), then shows the window's."""
    from conctui.engine.state import SessionState, apply
    from conctui.widgets.cores import gil_line

    sent: list[GilWorkers] = []
    started = RunStarted(0.0, 1, "processes", "cpu", {}, 1, PythonInfo(), "spawn", 10)
    sampling = RunSampling(started, sent.extend, 0.0)
    sampling.workers = {0: Worker(0, 11, 11, [0, 64], started=0.0, reads=50, waiting=10)}
    sampling._send(final=False)
    state = SessionState()
    for folded in (started, WorkerStarted(0.0, 0, 11, 11), *sent):
        apply(state, folded)
    assert gil_line(state).plain == "GIL: not sampled yet"
    assert state.current.workers[0].gil_held is None and state.current.workers[0].gil_wait is None
    sampling._count({(11, 11): 100}, 0.0, 1.0)
    sampling._send(final=False)
    apply(state, sent[-1])
    assert gil_line(state).plain == "GIL held each 100%"
