"""The GIL figures on real threads: the workers' sampled wait in order across workloads, the
probe's latency following the switch interval, "does not apply" said as such, the scope of a
run's figures (one GIL, or one per worker: never a sum), and the events' checks."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conctui import runner
from conctui.engine.events import EventError, GilSample, decode, encode
from conctui.engine.figures import run_figures
from conctui.engine.state import SessionState, apply
from fixtures.command import conctui
from fixtures.pythons import one_per_version

BOOT = Path(runner.__file__).with_name("boot.py")

SHORT = {
    "download": ["--param", "seconds=1.0"],
    "hashlib": ["--param", "mb=8", "--param", "rounds=40"],
    "cpu": ["--param", "n=12000000"],  # ~1.2 s: the meter's shares settle (at 0.4 s they scattered 0.36-0.57)
}


def _gil_run(workload: str, *args: str) -> dict:
    result = conctui("run", workload, "--mode", "threads", "--workers", "2", *SHORT[workload], "--json", *args)
    assert result.code == 0, result.err
    return result.run()


@pytest.mark.process
@pytest.mark.timing
def test_wait_orders_sleeping_then_hashlib_then_pure_python_threads() -> None:
    runs = [_gil_run(w) for w in ("download", "hashlib", "cpu")]
    if any(run["gil_note"] for run in runs):
        pytest.skip(f"the workers were not sampled: {runs[0]['gil_note']}")
    others = max(run["other_load"] or 0.0 for run in runs)
    if others > 0.5:
        pytest.skip(f"other programs took {others:.1f} cores: a thread kept off its core waits there, not on the GIL")
    sleeping, hashing, pure = (run["gil_wait"] for run in runs)
    assert sleeping < 0.1, sleeping
    assert hashing < 0.3, hashing  # sha256 releases the GIL: the threads rarely wait
    assert pure > 0.25 and pure > hashing + 0.15, (hashing, pure)  # two threads, one GIL: each waits


@pytest.mark.process
@pytest.mark.timing
def test_process_cpu_tells_a_waiting_process_from_a_computing_one() -> None:
    sleeping, pure = (_gil_run(w) for w in ("download", "cpu"))
    # a shared machine lends the process less than a core at times: a margin, not "near 1"
    assert sleeping["process_cpu"] < 0.1, sleeping["process_cpu"]
    assert 0.15 < pure["process_cpu"] <= 1.0, pure["process_cpu"]
    assert sleeping["gil_probe_ms"] == pure["gil_probe_ms"] == 5.0
    assert sleeping["gil_latency_note"] is None


@pytest.mark.process
@pytest.mark.timing
def test_a_shorter_switch_interval_shortens_each_wait_for_the_gil() -> None:
    slow, fast = (_gil_run("cpu", "--switch-interval", ms) for ms in ("10", "1"))
    others = max(run["other_load"] or 0.0 for run in (slow, fast))
    if others > 0.5:
        pytest.skip(f"other programs took {others:.1f} cores: a loaded machine inflates the short waits")
    assert slow["gil_latency_ms"] > 2 * fast["gil_latency_ms"], (slow["gil_latency_ms"], fast["gil_latency_ms"])


@pytest.mark.process
def test_processes_have_their_own_gil_and_the_figures_say_so_instead_of_zero() -> None:
    result = conctui("run", "cpu", "--mode", "processes", "--workers", "1", "--param", "n=100000", "--json")
    assert result.code == 0, result.err
    run = result.run()
    assert run["gil_scope"] == "per process"
    assert run["gil_latency_ms"] is None and run["process_cpu"] is None
    assert run["gil_latency_note"] == "own GIL in each worker process"


def _gil(**fields: object) -> dict:
    values = {"type": "gil", "t": 1.0, "probe_wait": 0.5, "cpu": 0.9, "latency_ms": 4.0, "run_probe_wait": 0.5,
              "run_cpu": 0.9, "run_latency_ms": 4.0, "period_ms": 5.0, "baseline_ms": 0.08}
    return {**values, **fields}


@pytest.mark.parametrize("bad", [{"probe_wait": 1.5}, {"cpu": -0.1}, {"held": 1.5}, {"run_probe_wait": "high"},
                                 {"period_ms": 0}, {"latency_ms": -1.0}, {"spin": 1}])
def test_a_gil_event_out_of_bounds_is_refused(bad: dict) -> None:
    with pytest.raises(EventError):
        decode(_gil(**bad))


def test_a_gil_event_folds_into_the_run_figures() -> None:
    event = decode(_gil(probe_wait=None, cpu=None, run_probe_wait=None, run_cpu=None, latency_ms=None,
                        run_latency_ms=None, note="own GIL in each sub-interpreter"))
    assert isinstance(event, GilSample) and decode(encode(event)) == event
    state = SessionState()
    apply(state, decode({"type": "run_started", "t": 0.0, "run": 1, "mode": "interpreters", "workload": "cpu",
                         "params": {}, "workers": 1, "python": {}, "start_method": "spawn", "pid": 1}))
    apply(state, event)
    figures = run_figures(state.current)
    assert figures["gil_latency_ms"] is None and figures["gil_latency_note"] == "own GIL in each sub-interpreter"
    assert figures["gil_scope"] == "per interpreter" and figures["gil_wait"] is None


# The runner finds its GIL's futex words once; a spawned child of the same Python takes them
# relocated to its own copy of libpython instead of spinning to find them again.
RELOCATED = f"""
import multiprocessing, runpy, sys
runpy.run_path({str(BOOT)!r}, run_name="_conctui_boot")
from _conctui_runner import gil, gil_constants

def child(found, answers):
    relocated = gil.relocate(found) and list(gil._FOUND["futex"])
    answers.put((relocated, gil._futex_words(gil_constants.arch(), 40)))

if __name__ == "__main__":
    if not gil.futex_range():
        raise SystemExit("no futex words on this machine")
    found = gil.relocatable()
    if found is None:
        raise SystemExit("nothing relocatable")
    context = multiprocessing.get_context("spawn")
    answers = context.Queue()
    process = context.Process(target=child, args=(found, answers))
    process.start()
    relocated, measured = answers.get(timeout=60)
    process.join()
    assert relocated, "the child maps another file"
    assert measured and all(relocated[0] <= word < relocated[1] for word in measured), (relocated, measured)
    print("ok")
"""


# a free-threaded build's child measures its own words: its holder word is not carried
@pytest.mark.process
@pytest.mark.parametrize("python", [p for p in one_per_version() if not p.free_threaded], ids=lambda p: p.label)
def test_a_child_takes_the_runners_gil_words_relocated_and_they_are_its_own(python, tmp_path) -> None:
    script = tmp_path / "relocated.py"  # a file: spawn's child imports its parent's main module
    script.write_text(RELOCATED)
    done = subprocess.run([python.path, str(script)], capture_output=True, text=True, timeout=120)
    if "no futex words" in done.stderr or "nothing relocatable" in done.stderr:
        pytest.skip(done.stderr.strip().splitlines()[-1])
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["ok"]


# The search stops at the first word it sees; glibc's condition variable has two, 4 bytes apart, which
# waiters alternate between: the range's margins must hold both, and every word a real waiter sleeps on.
WAITERS = f"""
import ctypes, runpy, sys, threading, time
runpy.run_path({str(BOOT)!r}, run_name="_conctui_boot")
from _conctui_runner import gil, gil_constants

found = gil.futex_range()
if not found:
    raise SystemExit("no futex words on this machine")
futex = str(gil_constants.arch().futex)
stop = []

def spin():
    while not stop:
        pass

spinners = [threading.Thread(target=spin) for _ in range(3)]
for spinner in spinners:
    spinner.start()
libc = ctypes.PyDLL(None)  # its calls keep the GIL: the spinners wait for it while we read
libc.open.argtypes = [ctypes.c_char_p, ctypes.c_int]
libc.read.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]
words = set()
deadline = time.monotonic() + 10
while len(words) < 2 and time.monotonic() < deadline:
    sum(range(20000))  # compute: hold the GIL a while, as a worker does
    for spinner in spinners:
        fields = gil._syscall_holding_gil(libc, b"/proc/self/task/%d/syscall" % spinner.native_id).split()
        if len(fields) > 1 and fields[0] == futex:
            words.add(int(fields[1], 16))
stop.append(True)
print(found[0], found[1], *sorted(words))
"""


@pytest.mark.process
@pytest.mark.parametrize("python", [p for p in one_per_version() if not p.free_threaded], ids=lambda p: p.label)
def test_every_word_a_waiter_for_the_gil_sleeps_on_lies_in_the_range_found(python, tmp_path) -> None:
    script = tmp_path / "waiters.py"
    script.write_text(WAITERS)
    done = subprocess.run([python.path, str(script)], capture_output=True, text=True, timeout=120)
    if "no futex words" in done.stderr:
        pytest.skip(done.stderr.strip().splitlines()[-1])
    assert done.returncode == 0, done.stderr
    first, last, *words = (int(part) for part in done.stdout.split())
    assert words, "no thread was ever seen waiting for the GIL"
    assert all(first <= word < last for word in words), (first, last, words)
