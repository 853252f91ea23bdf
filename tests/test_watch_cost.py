"""What keeps `conctui watch` cheap: py-spy's runs held to a budget of CPU (and the GIL held a
window shows taken from py-spy's last window however far apart windows come), and a threads
table that repaints only the cells whose figures changed."""
from __future__ import annotations

import os
import stat
import sys
import time

import pytest
from conctui.app import ConcApp
from conctui.engine.pyspy_budget import Budget
from conctui.engine.watch.events import WatchSample, WatchStarted
from conctui.engine.watch.model import WatchModel
from conctui.engine.watch.pyspy import PySpyWindows
from conctui.watch_source import WatchSource
from fixtures.watch_stream import stream
from textual.geometry import Region


def test_a_run_s_cpu_is_paid_back_before_the_next_starts() -> None:
    budget = Budget(0.0, share=0.05, saved_s=10.0)
    assert budget.ready(0.0)  # the first window starts at once: first figures within 1.5 s
    budget.spend(0.35, 1.0)  # 17 processes' attaches: 0.35 CPU-s for a 1 s window
    assert not budget.ready(6.9)  # 0.05 + 0.05 * 5.9 < 0.35
    assert budget.ready(7.1)


def test_a_cheap_tree_saves_only_saved_s_of_budget() -> None:
    budget = Budget(0.0, share=0.05, saved_s=10.0)
    budget.spend(0.01, 100.0)
    assert budget.balance == pytest.approx(0.49)  # capped at 0.5 before the run's cost, not 5.0
    budget.spend(0.6, 100.0)
    assert not budget.ready(100.0)


@pytest.mark.process
def test_a_finished_run_s_cpu_holds_back_the_next(tmp_path) -> None:
    """A stand-in py-spy that burns CPU: once its run is read, no other starts until it is paid back."""
    fake = tmp_path / "py-spy"
    fake.write_text(f"#!{sys.executable}\nimport time\nend = time.process_time() + 0.2\n"
                    "while time.process_time() < end:\n    pass\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    windows = PySpyWindows(42)
    windows.binary, windows.note = str(fake), None
    windows.budget = Budget(time.monotonic(), share=0.001)  # 0.2 CPU-s takes 200 s to pay back
    try:
        windows.poll()  # the first window and the first dump start at once
        runs = [windows.record, windows.dump]
        assert None not in runs
        for run in runs:
            os.waitid(os.P_PID, run.pid, os.WEXITED | os.WNOWAIT)  # ended, left for the poll to reap
        windows.poll()
        assert [run.returncode for run in runs] == [0, 0] and windows.record is None and windows.dump is None
        assert windows.budget.balance <= -0.3  # their CPU, read from the reaped children
        windows.want_names()
        assert windows.poll() == [] and windows.record is None and windows.dump is None
    finally:
        windows.close()


def _sample(t: float, held: int, sampled: float) -> WatchSample:
    thread = {"pid": 42, "tid": 43, "name": "cruncher", "cpu_s": 0.5 * t, "core": 0, "reads": 100 * int(t),
              "states": {"running": 100 * int(t)}, "held": held, "sampled": sampled, "top": None, "ended": False}
    process = {"pid": 42, "ppid": 1, "role": "main", "argv": ["python"], "python": "CPython 3.11.7",
               "rss_bytes": 1 << 20, "cpu_s": 0.5 * t, "threads": 1, "ended": None}
    return WatchSample(t, [50.0], 0.01, [process], [thread])


def test_a_window_s_gil_held_is_py_spy_s_last_window_however_far_apart() -> None:
    """py-spy's windows every 3 s (a big tree's budget): between them the window still shows the last one's."""
    model = WatchModel()
    model.fold([WatchStarted(0.0, 42, ["python"], "CPython 3.11.7", False, 2)])
    shown = []
    for t, held, sampled in ((0, 0, 0.0), (1, 0, 0.0), (2, 150, 300.0), (3, 150, 300.0), (4, 150, 300.0),
                             (5, 180, 600.0), (6, 180, 600.0)):
        model.fold([_sample(float(t), held, sampled)])
        shown.append(model.figures(window=True)[0].threads[0].gil_held)
    assert shown[2:] == [0.5, 0.5, 0.5, 0.1, 0.1]
    assert model.figures(window=False)[0].threads[0].gil_held == pytest.approx(0.3)  # the whole watch's


async def test_the_threads_table_repaints_only_the_cells_whose_figures_changed() -> None:
    """A second in which one thread's CPU moved: its cpu cells are repainted, not its line, nor any other."""
    events = stream(4)
    last = events.pop()
    source = WatchSource(launched=True)
    source(events)
    app = ConcApp(source, ticking=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.panes.frame()
        await pilot.pause()
        pane = app.panes.workers_pane
        before = [line.plain for line in pane.lines]
        painted: list[Region] = []
        refresh = pane.refresh
        pane.refresh = lambda *regions, **kwargs: (painted.extend(regions), refresh(*regions, **kwargs))[1]
        threads = [{**row, "cpu_s": row["cpu_s"] + 0.5} if row["name"] == "cruncher_1" else row
                   for row in last.threads]
        source([WatchSample(last.t, last.cores, last.app_cpu, last.processes, threads)])
        app.panes.frame()
        await pilot.pause()
        after = [line.plain for line in pane.lines]
    (y,) = [i for i, (old, new) in enumerate(zip(before, after)) if old != new]
    assert "cruncher_1" in after[y]
    assert [(r.y + pane.scroll_offset.y, r.height) for r in painted] == [(y, 1)]
    (region,) = painted
    cpu = after[y].index("cruncher_1") + 13  # the cpu column, after the 12-cell name and a blank
    assert cpu <= region.x and region.right <= cpu + 4  # only its digits, of an 80-cell line


async def test_the_whole_watch_s_verdict_is_taken_in_the_frame_after_a_sample_s(monkeypatch) -> None:
    """Both verdicts in one frame would cost 256 threads' figures twice: the whole watch's waits a frame."""
    from conctui.widgets import verdict_lines

    taken: list[tuple[float, bool]] = []
    verdict = verdict_lines.verdict
    monkeypatch.setattr(verdict_lines, "verdict", lambda model, window: (
        taken.append((model.last.t, window)), verdict(model, window))[1])
    events = stream(10)
    later = [event for event in events if isinstance(event, WatchSample) and event.t >= 5]
    source = WatchSource(launched=True)
    source([event for event in events if event not in later])  # the start, the output and t = 0..4
    app = ConcApp(source, ticking=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.panes.frame()
        whole_frames = []
        for sample in later:  # t = 5..10, a frame each, then a frame with nothing new
            for events_of_frame in ([sample], []):
                source(events_of_frame)
                taken.clear()
                app.panes.frame()
                if (sample.t, False) in taken:
                    whole_frames.append((sample.t, bool(events_of_frame)))
        await pilot.pause()
    assert whole_frames == [(9.0, False)]  # due at t = 9 (5 s after t = 4): in the frame after its sample's
    assert "whole watch, 9 s" in str(app.panes.results_pane.render())
