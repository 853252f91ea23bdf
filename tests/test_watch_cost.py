"""What keeps `conctui watch` cheap: py-spy's runs held to a budget of CPU (and the GIL held a
window shows taken from py-spy's last window however far apart windows come), later windows
stretched so py-spy costs RUNNING_SHARE of a core while it runs, one py-spy at a time (a dump
waits for the window running, and only for root threads it did not name), the tree found from
its own /proc files, a sampler that stops without spinning, and a threads table that repaints
only the cells whose figures changed."""
from __future__ import annotations

import contextlib
import io
import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator
from types import SimpleNamespace

import pytest
from conctui.app import ConcApp
from conctui.engine.process_tree import descendants
from conctui.engine.pyspy_budget import Budget
from conctui.engine.watch import pyspy
from conctui.engine.watch.events import WatchSample, WatchStarted
from conctui.engine.watch.model import WatchModel
from conctui.engine.watch.pyspy import MIN_AGE_S, RUNNING_SHARE, PySpyWindows, Window
from conctui.engine.watch.sampler import ThreadTally, WatchSampler
from conctui.engine.watch.tree import ProcessTree
from conctui.watch_source import WatchSource
from fixtures.watch_stream import stream
from rich.text import Text
from textual.geometry import Region
from textual.pilot import Pilot


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
        windows.poll()  # the first window starts at once
        (run,) = windows.runs.values()
        assert windows.dump is None
        os.waitid(os.P_PID, run.pid, os.WEXITED | os.WNOWAIT)  # ended, left for the poll to reap
        windows.poll()
        assert run.returncode == 0 and not windows.runs and windows.dump is None
        assert windows.budget.balance <= -0.15  # its CPU, read from the reaped child
        windows.want_names((42, 43))
        assert windows.poll() == [] and not windows.runs and windows.dump is None
    finally:
        windows.close()


def test_later_windows_stretch_so_py_spy_costs_running_share_while_it_runs() -> None:
    windows = PySpyWindows(42)
    try:
        assert windows._window(1) == (1, 100)  # the first: at once, 1 s at 100 Hz (first figures within 1.5 s)
        assert windows._window(17) == (1, 23)  # past 4 processes, 400 samples a second over them all
        windows.cost_each = 0.034  # a 2-process Pool's parent and workers: 0.1 CPU-s a window
        seconds, rate = windows._window(3)
        assert (seconds, rate) == (6, 8) and 0.034 * 3 / seconds <= RUNNING_SHARE  # the old: 1 s at 100 Hz, 10%
        windows.cost_each = 0.005  # an idle program: cheap, yet not above 25 Hz
        assert windows._window(1) == (2, 25)
        windows.cost_each = 0.035  # a big tree, MAX_RUNS processes a window: long, slow windows, still at the share
        seconds, rate = windows._window(pyspy.MAX_RUNS)
        assert rate == 5 and seconds <= pyspy.MAX_WINDOW_S and 0.035 * pyspy.MAX_RUNS / seconds <= RUNNING_SHARE
    finally:
        windows.close()


class _Run:
    """A stand-in py-spy run that ends when the test says, having used `cpu` seconds."""

    def __init__(self, target: int, args: tuple[str, ...]) -> None:
        self.target, self.what, self.pid, self.returncode, self.stderr = target, args[0], -1, None, io.BytesIO()
        self.cpu: float | None = None

    def communicate(self) -> tuple[None, None]:
        return None, None

    def poll(self) -> int:  # closing: already ended
        return 0


def _stand_in(monkeypatch, runs: list[_Run]) -> None:
    """PySpyWindows made after this finds a py-spy, and starts `_Run`s, noted in `runs`, in its place."""
    monkeypatch.setattr(pyspy, "find_py_spy", lambda: "py-spy")
    monkeypatch.setattr(PySpyWindows, "_spawn", lambda self, pid, *args, output: runs.append(_Run(pid, args))
                        or runs[-1])
    monkeypatch.setattr(pyspy, "finished_cpu", lambda run: None if run.cpu is None else run.cpu)


def _files(live: bool = True) -> SimpleNamespace:
    """A thread's /proc files, stood in for: its stat read (fields of a thread that used no CPU), or,
    once it has gone, OSError."""
    def stat_fields() -> list[bytes]:
        if not live:
            raise FileNotFoundError("gone")
        return [b"0"] * 40

    return SimpleNamespace(stat_fields=stat_fields, close=lambda: None)


def end(run: _Run, document: object, path: str) -> None:
    """The run ends, having written `document` to `path`."""
    with open(path, "w") as file:
        json.dump(document, file)
    run.cpu, run.returncode = 0.0, 0


def test_one_py_spy_at_a_time_and_a_dump_only_for_root_threads_the_window_did_not_name(monkeypatch) -> None:
    """A Pool starting mid-window: its parent's new threads wait for the window, which names those
    that held the GIL; one dump then names the rest before the next window. A worker's thread
    never asks for a dump (py-spy 0.4.3's dump reads only the root)."""
    runs: list[_Run] = []
    _stand_in(monkeypatch, runs)

    windows = PySpyWindows(42)
    try:
        windows.want_names((42, 42))
        windows.poll()
        assert [run.what for run in runs] == ["record"]  # the first window first
        for key in ((42, 43), (42, 44), (50, 51)):  # the Pool's threads, and a worker's
            windows.want_names(key)
        windows.poll()
        assert [run.what for run in runs] == ["record"] and windows.unnamed == {(42, 42), (42, 43), (42, 44)}
        end(runs[0], {"shared": {"frames": []}, "profiles": [{"name": 'Thread 43 "Thread-1 (_handle_tasks)"',
                                                               "samples": [[]]}]}, windows._out(42))
        (window,) = windows.poll()
        assert window.names == {(42, 43): "Thread-1 (_handle_tasks)"}
        assert [run.what for run in runs] == ["record", "dump"] and windows.unnamed == {(42, 42), (42, 44)}
        windows.poll()
        assert len(runs) == 2  # no window while the dump runs
        end(runs[1], [{"pid": 42, "os_thread_id": 44, "thread_name": "Thread-2", "frames": []}], windows.dumped_to)
        (dumped,) = windows.poll()
        assert dumped.names == {(42, 44): "Thread-2"} and not windows.unnamed
        assert [run.what for run in runs] == ["record", "dump", "record"]
    finally:
        windows.close()


def test_a_process_younger_than_min_age_s_is_left_to_the_next_window_and_says_why(monkeypatch) -> None:
    """A Pool's workers forked as a window is due: that window samples the parent alone (py-spy
    attaching to each worker would take CPU as the Pool wants every core); their GIL held reads
    not sampled, not 0, and the note says why; the first window that starts once they have lived
    MIN_AGE_S samples them, one py-spy run each, and the note goes."""
    runs: list[_Run] = []
    _stand_in(monkeypatch, runs)
    root, workers = os.getpid(), (4_000_001, 4_000_002)  # the workers are names only: nothing reads them
    sampler = WatchSampler(root, None, lambda events: None, time.monotonic())
    windows = sampler.pyspy
    tree = {root: SimpleNamespace(pid=root, began=time.time() - 100, ended=None, build=object())}
    sampler.tree.processes = tree
    sampler.threads = {(pid, pid): ThreadTally(pid, pid, "MainThread", _files(), None, cpu0=0.0)
                       for pid in (root, *workers)}
    try:
        assert sampler._pyspy_note() is None
        windows.poll()
        for pid in workers:  # forked while the first window runs
            tree[pid] = SimpleNamespace(pid=pid, began=time.time(), ended=None, build=object())
        assert "2 processes with no GIL held or frames yet" in sampler._pyspy_note()
        end(runs[0], {"shared": {"frames": []}, "profiles": [{"name": f"Thread {root}", "samples": [[]] * 50}]},
            windows._out(root))
        (window,) = windows.poll()
        assert window.pids == {root} and [run.target for run in runs] == [root, root]  # the workers are too young
        sampler._add_window(window)
        assert sampler.threads[(root, root)].held == 50
        assert all(sampler.threads[(pid, pid)].held is None for pid in workers)  # not sampled: not 0
        for pid in workers:
            tree[pid].began = time.time() - MIN_AGE_S
        sampler._pyspy_note()
        end(runs[1], {"shared": {"frames": []}, "profiles": []}, windows._out(root))
        windows.poll()
        assert sorted(run.target for run in runs[2:]) == sorted((root, *workers))
        # their window is under way: still not sampled, and still said (a headless watch may end now)
        assert "2 processes with no GIL held or frames yet" in sampler._pyspy_note()
        for run in runs[2:]:
            end(run, {"shared": {"frames": []}, "profiles": [{"name": f"Thread {run.target}", "samples": [[]] * 50}]},
                windows._out(run.target))
        (window,) = windows.poll()
        sampler._add_window(window)
        assert window.pids == {root, *workers} and sampler._pyspy_note() is None
    finally:
        windows.close()


def test_the_first_window_samples_every_process_found_however_young(monkeypatch) -> None:
    """Attached as a Pool starts: the first figures are the whole tree's, workers' frames included."""
    runs: list[_Run] = []
    _stand_in(monkeypatch, runs)
    windows = PySpyWindows(42)
    windows.processes = {42: time.time() - 100, 50: time.time()}
    try:
        windows.poll()
        assert sorted(run.target for run in runs) == [42, 50]
    finally:
        windows.close()


def test_the_second_window_is_predicted_from_the_first_windows_cost_at_a_later_windows_samples(monkeypatch) -> None:
    """The first window samples 3 processes at 100 Hz for 1 s (first figures) and costs 35 ms each;
    a later one takes 50 samples of each, so the second window is predicted at half that cost: 3 s
    at 16 Hz, not the 6 s that would leave a Pool's new workers without a GIL held for longer."""
    runs: list[_Run] = []
    _stand_in(monkeypatch, runs)
    windows = PySpyWindows(42)
    windows.processes = {pid: time.time() - 100 for pid in (42, 43, 44)}
    sampled = {"shared": {"frames": []}, "profiles": [{"name": "Thread 1", "samples": [[]] * 50}]}
    try:
        windows.poll()
        assert windows.seconds == 1 and windows.window.rate == 100
        for run in runs:
            end(run, sampled, windows._out(run.target))
            run.cpu = 0.035
        windows.poll()
        assert windows.cost_each == pytest.approx(0.035 * 50 / 100)
        assert windows._window(3) == (3, 16)  # the next window, once py-spy's budget lets it start
        assert 0.035 * 3 / 3 > RUNNING_SHARE  # unscaled, it would have stretched to 6 s
    finally:
        windows.close()


def test_a_window_with_a_process_not_sampled_yet_is_not_backed_off(monkeypatch) -> None:
    """No core idle: a new Pool worker's first window is as long as with a core idle, so its first GIL
    held comes no later (a 5 s headless watch of a busy Pool gave its workers none); the next is backed off."""
    runs: list[_Run] = []
    _stand_in(monkeypatch, runs)
    windows = PySpyWindows(42)
    try:
        windows.cost_each, windows.back_off = 0.034, 2
        windows.processes, windows.turns = {42: 0.0, 43: time.time() - 100}, {42: 0.0}
        windows._start(time.monotonic())
        assert windows.seconds == windows._window(2, new=True)[0] == 4
        windows.runs.clear()
        windows._start(time.monotonic())  # both sampled once now
        assert windows.seconds == windows._window(2)[0] == 7
    finally:
        windows.close()


def test_a_tree_past_max_runs_takes_turns_the_root_in_every_window(monkeypatch) -> None:
    """40 processes: no window starts more than MAX_RUNS py-spy runs at once; the root is in every
    one, and each other process gets its turn before any gets a second (least lately sampled first)."""
    runs: list[_Run] = []
    _stand_in(monkeypatch, runs)
    windows = PySpyWindows(42)
    children = list(range(100, 139))
    assert pyspy.MAX_RUNS < len(children)  # so they must take turns
    windows.processes = {pid: time.time() - 100 for pid in (42, *children)}
    per_window: list[list[int]] = []
    try:
        while len(per_window) < 4:
            started = len(runs)
            windows.poll()
            window = [run.target for run in runs[started:] if run.what == "record"]
            if window:
                per_window.append(window)
            for run in runs[started:]:
                end(run, {"shared": {"frames": []}, "profiles": []}, windows._out(run.target))
    finally:
        windows.close()
    assert all(len(window) <= pyspy.MAX_RUNS and window[0] == 42 for window in per_window)
    others = [pid for window in per_window for pid in window[1:]]
    assert sorted(others[:len(children)]) == children  # every one once before any twice
    assert others[len(children):] == others[:len(others) - len(children)]  # then the same turns again


def test_a_child_py_spy_fails_on_gets_py_spys_reason_not_the_wait_for_a_window(monkeypatch) -> None:
    """A child whose py-spy run fails: the note gives py-spy's error for it, not "from the first window
    that starts once it has lived 1 s", which would be false; it goes once a run on it succeeds."""
    runs: list[_Run] = []
    _stand_in(monkeypatch, runs)
    root, child = os.getpid(), 4_000_001
    sampler = WatchSampler(root, None, lambda events: None, time.monotonic())
    windows = sampler.pyspy
    old = time.time() - 100
    sampler.tree.processes = {pid: SimpleNamespace(pid=pid, began=old, ended=None, build=object())
                              for pid in (root, child)}
    sampled = {"shared": {"frames": []}, "profiles": [{"name": "Thread 1", "samples": [[]] * 50}]}
    try:
        sampler._pyspy_note()
        windows.poll()
        failing = next(run for run in runs if run.target == child)
        failing.cpu, failing.returncode = 0.0, 1
        failing.stderr = io.BytesIO(b"py-spy> Sampling...\nError: Failed to find python version from target process\n")
        end(next(run for run in runs if run.target == root), sampled, windows._out(root))
        for window in windows.poll():
            sampler._add_window(window)
        note = sampler._pyspy_note()
        assert note == f"py-spy failed on pid {child}: Error: Failed to find python version from target process"
        assert sorted(run.target for run in runs[2:]) == [root, child]  # the next window, started at once
        for run in runs[2:]:
            end(run, sampled, windows._out(run.target))
        for window in windows.poll():
            sampler._add_window(window)
        assert child in sampler.sampled and sampler._pyspy_note() is None and not windows.failed
    finally:
        windows.close()


@pytest.mark.process
def test_the_tree_is_read_from_its_own_children_files_not_every_process_on_the_machine(monkeypatch) -> None:
    """A child started from a thread other than the main one, and its own child: found, as psutil
    finds them, without psutil's walk over every process's stat."""
    if not os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children"):
        pytest.skip("this kernel has no /proc/PID/task/TID/children (CONFIG_PROC_CHILDREN): psutil's way is used")
    started: list[subprocess.Popen] = []
    script = "import subprocess, sys; subprocess.run([sys.executable, '-c', 'import sys; sys.stdin.read()'])"
    thread = threading.Thread(target=lambda: started.append(subprocess.Popen([sys.executable, "-c", script],
                                                                           stdin=subprocess.PIPE)))
    thread.start()
    thread.join()
    (child,) = started
    try:
        import psutil

        deadline = time.monotonic() + 20
        while len(psutil.Process(child.pid).children()) < 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        expected = {p.pid for p in psutil.Process().children(recursive=True)}
        assert child.pid in expected and len(expected) >= 2
        assert expected <= set(descendants(os.getpid()))
        monkeypatch.setattr(psutil.Process, "children", lambda *a, **k: pytest.fail("psutil walked every process"))
        tree = ProcessTree(os.getpid(), None)
        tree.scan()
        assert expected <= {pid for pid, p in tree.processes.items() if p.ended is None}
    finally:
        child.stdin.close()
        child.wait(30)


def test_a_stopped_sampler_ends_at_once_not_at_its_next_tick() -> None:
    """The loop waited on the stop event: set, it returned at once, and the loop spun until the next
    tick's time (a second at the default refresh) before its last sample."""
    first = threading.Event()
    samples: list[float] = []
    sampler = WatchSampler(os.getpid(), None, lambda events: (samples.append(time.monotonic()), first.set()),
                           time.monotonic(), refresh_hz=0.1, use_pyspy=False).start()
    assert first.wait(30)
    began = time.monotonic()
    sampler.stop()
    assert not sampler.thread.is_alive() and len(samples) == 2  # the last sample, emitted on stopping
    assert time.monotonic() - began < 5  # the old: the next tick, 10 s after the first


def test_a_thread_that_began_in_a_window_is_counted_over_its_part_of_it() -> None:
    """A 4 s window at 12 Hz (a Pool's): a worker that began 3 s into it and held its GIL all along
    held it 100% of its part (12 samples of 12), not 25% of the window's 48; one that began after
    the window gets no share of it."""
    sampler = WatchSampler(os.getpid(), None, lambda events: None, time.monotonic(), use_pyspy=False)
    boot = time.clock_gettime(time.CLOCK_BOOTTIME) - time.monotonic()
    now = time.monotonic()
    old, worker, later = (ThreadTally(42, tid, "t", _files(), None, cpu0=0.0, born=born + boot)
                          for tid, born in ((43, now - 100), (50, now - 1), (51, now + 1)))
    sampler.threads = {(42, 43): old, (42, 50): worker, (42, 51): later}
    sampler._add_window(Window(now - 4, now, 12, held={(42, 43): 6, (42, 50): 12}, pids={42}))
    assert (old.held, old.sampled) == (6, 48)
    assert (worker.held, worker.sampled) == (12, pytest.approx(12)) and later.held is None


def test_a_thread_that_ended_in_a_window_is_counted_over_its_part_of_it_and_sent_again(monkeypatch) -> None:
    """A Pool's worker that finished 1 s into a 4 s window at 12 Hz, holding its GIL all along:
    12 samples of its 12, not of the window's 48. Before, a thread gone when the window ended got
    nothing from it, so a short-lived worker that py-spy sampled still read 'not sampled'. A
    thread still live is counted to the window's end, however long ago it was last read; one that
    ended since the last tick (its stat no longer reads) to its last read."""
    import psutil

    monkeypatch.setattr(psutil, "cpu_percent", lambda percpu: [10.0, 10.0])  # cores idle: reads at STATE_HZ
    emitted: list[WatchSample] = []
    sampler = WatchSampler(os.getpid(), None, emitted.extend, time.monotonic(), use_pyspy=False)
    sampler.pyspy = SimpleNamespace(in_window=lambda pid: pid == 42, want_names=lambda key: None, note=None)
    monkeypatch.setattr(sampler, "_pyspy_note", lambda: None)
    monkeypatch.setattr(sampler, "_read_period", lambda: 0.02)
    boot = time.clock_gettime(time.CLOCK_BOOTTIME) - time.monotonic()
    now = time.monotonic()
    worker, live, vanished = (ThreadTally(42, tid, "w", _files(tid != 52), None, cpu0=0.0, born=now - 100 + boot,
                                          last_read=last) for tid, last in ((50, now - 3.02), (51, now - 0.5),
                                                                            (52, now - 3.02)))
    sampler.threads = {(42, 50): worker}  # read last 3 s ago: then it ended
    sampler._tick()  # pid 42 is no process of the tree: the worker has gone
    (row,) = [r for r in emitted[-1].threads if r["tid"] == 50]
    assert row["ended"] and row["held"] is None and sampler.ended_in_window == {(42, 50): worker}
    sampler.threads = {(42, 51): live, (42, 52): vanished}  # live, read last 0.5 s ago (a slow pass); gone since
    sampler._add_window(Window(now - 4, now, 12, held={(42, 50): 12, (42, 51): 6, (42, 52): 12}, pids={42}))
    assert (worker.held, worker.sampled) == (12, pytest.approx(12)) and not sampler.ended_in_window
    assert (live.held, live.sampled) == (6, pytest.approx(48))
    assert (vanished.held, vanished.sampled) == (12, pytest.approx(12))
    sampler.threads = {}
    sampler._tick()
    (row,) = [r for r in emitted[-1].threads if r["tid"] == 50]
    assert row["ended"] and (row["held"], row["sampled"]) == (12, pytest.approx(12))
    sampler._tick()
    assert not [r for r in emitted[-1].threads if r["tid"] == 50]  # sent once more, not every tick


def test_a_thread_that_ended_before_the_window_began_gets_nothing_from_it(monkeypatch) -> None:
    """Gone during the window before (windows run back to back), it was noted as ended in this one."""
    sampler = WatchSampler(os.getpid(), None, lambda events: None, time.monotonic(), use_pyspy=False)
    now = time.monotonic()
    gone = ThreadTally(42, 50, "w", None, None, born=0.0, ended=True, last_read=now - 5)
    sampler.ended_in_window = {(42, 50): gone}
    sampler._add_window(Window(now - 4, now, 12, held={}, pids={42}))
    assert gone.sampled is None and not sampler.rows_to_resend and not sampler.ended_in_window


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


@contextlib.asynccontextmanager
async def _watching(events: list) -> AsyncIterator[tuple[ConcApp, Pilot, WatchSource]]:
    """The app at 80x24 on a launched watch's recorded `events`, after its first frame."""
    source = WatchSource(launched=True)
    source(events)
    app = ConcApp(source, ticking=False)
    async with app.run_test(size=(80, 24)) as pilot:
        app.panes.frame()
        await pilot.pause()
        yield app, pilot, source


async def test_the_threads_table_repaints_only_the_cells_whose_figures_changed() -> None:
    """A second in which one thread's CPU moved: its cpu cells are repainted, not its line, nor any other."""
    events = stream(4)
    last = events.pop()
    async with _watching(events) as (app, pilot, source):
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


async def test_no_frame_takes_a_sample_and_a_verdict_or_both_verdicts(monkeypatch) -> None:
    """Each verdict costs 256 threads' figures: the last second's waits a frame after its sample's,
    the whole watch's (due every 5 s) a frame after that, so no frame pays for two of them."""
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
        frames = []
        for sample in later:  # t = 5..10, a frame each, then two frames with nothing new
            for events_of_frame in ([sample], [], []):
                source(events_of_frame)
                taken.clear()
                app.panes.frame()
                frames.append((sample.t, bool(events_of_frame), sorted(taken)))
        await pilot.pause()
    assert all(not said for _, sampled, said in frames if sampled)  # the sample's frame takes neither
    assert all(said == [(t, True)] for t, sampled, said in frames[1::3])  # the last second's: the frame after
    assert [(t, said) for t, _, said in frames[2::3] if said] == [(9.0, [(9.0, False)])]  # the whole's at 9 (4 + 5)
    assert "whole watch, 9 s" in str(app.panes.results_pane.render())


async def test_a_sample_s_frame_makes_figures_only_for_the_threads_in_view(monkeypatch) -> None:
    """256 threads' figures cost more than the rest of a sample's frame: the table makes the lines
    it shows (the verdict's figures come a frame later)."""
    events = [WatchSample(e.t, e.cores, e.app_cpu, e.processes, [*e.threads, *(
        {**e.threads[1], "tid": 5000 + i, "name": f"ticker_{i}"} for i in range(256))])
              if isinstance(e, WatchSample) else e for e in stream(4)]
    last = events.pop()
    async with _watching(events) as (app, pilot, source):
        made: list[tuple] = []
        thread = WatchModel._thread
        monkeypatch.setattr(WatchModel, "_thread",
                            lambda self, key, *args: (made.append(key), thread(self, key, *args))[1])
        source([last])
        app.panes.frame()
        assert 0 < len(made) <= app.panes.workers_pane.size.height < 20  # of 263 threads
        app.panes.frame()  # the last second's verdict: every thread's figures
        assert len(made) > 263


async def test_the_verdict_wraps_only_the_rows_its_pane_shows() -> None:
    """16 idle Python processes give a sentence each: the pane shows 8 rows, the first 8 of them all wrapped."""
    events = stream(3)
    procs = [{**events[1].processes[1], "pid": 6000 + i, "cpu_s": 0.0, "role": "python"} for i in range(16)]
    events = [WatchSample(e.t, e.cores, e.app_cpu, [*e.processes, *procs], e.threads) if isinstance(e, WatchSample)
              else e for e in events]
    async with _watching(events) as (app, pilot, source):
        pane = app.panes.results_pane
        every = pane.text.wrap(app.console, pane.content_size.width)
        assert len(every) > 16 and pane.lines == list(every)[:8] == list(every)[:pane.most_rows()]


async def test_a_verdict_a_row_shorter_moves_no_pane() -> None:
    """A sentence wrapped a row shorter resized the verdict pane, so every pane below and beside
    it was laid out and sent again whole: the pane keeps the rows it has had during the watch."""
    async with _watching(stream(3)) as (app, pilot, source):
        pane, threads = app.panes.results_pane, app.panes.workers_pane
        before = (pane.size.height, threads.region)
        assert before[0] >= 3
        pane.draw(Text("last second: one short line"))
        await pilot.pause()
        assert (pane.size.height, threads.region) == before
        assert pane.render().plain == "last second: one short line"  # the rows below it blank


def test_a_window_that_found_nothing_is_not_the_first_and_the_root_is_always_sampled(monkeypatch) -> None:
    """A launched program still starting: py-spy finds no interpreter yet and writes nothing. The
    next window is again a first one (WINDOW_S, at once), not a stretched later one that would
    bring the first frames seconds late; and the root is due even where the sampler did not find
    it Python (its memory map refused): py-spy's refusal is what then says why."""
    runs: list[_Run] = []
    _stand_in(monkeypatch, runs)
    windows = PySpyWindows(42)
    windows.processes = {}  # the root's build not known
    try:
        windows.poll()
        assert [run.target for run in runs] == [42]
        runs[0].cpu, runs[0].returncode = 0.0, 1
        runs[0].stderr = io.BytesIO(b"Error: Failed to find python version from target process")
        assert windows.poll() == [] and windows.cost_each is None
        assert [run.target for run in runs] == [42, 42] and windows.seconds == pyspy.WINDOW_S
    finally:
        windows.close()


def test_while_no_core_is_idle_state_reads_and_py_spy_back_off(monkeypatch) -> None:
    """conctui's CPU comes out of a program that keeps every core busy: there, /proc is read and
    py-spy runs half as often, and each sample says so; with a core idle, both go back at once."""
    import psutil
    from conctui.engine.watch import sampler as watch_sampler

    samples: list[WatchSample] = []
    sampler = WatchSampler(os.getpid(), None, samples.extend, time.monotonic(), use_pyspy=False)
    sampler.pyspy = PySpyWindows(os.getpid())  # not started: only its windows' lengths are read
    sampler.pyspy.cost_each = 0.034
    try:
        assert watch_sampler.BACK_OFF == 2  # the texts that say so say "half"
        idle_window = sampler.pyspy._window(3)
        for cores, busy in (([99.0, 97.0, 98.0], True), ([99.0, 100.0, 60.0], False)):
            monkeypatch.setattr(psutil, "cpu_percent", lambda percpu, cores=cores: cores)
            sampler._tick()
            assert samples[-1].busy is busy
            factor = watch_sampler.BACK_OFF if busy else 1
            idle_period = max(1 / watch_sampler.STATE_HZ, len(sampler.threads) / watch_sampler.MAX_STATE_READS)
            assert sampler._read_period() == pytest.approx(idle_period * factor)
            seconds, _ = sampler.pyspy._window(3)
            assert seconds >= idle_window[0] * factor - 1  # whole seconds, rounded up
            assert 0.034 * 3 / seconds <= RUNNING_SHARE / factor  # py-spy's share of a core while it runs
            assert sampler.pyspy._window(3, new=True) == idle_window  # a new worker's first GIL held: no later
    finally:
        sampler.pyspy.close()


def test_the_document_says_how_much_of_the_watch_sampling_backed_off() -> None:
    calm = [e for e in stream(3) if isinstance(e, (WatchStarted, WatchSample))]
    model = WatchModel()
    model.fold(calm)
    assert model.document()["notes"]["sampling"] is None
    model.fold([WatchSample(e.t + 4, e.cores, e.app_cpu, e.processes, e.threads, busy=True)
                for e in calm if isinstance(e, WatchSample)][:3])
    assert model.document()["notes"]["sampling"].startswith("no core idle at 3 of 7 refreshes")


async def test_the_cores_pane_says_sampling_is_halved_while_no_core_is_idle() -> None:
    events = stream(3)
    last = events.pop()
    async with _watching(events) as (app, pilot, source):
        pane = app.panes.cores_pane
        assert "sampling halved" not in str(pane.render())
        source([WatchSample(last.t, last.cores, last.app_cpu, last.processes, last.threads, busy=True)])
        app.panes.frame()
        await pilot.pause()
        assert "sampling halved: no core idle" in " ".join(str(pane.render()).split())
