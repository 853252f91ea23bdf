"""The text each pane draws, tested directly: a worker's line, the clock, the GIL meter's line."""
from __future__ import annotations

import pytest
from conctui.engine.events import GilSample, GilWorkers, RunFinished, RunStarted, WorkerFinished, WorkerStarted
from conctui.engine.figures import run_figures
from conctui.engine.state import SessionState, WorkerState, apply
from conctui.engine.watch.model import WatchModel
from conctui.runner.gil_constants import NO_GIL
from conctui.widgets.clock import clock_text
from conctui.widgets.cores import gil_line
from conctui.widgets.workers import HEADER, STATE_STYLE, cells_line, worker_cells
from rich.text import Text

PYTHON = {"executable": "/usr/bin/python3", "version": "3.12.7", "usable_cores": 2}


def worker_line(worker: WorkerState, now: float) -> Text:
    """The line the workers pane draws for `worker` at `now`."""
    return cells_line(worker_cells(worker, now), worker.status)


def _fold(*events: object) -> SessionState:
    state = SessionState()
    for event in events:
        apply(state, event)
    return state


def _started(t: float = 0.5, mode: str = "threads", workers: int = 2) -> RunStarted:
    return RunStarted(t, 1, mode, "download", {}, workers, PYTHON, "spawn", 100)


def _gil(wait: float | None, run_wait: float | None, note: str | None = None) -> GilSample:
    return GilSample(1.0, wait, 0.9, 7.0, run_wait, 0.9, 7.0, 5.0, 0.05, note)


def test_a_running_thread_shows_each_figure_in_its_column() -> None:
    worker = WorkerState(0, "running", pid=100, tid=101, fraction=0.5, started_t=1.0, cpu_s=0.31, core=1,
                         gil_held=0.48)
    line = worker_line(worker, now=2.44)
    assert line.plain.split() == ["0", "t101", "run", "███░░░", "1.4s", "0.3s", "48%", "1"]
    assert len(line.plain) == len(HEADER.plain)  # every cell fills its column exactly
    state_at = line.plain.index("run")
    assert any(span.start == state_at and span.style == STATE_STYLE["running"] for span in line.spans)


def test_a_process_is_named_by_its_pid_and_a_finished_worker_by_its_own_wall() -> None:
    worker = WorkerState(3, "done", pid=200, tid=200, fraction=1.0, started_t=1.0, ended_t=3.0, wall_s=12.34,
                         cpu_s=None)
    assert worker_line(worker, now=99.0).plain.split() == ["3", "p200", "done", "██████", "12s", "-", "-", "-"]


def test_a_worker_that_never_reports_sweeps_instead_of_making_up_a_share() -> None:
    worker = WorkerState(1, "running", pid=100, tid=102, started_t=0.0)
    bars = {worker_line(worker, now=t).plain.split()[3] for t in (0.0, 0.25, 0.5, 0.75)}
    assert len(bars) > 1 and all("▓▓▓" in bar and len(bar) == 6 for bar in bars)
    waiting = worker_line(WorkerState(2), now=5.0).plain.split()
    assert waiting == ["2", "-", "wait", "······", "-", "-", "-", "-"]


@pytest.mark.parametrize("status", sorted(STATE_STYLE))
def test_every_state_with_the_widest_figures_fills_the_header_exactly(status: str) -> None:
    """A line wider than the header gives the pane a horizontal scrollbar, which hides a row at 80x24."""
    worker = WorkerState(999, status, pid=4194304, tid=4194303, fraction=0.5, started_t=0.0, ended_t=None,
                         cpu_s=999.0, core=127, gil_held=0.5)
    assert worker_line(worker, now=999.0).cell_len == HEADER.cell_len


def test_the_clock_before_during_and_after_a_run() -> None:
    assert clock_text(None, 0.0) == "no run yet: ⏎ run, c compare"
    live = _fold(_started(t=0.5))
    assert clock_text(live.current, now=2.04) == "threads: elapsed 1.5 s"
    ended = _fold(_started(t=0.5, workers=1), WorkerStarted(0.6, 0, 100, 101),
                  WorkerFinished(2.4, 0, "done", None, 1.8, 1.0), RunFinished(2.5, "done", 2.0))
    text = clock_text(ended.current, now=50.0, figures=run_figures(ended.current))
    assert text == "threads done · wall 2.00 s\ncpu 1.00 s · parallelism 0.50"


def test_the_clock_says_a_run_with_a_failed_worker_failed() -> None:
    ended = _fold(_started(workers=2), WorkerStarted(0.6, 0, 100, 101), WorkerStarted(0.6, 1, 100, 102),
                  WorkerFinished(1.0, 0, "failed", "ValueError: no", 0.4, 0.1),
                  WorkerFinished(1.5, 1, "done", None, 0.9, 0.2), RunFinished(1.6, "done", 1.0))
    text = clock_text(ended.current, now=9.0, figures=run_figures(ended.current))
    assert text.startswith("threads failed · wall 1.00 s")


def test_every_line_of_the_clock_fits_the_side_pane() -> None:
    """30 cells at 80x24: `interpreters done · wall 3.61 s` is 31, so the mode gives way to its label."""
    assert len(clock_text(None, 0.0)) <= 30
    ended = _fold(_started(t=0.5, mode="interpreters", workers=1), WorkerStarted(0.6, 0, 100, 101),
                  WorkerFinished(4.1, 0, "done", None, 3.5, 3.4), RunFinished(4.2, "done", 3.61))
    text = clock_text(ended.current, now=50.0, figures=run_figures(ended.current))
    assert text.split("\n")[0] == "interp done · wall 3.61 s"
    assert all(len(line) <= 30 for line in text.split("\n"))
    roomy = clock_text(ended.current, now=50.0, figures=run_figures(ended.current), width=40)
    assert roomy.startswith("interpreters done · wall 3.61 s")


def _sampled(t: float, *rows: list, run_held: float | None = None, note: str | None = None) -> GilWorkers:
    return GilWorkers(t, list(rows), run_held, note, "py-spy")


def test_a_watched_programs_gil_line_points_to_the_threads_not_a_bare_dash() -> None:
    watched = SessionState()
    watched.watch = WatchModel()
    assert gil_line(watched).plain == "GIL: see threads"  # a GIL per process: each thread's share is there


def test_the_gil_line_is_the_workers_sampled_figures_live_then_over_the_run() -> None:
    assert gil_line(SessionState()).plain == "GIL -"
    assert gil_line(_fold(_started(), _gil(0.93, 0.93))).plain == "GIL -"  # the probe alone says nothing of workers
    live = _fold(_started(), WorkerStarted(0.6, 0, 100, 101), WorkerStarted(0.6, 1, 100, 102),
                 _gil(0.93, 0.93), _sampled(1.6, [0, 0.5, 0.3, 0.0], [1, 0.4, 0.5, 0.0], run_held=0.9))
    assert gil_line(live).plain == "GIL wait 40% held 90%"  # not the probe's 93%
    apply(live, _sampled(2.9, [0, 0.5, 0.1, 0.0], [1, 0.4, 0.1, 0.0], run_held=0.9))
    apply(live, RunFinished(3.0, "done", 2.5))
    assert gil_line(live).plain == "GIL wait 10% held 90%"  # ended: the whole run's


def test_the_gil_line_says_why_it_has_no_figures() -> None:
    refused = _fold(_started(), _sampled(1.0, [0, None, None, None], note="ptrace refused (not root)"))
    assert gil_line(refused).plain == "GIL: ptrace refused"
    free = _fold(_started(), _sampled(1.0, [0, None, None, None], note=NO_GIL))
    assert gil_line(free).plain == "no GIL (free-threaded)"  # not `GIL: no GIL:`
    missing = _fold(_started(), _sampled(1.0, [0, None, None, None], note="py-spy is not installed: pip install x"))
    assert gil_line(missing).plain == "GIL - (why: output)"  # not `GIL: py-spy is not in`


def test_the_gil_line_of_processes_is_each_ones_share_of_its_own_gil_never_a_sum() -> None:
    own = _fold(_started(mode="processes"), WorkerStarted(0.6, 0, 100, 100), WorkerStarted(0.6, 1, 101, 101),
                _gil(None, None, "own GIL in each worker process"),
                _sampled(1.6, [0, 0.98, 0.0, 0.0], [1, 0.96, 0.0, 0.0], run_held=1.94))  # version 1 summed them
    assert gil_line(own).plain == "GIL held each 97%"
