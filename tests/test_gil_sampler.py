"""Per-worker GIL shares sampled from outside with py-spy, on real threads: who holds the GIL,
who waits for it, who sleeps; null with the reason where reading the process is refused."""
from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from conctui.engine import gil_sampler
from conctui.engine.events import PythonInfo, RunStarted
from conctui.engine.gil_sampler import RunSampling, Worker, parse_raw
from conctui.engine.pyspy_access import find_py_spy
from fixtures.command import COMMAND, conctui
from fixtures.pythons import freethreaded_python, one_per_version, python_at_least


def _run(workload: str, *args: str, mode: str = "threads", workers: int = 2) -> dict:
    if find_py_spy() is None:
        pytest.skip('py-spy is not installed: pip install ".[gil]"')
    result = conctui("run", workload, "--mode", mode, "--workers", str(workers), *args, "--json")
    assert result.code == 0, result.err
    run = result.run()
    note = run["gil_note"] or ""
    if note.startswith("ptrace refused"):
        pytest.skip(note)
    return run


def _shares(run: dict, name: str) -> list[float]:
    values = [w[name] for w in run["per_worker"]]
    assert all(v is not None for v in values), run
    return values


def _assert_two_threads_share_one_gil(run: dict) -> None:
    """Two pure-Python threads started together (about 2 s, so whole windows of samples): one
    GIL, at most one holder; about half each when no other program takes the cores (under load
    the kernel keeps one off its core and the other holds on)."""
    held = _shares(run, "gil_held")
    assert run["gil_held"] <= 1.0, (run["gil_held"], held)  # the run's figure: held time over the run's
    if (run["other_load"] or 0.0) > 0.25 or run["parallelism"] < 0.85:
        pytest.skip(f"machine busy (other programs {run['other_load']} cores, the threads {run['parallelism']:.2f}): "
                    f"the GIL's split {held} is not a fair test of about half each")
    # each share is of its own worker's life: they add up to the run's while both live all the
    # run, as they do when no other program slows one (the edge windows' shares are estimates)
    assert sum(held) <= 1.05 and run["gil_held"] == pytest.approx(sum(held), abs=0.1), (run["gil_held"], held)
    assert all(0.3 <= h / sum(held) <= 0.7 for h in held), held


@pytest.mark.process
@pytest.mark.timing
def test_two_pure_python_threads_each_hold_the_gil_about_half_the_time() -> None:
    run = _run("cpu", "--param", "n=20000000")
    assert run["gil_sampler"].startswith("py-spy") and run["gil_note"] is None
    _assert_two_threads_share_one_gil(run)
    assert all(w > 0 for w in _shares(run, "gil_wait")), run["per_worker"]  # each sleeps on the GIL at times


@pytest.mark.process
@pytest.mark.timing
def test_hashlib_threads_compute_without_holding_the_gil() -> None:
    run = _run("hashlib", "--param", "mb=8", "--param", "rounds=60")
    busy = [w["cpu_s"] / w["wall_s"] for w in run["per_worker"]]
    if min(busy) < 0.6:
        pytest.skip(f"machine busy: the hashing threads got only {min(busy):.0%} of a core each")
    assert all(h < 0.2 for h in _shares(run, "gil_held")), run["per_worker"]
    assert all(o < 0.2 for o in _shares(run, "gil_off_cpu")), run["per_worker"]


@pytest.mark.process
@pytest.mark.timing
def test_sleeping_threads_are_mostly_off_cpu() -> None:
    run = _run("download", "--param", "seconds=2.0", workers=3)
    assert all(o > 0.8 for o in _shares(run, "gil_off_cpu")), run["per_worker"]
    assert all(h < 0.1 for h in _shares(run, "gil_held")), run["per_worker"]


@pytest.mark.process
@pytest.mark.timing
def test_each_worker_process_is_sampled_for_its_own_gil() -> None:
    run = _run("cpu", "--param", "n=16000000", mode="processes")  # ~1 s each: past py-spy's start
    if (run["gil_note"] or "").startswith("not sampled"):
        pytest.skip(f"the sampler started too late on this machine: {run['gil_note']}")
    held = _shares(run, "gil_held")
    assert all(h > 0.5 for h in held), run["per_worker"]  # nobody to share it with
    # the run's figure is each process's share of its own GIL, time-weighted, never their sum
    assert run["gil_scope"] == "per process" and min(held) <= run["gil_held"] <= max(held), (run["gil_held"], held)


@pytest.mark.process
def test_a_refused_ptrace_gives_null_figures_with_the_reason(tmp_path: Path) -> None:
    """py-spy run as nobody may not read a root-owned runner: the kernel refuses, the JSON says so."""
    binary, setpriv = find_py_spy(), shutil.which("setpriv")
    if binary is None or setpriv is None or os.geteuid() != 0:
        pytest.skip("needs root, setpriv and py-spy to run the sampler as an unprivileged user")
    copy = tmp_path / "py-spy"  # where nobody may run it from (root's home is closed to others)
    shutil.copy(binary, copy)
    tmp_path.chmod(0o755)
    wrapper = tmp_path / "py-spy-as-nobody"
    wrapper.write_text(f'#!/bin/sh\nexec {setpriv} --reuid=65534 --regid=65534 --clear-groups {copy} "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    env = {**os.environ, "CONCTUI_PY_SPY": str(wrapper)}
    # long enough for py-spy to start and say it was refused (a shorter run says it ended first)
    done = subprocess.run([*COMMAND, "run", "cpu", "--workers", "2", "--param", "n=20000000", "--json"],
                          capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stderr
    (run,) = json.loads(done.stdout)["runs"]
    assert run["gil_note"].startswith("ptrace refused"), run["gil_note"]
    assert "setcap cap_sys_ptrace" in run["gil_note"]
    assert run["gil_held"] is None
    assert all(w["gil_held"] is None and w["gil_wait"] is None and w["gil_off_cpu"] is None
               for w in run["per_worker"])


def test_raw_output_is_counted_per_process_and_native_thread() -> None:
    text = (b'process 10:"python runner";process 11:"python child";thread (11): MainThread;run (cpu.py:9) 40\n'
            b'thread (7): Thread-1 (work);work (tasks.py:3) 5\n'
            b'thread (7): Thread-1 (work);other (tasks.py:8) 2\n'
            b'process 10:"python runner";thread (12): worker;process (jobs.py:1) 3\n'
            b'not a line\n')
    assert parse_raw(text, 10) == {(11, 11): 40, (10, 7): 7, (10, 12): 3}


def test_before_3_11_a_thread_is_named_by_its_pthread_id_and_counted_for_its_worker() -> None:
    """py-spy names a thread by its native id only from 3.11, where CPython keeps one; before, by its
    pthread id in hex, which the worker sends as `ident`: unmatched, its held read 0 (issue 23 §4)."""
    text = b'thread (0x7F85A9F1C6C0): Thread-2 (spin);_bootstrap (threading.py:973);spin (spin.py:4) 52\n'
    assert parse_raw(text, 10) == {(10, 0x7F85A9F1C6C0): 52}
    sampling = _sampling("threads", 1)
    sampling.workers = {0: Worker(0, 10, 100, [], started=0.0, ident=0x7F85A9F1C6C0)}
    sampling._count(parse_raw(text, 10), 0.0, 1.0)
    rows, held = sampling._rows()
    assert rows[0][1] == pytest.approx(0.52, abs=1e-4) and held == rows[0][1]


@pytest.mark.process
@pytest.mark.parametrize("python", [p for p in one_per_version() if not p.free_threaded], ids=lambda p: p.label)
def test_a_lone_pure_python_thread_holds_its_gil_on_every_python(python) -> None:
    """One worker computing in pure Python holds its GIL nearly all the time (preempted by the
    kernel it still holds it), whichever Python runs it: 3.9 and 3.10 read 0 before `ident`."""
    run = _run("cpu", "--param", "n=12000000", "--python", python.path, workers=1)
    assert run["per_worker"][0]["gil_held"] > 0.5, run["per_worker"]


def _sampling(mode: str, workers: int) -> RunSampling:
    """A run's sampling with no sampler thread started: its tallies, driven by hand."""
    return RunSampling(RunStarted(0.0, 1, mode, "cpu", {}, workers, PythonInfo(), "spawn", 10), print, 0.0)


def test_one_gils_holders_never_add_up_to_more_than_all_its_time() -> None:
    """Two threads live for the last half of a 1 s window were seen holding in 70 samples, more
    than the 50 its time alone suggests (py-spy samples at random moments): the shares are of
    at least 70, not of 50 (which made 1.4, a GIL held 140% of the time)."""
    sampling = _sampling("threads", 2)
    sampling.workers = {i: Worker(i, 10, 100 + i, [], started=0.5) for i in range(2)}
    sampling._count({(10, 100): 40, (10, 101): 30, (10, 1): 5}, 0.0, 1.0)  # thread 1: the runner's own
    rows, held = sampling._rows()
    assert [row[1] for row in rows] == pytest.approx([40 / 70, 30 / 70], abs=1e-4) and held == 1.0


def test_each_process_has_its_own_gil_and_its_own_count_of_samples() -> None:
    """Processes mode, two workers live for the last half of a 1 s window: one process seen
    holding in 70 samples (of the 50 its time suggests) does not lower the other's 50 of 50
    (one floor for both made it 50 of 70)."""
    sampling = _sampling("processes", 2)
    sampling.workers = {0: Worker(0, 20, 20, [], started=0.5), 1: Worker(1, 21, 21, [], started=0.5)}
    sampling._count({(20, 20): 70, (21, 21): 50}, 0.0, 1.0)
    rows, held = sampling._rows()
    assert [row[1] for row in rows] == pytest.approx([1.0, 1.0], abs=1e-4)
    assert held is None  # two GILs: their shares never add up (the run's figure is each one's, engine/figures.py)


def test_the_gil_words_figures_move_once_a_window_with_many_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Free-threaded builds, GIL on: past 10 workers a tick of reads is longer than 10 ms, and
    the figures must still move once a window (a tick-count test sent them never, or by luck).
    Windows of 0.25 s here, not 1 s: still 6 ticks of 40 ms each."""
    import threading

    monkeypatch.setattr(gil_sampler, "SAMPLER_WINDOW_S", 0.25)

    sampling = _sampling("threads", 40)
    sampling.workers = {i: Worker(i, 10, 100 + i, [], started=0.0) for i in range(40)}  # ticks of 40 ms
    sent = threading.Semaphore(0)
    sampling._read_states = lambda at, words=False: None  # type: ignore[method-assign]
    sampling._send = lambda final: sent.release()  # type: ignore[method-assign]
    thread = threading.Thread(target=sampling._read_words, daemon=True)
    thread.start()
    try:
        assert sent.acquire(timeout=5) and sent.acquire(timeout=5), "no figures for 5 s"
    finally:
        sampling.stopping.set()
        thread.join(5)


@pytest.mark.process
def test_python_3_14_is_sampled_with_its_own_remote_debugging() -> None:
    python = python_at_least((3, 14), "the _remote_debugging GIL sampler (runner/remote_gil.py)")
    run = _run("cpu", "--param", "n=20000000", "--python", python)
    assert run["gil_sampler"].startswith("_remote_debugging"), run["gil_sampler"]
    _assert_two_threads_share_one_gil(run)


EXTENSION = """#include <Python.h>
static struct PyModuleDef def = {PyModuleDef_HEAD_INIT, "gilpin", "declares nothing about free-threading", -1};
PyMODINIT_FUNC PyInit_gilpin(void) { return PyModule_Create(&def); }
"""
TASKS = """import sys
sys.path.insert(0, {folder!r})
{early}

def work(index):
    {late}
    total = 0
    for i in range(300_000):
        total += i
"""


def _extension(folder: Path, python: str) -> None:
    """Compile a tiny C extension that declares nothing (so, not free-threading safe) for `python`."""
    gcc = shutil.which("gcc")
    if gcc is None:
        pytest.skip("no C compiler (gcc) to build the test extension")
    paths = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['include']); "
                            "print(sysconfig.get_config_var('EXT_SUFFIX'))"], capture_output=True, text=True,
                           check=True).stdout.split()
    (folder / "gilpin.c").write_text(EXTENSION)
    subprocess.run([gcc, "-shared", "-fPIC", f"-I{paths[0]}", str(folder / "gilpin.c"), "-o",
                    str(folder / f"gilpin{paths[1]}")], check=True, capture_output=True)


@pytest.mark.process
def test_the_free_threaded_build_with_the_gil_off_has_no_figures_and_says_no_gil() -> None:
    run = _run("cpu", "--param", "n=2000000", "--python", freethreaded_python(), "--gil", "off")
    assert run["python"]["gil_enabled"] is False
    assert run["gil_note"] == "no GIL: free-threaded build with the GIL off" and run["gil_held"] is None
    assert all(w["gil_held"] is None and w["gil_wait"] is None for w in run["per_worker"])


@pytest.mark.process
def test_python_gil_1_on_the_same_binary_brings_the_figures_back() -> None:
    run = _run("cpu", "--param", "n=20000000", "--python", freethreaded_python(), "--gil", "on")
    assert run["python"]["free_threaded"] is True and run["python"]["python_gil"] == "1"
    assert "last_holder" in run["gil_sampler"]  # py-spy 0.4.3 cannot read free-threaded builds
    _assert_two_threads_share_one_gil(run)


@pytest.mark.process
@pytest.mark.parametrize(("early", "late", "when"), [("import gilpin", "pass", "before"),
                                                     ("", "import gilpin", "during")])
def test_an_extension_that_declares_nothing_re_enables_the_gil_and_is_named(
        tmp_path: Path, early: str, late: str, when: str) -> None:
    python = freethreaded_python()
    _extension(tmp_path, python)
    tasks = tmp_path / "tasks.py"
    tasks.write_text(TASKS.format(folder=str(tmp_path), early=early, late=late))
    result = conctui("run", f"{tasks}:work", "--workers", "2", "--python", python, "--json")
    assert result.code == 0, result.err
    run = result.run()
    assert run["gil_reenabled"]["module"] == "gilpin" and run["gil_reenabled"]["when"] == when, run["gil_reenabled"]
    assert run["python"]["gil_enabled"] is True and run["python"]["gil_reenabled"] == "gilpin"


def test_the_header_says_why_a_free_threaded_build_has_its_gil() -> None:
    from conctui.engine.events import PythonInfo
    from conctui.widgets.header import python_text

    build = PythonInfo(implementation="CPython", version="3.13.5", free_threaded=True, gil_enabled=True)
    assert python_text(build.replace(gil_reenabled="gilpin")).endswith("GIL re-enabled by gilpin")
    assert python_text(build.replace(python_gil="1")).endswith("GIL on (PYTHON_GIL=1)")
    assert python_text(build.replace(gil_enabled=False)).endswith("GIL off")


def test_the_picker_offers_a_free_threaded_build_twice_gil_off_and_on(tmp_path: Path) -> None:
    from conctui.engine.pythons import find_pythons, parse_choice

    binary = tmp_path / "python3.13t"
    binary.write_text("#!/bin/sh\n")
    binary.chmod(0o755)
    found = [p for p in find_pythons([str(binary)]) if p.path == str(binary)]
    assert [(p.python_gil, p.label) for p in found] == [("0", "3.13t GIL off"), ("1", "3.13t GIL on")]
    assert [parse_choice(p.choice) for p in found] == [(str(binary), "0"), (str(binary), "1")]


@pytest.mark.process
def test_a_run_over_before_the_first_window_says_so_instead_of_blank_figures() -> None:
    run = _run("cpu", "--param", "n=10", "--param", "steps=1")  # done in milliseconds
    if run["gil_held"] is not None:
        pytest.skip("the sampler caught this run in a window after all")
    assert run["gil_note"] == "not sampled: the run ended before the sampler's first window"
    assert all(w["gil_held"] is None and w["gil_wait"] is None for w in run["per_worker"])
