"""The watch's engine without processes: kinds of waiting, the ELF reading, the events' checks,
the fold's window and whole-watch figures, the verdict's choices, the boundary on names."""
from __future__ import annotations

import os
import platform
import sys

import pytest
from conctui.engine.events import EventError, decode, encode
from conctui.engine.watch.elf import read_elf
from conctui.engine.watch.events import WatchEnded, WatchOutput, WatchSample, WatchStarted
from conctui.engine.watch.model import WatchModel
from conctui.engine.watch.pyspy_output import own_frame, parse_speedscope
from conctui.engine.watch.target import _gil_option, python_of
from conctui.engine.watch.text import summary
from conctui.engine.watch.tree import role_of
from conctui.engine.watch.verdict import verdict
from conctui.engine.watch.waiting import Kinds
from conctui.runner.gil_constants import ARCHES

RUNTIME = (0x1000, 0x2000)


def test_a_futex_inside_the_runtime_is_a_gil_wait_and_any_other_a_lock_wait() -> None:
    kinds = Kinds(ARCHES["x86_64"])
    assert kinds.of(b"S", b"202 0x1400 0x89 0x0", RUNTIME) == "gil_wait"
    assert kinds.of(b"S", b"202 0x7f0000001400 0x89 0x0", RUNTIME) == "lock_wait"
    assert kinds.of(b"S", b"202 0x1400 0x89 0x0", None) == "lock_wait"  # no runtime known: never a GIL wait


@pytest.mark.parametrize(("line", "kind"), [
    (b"230 0x1 0x0", "sleep"),  # clock_nanosleep: time.sleep from 3.11
    (b"23 0x0 0x0 0x0 0x0 0x7ffd", "sleep"),  # select with no descriptors: time.sleep before 3.11
    (b"7 0x7ffd 0x3 0x3e8", "io_wait"),  # poll on 3 descriptors
    (b"45 0x3 0x7f 0x1000", "io_wait"),  # recvfrom
    (b"61 0xffffffff 0x0", "other"),  # wait4: named other, not guessed
    (b"running", "running"),
])
def test_syscalls_name_their_kind_of_waiting(line: bytes, kind: str) -> None:
    assert Kinds(ARCHES["x86_64"]).of(b"S", line, RUNTIME) == kind


def test_aarch64_has_its_own_numbers_and_an_unknown_architecture_says_so() -> None:
    assert Kinds(ARCHES["aarch64"]).of(b"S", b"98 0x1400 0x89", RUNTIME) == "gil_wait"
    assert Kinds(ARCHES["aarch64"]).of(b"S", b"202 0x1400 0x89", RUNTIME) == "io_wait"  # accept there, not futex
    unknown = Kinds(None)
    assert unknown.note.startswith("kinds of waiting not measured on ")
    assert unknown.of(b"S", b"98 0x1400", RUNTIME) is None and unknown.of(b"R", None, None) == "running"


def test_this_interpreter_is_found_as_python_with_its_version_and_runtime() -> None:
    build = python_of(os.getpid())
    assert build is not None
    assert build.version == platform.python_version()
    first, last = build.runtime
    assert 0 < first < last
    assert read_elf(sys.executable, frozenset({"_PyRuntime"})) is not None


def test_a_file_that_is_not_elf_reads_as_no_symbols(tmp_path) -> None:
    path = tmp_path / "fake"
    path.write_bytes(b"\x7fELF" + b"\x02" * 60)
    assert read_elf(str(path), frozenset({"_PyRuntime"})) is None
    assert read_elf(__file__, frozenset({"_PyRuntime"})) is None


def test_roles_come_from_argv() -> None:
    main = ["python", "app.py"]
    assert role_of(main, None, True, True) == "main"
    assert role_of(main, main, False, True) == "worker"  # forked: its parent's argv
    assert role_of(["python", "-c", "from multiprocessing.spawn import spawn_main; spawn_main()"], main, False,
                   True) == "worker"
    assert role_of(["python", "-c", "from multiprocessing.resource_tracker import main;main(5)"], main, False,
                   True) == "helper"
    assert role_of(["python", "other.py"], main, False, True) == "python"
    assert role_of(["sleep", "5"], main, False, False) == "program"


def _thread(pid: int, tid: int, name: str, cpu_s: float, reads: int, states: dict, held: int | None = None,
            sampled: float | None = None, top: str | None = None) -> dict:
    return {"pid": pid, "tid": tid, "name": name, "cpu_s": cpu_s, "core": 0, "reads": reads, "states": states,
            "held": held, "sampled": sampled, "top": top, "ended": False}


def _process(pid: int, cpu_s: float, role: str = "main", ppid: int = 1, ended: float | None = None) -> dict:
    return {"pid": pid, "ppid": ppid, "role": role, "argv": ["python", "app.py"], "python": "CPython 3.11.7",
            "rss_bytes": 1 << 20, "cpu_s": cpu_s, "threads": 2, "ended": ended}


def _gil_bound(seconds: int) -> list:
    """Two pure-Python threads over `seconds` one-second ticks: 0.5 cores each, GIL wait 60%."""
    events: list = [WatchStarted(0.0, 42, ["python", "app.py"], "CPython 3.11.7", False, 16)]
    for t in range(seconds + 1):
        threads = [_thread(42, 42 + i, f"cruncher_{i}", 0.5 * t, 100 * t,
                           {"running": 40 * t, "gil_wait": 60 * t}, 50 * t, 100.0 * t, "crunch (app.py:10)")
                   for i in range(2)]
        events.append(WatchSample(float(t), [50.0] * 16, 0.01, [_process(42, 1.0 * t)], threads))
    return events


def test_the_fold_gives_whole_and_window_figures_and_the_gil_verdict() -> None:
    model = WatchModel()
    model.fold(_gil_bound(4))
    (process,) = model.figures(window=False)
    assert process.cpu == pytest.approx(1.0)
    thread = process.threads[0]
    assert thread.cpu == pytest.approx(0.5) and thread.gil_held == pytest.approx(0.5)
    assert thread.gil_wait == pytest.approx(0.6) and thread.states["running"] == pytest.approx(0.4)
    (window,) = model.figures(window=True)
    assert window.threads[0].cpu == pytest.approx(0.5)
    (line,) = verdict(model, window=False)
    assert line.reason == "gil_bound"
    assert line.text.startswith("2 threads in pid 42 ran Python under one GIL: 1.00 cores busy of 16, each "
                                "waiting for the GIL 60% of the time")


def test_a_caller_that_wakes_for_results_is_not_counted_among_the_threads_that_ran_python() -> None:
    """A ThreadPoolExecutor's caller waits on its futures and, at each wake, for the GIL (39% of
    its time here), yet runs 0.6% of a core: it did not run Python under the GIL, the workers did."""
    events = _gil_bound(4)
    for t, sample in enumerate(events[1:]):
        caller = _thread(42, 41, "MainThread", 0.006 * t, 100 * t, {"gil_wait": 39 * t, "lock_wait": 61 * t}, 0,
                         100.0 * t)
        events[1 + t] = WatchSample(sample.t, sample.cores, sample.app_cpu, sample.processes, [caller, *sample.threads])
    (line,) = verdict(_folded(events), window=False)
    assert line.reason == "gil_bound" and line.figures["threads"] == 2
    assert line.text.startswith("2 threads in pid 42 ran Python under one GIL"), line.text


def test_a_window_sees_only_its_last_second() -> None:
    events = _gil_bound(3)
    quiet = [_thread(42, 42 + i, f"cruncher_{i}", 1.5, 400, {"running": 120, "gil_wait": 180, "sleep": 100},
                     150, 400.0) for i in range(2)]
    events.append(WatchSample(4.0, [0.0] * 16, 0.01, [_process(42, 3.0)], quiet))
    model = WatchModel()
    model.fold(events)
    (window,) = model.figures(window=True)
    assert window.cpu == 0.0 and window.threads[0].states["sleep"] == 1.0
    assert model.figures(window=False)[0].threads[0].states["sleep"] == 0.25


def _verdict_of(threads: list[dict], cpu_s: float, extra: list | None = None) -> list[str]:
    model = WatchModel()
    before = [{**p, "cpu_s": 0.0} for p in extra or []]
    model.fold([WatchStarted(0.0, 42, ["python"], "CPython 3.12.1", False, 16),
                WatchSample(0.0, [0.0], None, [_process(42, 0.0), *before], [{**t, "cpu_s": 0.0, "reads": 0,
                                                                    "states": {}, "held": 0 if t["held"] is not None
                                                                    else None, "sampled": 0.0 if t["sampled"]
                                                                    else None} for t in threads]),
                WatchSample(1.0, [0.0], None, [_process(42, cpu_s), *(extra or [])], threads)])
    return [line.reason for line in verdict(model, window=False)]


def test_each_kind_of_program_gets_its_sentence() -> None:
    io = [_thread(42, 43 + i, "fetcher", 0.01, 100, {"io_wait": 96, "running": 4}) for i in range(16)]
    assert _verdict_of(io, 0.04) == ["io_wait"]
    hashing = [_thread(42, 43 + i, "hasher", 0.95, 100, {"running": 100}, 3, 100.0) for i in range(2)]
    assert _verdict_of(hashing, 1.9) == ["gil_released"]
    locked = [_thread(42, 43 + i, "locker", 0.1, 100, {"lock_wait": 80, "running": 20}) for i in range(6)]
    assert _verdict_of(locked, 0.6) == ["lock_wait"]
    idle_pool = [_thread(42, 43 + i, "worker", 0.0, 100, {"lock_wait": 100}) for i in range(4)]
    assert _verdict_of(idle_pool, 0.0) == ["idle"]  # waiting for work is not lock contention
    workers = [_process(50 + i, 0.98, role="worker", ppid=42) for i in range(4)]
    assert _verdict_of([], 0.01, workers)[0] == "processes"


def test_refused_gil_figures_choose_no_gil_sentence() -> None:
    hashing = [_thread(42, 43 + i, "hasher", 0.95, 100, {"running": 100}) for i in range(2)]  # held None
    assert "gil_released" not in _verdict_of(hashing, 1.9)


def test_events_check_their_rows_and_round_trip() -> None:
    sample = _gil_bound(1)[-1]
    assert decode(encode(sample)) == sample
    with pytest.raises(EventError):
        WatchSample(1.0, [0.0], None, [{"pid": 1}], [])
    with pytest.raises(EventError):
        WatchEnded(1.0, "vanished")
    assert decode(encode(WatchOutput(0.5, "\x1b[2J"))).line == "\x1b[2J"  # exact in the stream


def test_names_frames_and_argv_reach_text_only_through_the_boundary() -> None:
    hostile = "evil\x1b[2J\x1b]0;owned\x07[bold]x[/]"
    model = WatchModel()
    model.fold([WatchStarted(0.0, 42, ["python", hostile], "CPython 3.11.7", True, 2),
                WatchSample(0.0, [0.0], None, [_process(42, 0.0)], [_thread(42, 43, hostile, 0.0, 1, {"sleep": 1},
                                                                            top=hostile)],
                            gil_note=f"py-spy failed on pid 44: {hostile}")])  # py-spy's stderr
    text = summary(model)
    assert "\x1b" not in text and "\x07" not in text
    assert "evil␛[2J␛]0;owned␇[bold]x[/]" in text and "pid 44: evil␛[2J" in text


def test_speedscope_gives_held_samples_names_and_own_frames() -> None:
    data = {"shared": {"frames": [{"name": "crunch", "file": "/home/me/app.py", "line": 10},
                                  {"name": "_worker", "file": "/usr/lib/python3.11/concurrent/futures/thread.py",
                                   "line": 83}]},
            "profiles": [{"name": 'Process 7 Thread 9 "cruncher_0"', "samples": [[1, 0], [1, 0], [1]]},
                         {"name": 'Thread 11 "a "quoted" name"', "samples": [[1]]}]}
    held, top, names = parse_speedscope(data, pid=7)
    assert held == {(7, 9): 3, (7, 11): 1}
    assert top[(7, 9)] == "crunch (app.py:10)" and top[(7, 11)] == "_worker (thread.py:83)"
    assert names == {(7, 9): "cruncher_0", (7, 11): 'a "quoted" name'}
    assert own_frame([], leaf_first=True) is None


def test_py_spy_refused_says_why_once_with_what_grants_it(monkeypatch) -> None:
    from conctui.engine.watch import pyspy

    monkeypatch.setattr(pyspy, "_memory_refused", lambda pid: f"reading /proc/{pid}/mem: Permission denied")
    windows = pyspy.PySpyWindows(42)
    try:
        windows._failed("Error: No python processes found in process 42 or any of its subprocesses", 1)
        assert windows.note.startswith("ptrace refused (py-spy: reading /proc/42/mem: Permission denied")
        assert "sudo setcap cap_sys_ptrace+ep" in windows.note
        assert windows.poll() == []  # refused: no more py-spy runs
    finally:
        windows.close()


def test_a_gil_switched_on_is_read_from_the_interpreters_own_options() -> None:
    assert _gil_option([b"python3.13t", b"-X", b"gil=1", b"app.py"]) == b"1"
    assert _gil_option([b"python3.13t", b"-Xgil=0", b"-u", b"app.py"]) == b"0"
    assert _gil_option([b"python3.13t", b"-W", b"ignore", b"-X", b"gil=1", b"-c", b"pass"]) == b"1"
    assert _gil_option([b"python3.13t", b"app.py", b"-X", b"gil=1"]) is None  # the program's own argument
    assert _gil_option([b"python3.13t", b"-c", b"pass", b"-Xgil=1"]) is None


def _no_gil(cpu_each: float, lock: int = 10) -> WatchModel:
    """A free-threaded process with its GIL off: 3 threads, each `cpu_each` of a core for 2 s."""
    model = WatchModel()
    events: list = [WatchStarted(0.0, 42, ["python3.13t", "app.py"], "CPython 3.13.5t", True, 16, True)]
    for t in range(3):
        threads = [_thread(42, 43 + i, "python3.13t", cpu_each * t, 100 * t, {"running": (100 - lock) * t,
                                                                            "lock_wait": lock * t}) for i in range(3)]
        events.append(WatchSample(float(t), [0.0] * 16, None, [{**_process(42, 3 * cpu_each * t), "no_gil": True,
                                                               "python": "CPython 3.13.5t"}], threads))
    model.fold(events)
    return model


def test_no_gil_reads_as_none_not_zero_and_the_verdict_says_parallel_only_past_one_core() -> None:
    model = _no_gil(0.9)
    (process,) = model.figures(window=False)
    assert process.no_gil and all(t.no_gil for t in process.threads)
    thread = process.threads[0]
    assert thread.gil_wait is None and thread.states["gil_wait"] is None and thread.gil_held is None
    assert thread.states["running"] == pytest.approx(0.9)
    (line,) = verdict(model, window=False)
    assert line.reason == "no_gil" and "on 2.70 of 16 cores at once" in line.text and "in parallel" in line.text
    (locked,) = verdict(_no_gil(0.3, lock=60), window=False)
    assert locked.reason == "no_gil" and "in parallel" not in locked.text
    assert locked.text.endswith("they wait on locks 60% of the time.")
    (starved,) = verdict(_no_gil(0.15, lock=10), window=False)  # ready 90% of the time, on a core 15%
    assert starved.text.endswith("ready to run 90% of the time but ran 15% of it, 0.45 of 16 cores in all: no GIL "
                                 "holds them back; they wait for a core.")


def test_py_spy_that_cannot_read_a_free_threaded_build_says_so_once(monkeypatch) -> None:
    from conctui.engine.watch import pyspy

    monkeypatch.setattr(pyspy, "_memory_refused", lambda pid: None)
    windows = pyspy.PySpyWindows(42, free_threaded=True)
    try:
        said = "Error: No python processes found in process 42 or any of its subprocesses"
        windows._failed(said, 1)
        assert windows.note is None  # once may be the program starting
        windows._failed(said, 1)
        assert windows.note.startswith("py-spy cannot read this free-threaded build, so no frames")
        assert said in windows.note and windows.poll() == []
    finally:
        windows.close()


def test_a_gil_switched_on_in_a_free_threaded_build_is_not_advised_a_free_threaded_build() -> None:
    events = _gil_bound(2)
    for event in events:
        if isinstance(event, WatchSample):
            event.processes[0]["python"] = "CPython 3.13.5t (PYTHON_GIL=1)"
    model = WatchModel()
    model.fold(events)
    (line,) = verdict(model, window=False)
    assert line.reason == "gil_bound" and "this free-threaded build with its GIL left off" in line.text
    (plain,) = verdict(_folded(_gil_bound(2)), window=False)
    assert "processes or a free-threaded build would use more cores" in plain.text


def _folded(events: list) -> WatchModel:
    model = WatchModel()
    model.fold(events)
    return model
