"""The per-CPU syscall table the GIL figures read /proc by: its numbers, checked against this
machine's kernel where it can be, and a CPU it does not know said as such, never a 0."""
from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable

import pytest
from conctui.engine.events import GilWorkers, PythonInfo, RunStarted, decode, encode
from conctui.engine.figures import gil_figures
from conctui.engine.gil_sampler import RunSampling, Worker
from conctui.engine.state import SessionState, apply
from conctui.runner import gil, gil_constants
from conctui.runner.gil_constants import ARCHES, WAITS

ABSENT_ON_ARM64 = {"poll", "select", "epoll_wait", "pause"}  # the generic table has only their p- forms (no pause)


def test_each_cpu_names_every_wait_once_and_its_own_futex() -> None:
    for arch in ARCHES.values():
        names = {name for calls in WAITS.values() for name in calls}
        expected = names - ABSENT_ON_ARM64 if arch.name == "aarch64" else names
        assert set(arch.syscalls) == expected, arch.name
        assert len(set(arch.syscalls.values())) == len(arch.syscalls), f"{arch.name}: a number given twice"
    assert (ARCHES["x86_64"].futex, ARCHES["aarch64"].futex) == (202, 98)


def test_x86_64s_futex_number_is_an_accept_on_arm64() -> None:
    """Why one table will not do: 202 read as a futex on arm64 would count accept() as a GIL wait."""
    assert ARCHES["x86_64"].wait_kind(202) == "lock"
    assert ARCHES["aarch64"].wait_kind(202) == "io"
    assert ARCHES["aarch64"].wait_kind(98) == "lock" and ARCHES["x86_64"].wait_kind(98) is None


def _kind_while(block: Callable[[], None], release: Callable[[], None]) -> str | None:
    """The kind of the syscall a thread running `block` sleeps in, as this kernel numbers it."""
    arch = gil_constants.arch()
    if arch is None:
        pytest.skip(f"no syscall table for {gil_constants.machine()}: nothing to check it against")
    thread = threading.Thread(target=block, daemon=True)
    thread.start()
    try:
        path = f"/proc/self/task/{thread.native_id}/syscall"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            fields = open(path).read().split()  # noqa: SIM115 - one read of a /proc file
            if fields and fields[0].isdigit():  # asleep in a syscall ("running" while not yet)
                return arch.wait_kind(int(fields[0]))
            time.sleep(0.001)
        pytest.skip("the thread did not reach its syscall in 10 s: a loaded machine")
    finally:
        release()
        thread.join(10)


def test_this_kernels_numbers_match_the_table_for_a_lock_a_pipe_and_a_sleep() -> None:
    lock = threading.Lock()
    lock.acquire()
    assert _kind_while(lock.acquire, lock.release) == "lock"
    read_end, write_end = os.pipe()
    try:
        assert _kind_while(lambda: os.read(read_end, 1), lambda: os.write(write_end, b"x")) == "io"
    finally:
        os.close(read_end)
        os.close(write_end)
    assert _kind_while(lambda: time.sleep(0.5), lambda: None) == "sleep"


@pytest.fixture
def riscv64(monkeypatch: pytest.MonkeyPatch) -> str:
    """This process believes it runs on a CPU the table does not know."""
    monkeypatch.setattr(gil_constants, "machine", lambda: "riscv64")
    monkeypatch.setattr(gil, "_FOUND", {})  # futex_range measures again, here
    return "not measured on riscv64: conctui has no syscall table for it"


def test_an_unknown_cpu_has_no_table_and_the_runner_finds_no_futex_words(riscv64: str) -> None:
    assert gil_constants.arch() is None and gil_constants.not_measured() == riscv64
    assert gil.futex_range() == [] and gil.relocatable() is None


def _sampling(python: PythonInfo, sent: list) -> RunSampling:
    started = RunStarted(0.0, 1, "threads", "cpu", {}, 2, python, "spawn", 10)
    return RunSampling(started, sent.extend, 0.0)


def test_on_an_unknown_cpu_each_workers_wait_says_not_measured_while_held_is_kept(riscv64: str) -> None:
    sent: list = []
    sampling = _sampling(PythonInfo(), sent)
    sampling.workers = {i: Worker(i, 10, 100 + i, [], started=0.0, held_s=0.5, sampled_s=1.0, reads=50, off=50)
                        for i in range(2)}
    sampling._send(final=True)
    (event,) = sent
    assert event.wait_note == riscv64 and event.note is None
    assert [row[1:] for row in event.rows] == [[0.5, None, None]] * 2  # held measured; wait, off CPU: not
    assert decode(encode(event)) == event
    state = SessionState()
    for folded in (sampling.started, event):
        apply(state, folded)
    assert gil_figures(state.runs[-1])["gil_wait_note"] == riscv64


def test_a_free_threaded_build_on_an_unknown_cpu_says_why_it_has_no_figures(riscv64: str) -> None:
    sampling = _sampling(PythonInfo(free_threaded=True), [])
    if sampling.note and sampling.note.startswith("py-spy is not installed"):
        pytest.skip(sampling.note)
    assert sampling.note == riscv64


def test_a_version_before_wait_note_still_decodes() -> None:
    event = decode({"type": "gil_workers", "t": 1.0, "rows": [[0, 0.5, 0.1, 0.2]]})
    assert isinstance(event, GilWorkers) and event.wait_note is None


def test_the_cores_panes_gil_line_says_why_wait_is_missing_on_an_unknown_cpu(riscv64: str) -> None:
    from conctui.widgets.cores import gil_line

    sent: list = []
    sampling = _sampling(PythonInfo(), sent)
    sampling.workers = {0: Worker(0, 10, 100, [], started=0.0, held_s=0.5, sampled_s=1.0, reads=50, off=50)}
    sampling.sampled_s = 1.0
    sampling._send(final=True)
    state = SessionState()
    for folded in (RunStarted(0.0, 1, "threads", "cpu", {}, 1, PythonInfo(), "spawn", 10), *sent):
        apply(state, folded)
    line = gil_line(state).plain
    assert line == "GIL held 50%, wait not measured on riscv64", line  # never a wait of 0%


def test_looking_for_the_gil_words_leaves_the_switch_interval_as_the_run_asked(monkeypatch) -> None:
    """The search shortens the switch interval while it runs (the runner's start-up); the run's
    own --switch-interval, set before it, is what the workers then get."""
    if gil_constants.arch() is None or not os.path.exists("/proc/self/task"):
        pytest.skip("no syscall table for this CPU, or no /proc: nothing is looked for")
    monkeypatch.setattr(gil, "_FOUND", {})  # futex_range measures again, here
    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.002)
        gil.futex_range()
        assert sys.getswitchinterval() == pytest.approx(0.002)
    finally:
        sys.setswitchinterval(before)


@pytest.mark.parametrize("cpu", list(ARCHES.values()), ids=lambda cpu: cpu.name)
def test_the_calibration_takes_only_a_timed_futex_wait_as_the_gils(cpu) -> None:
    """take_gil waits on the GIL's condition with a timeout; drop_gil's wait on switch_cond,
    which a spinner woken but not yet run still shows on a loaded machine, has none (CI once
    found the range there under 3.10, and every GIL wait of the run read 0)."""
    line = "{nr} 0x7f3a1d60 0x89 0x0 {timeout} 0x0 0xffffffff 0x7ffd3e20 0x7f3a2b10"
    assert gil.gil_wait_word(line.format(nr=cpu.futex, timeout="0x7ffd3e40"), cpu) == 0x7f3a1d60
    assert gil.gil_wait_word(line.format(nr=cpu.futex, timeout="0x0"), cpu) is None
    assert gil.gil_wait_word(line.format(nr=cpu.futex + 1, timeout="0x7ffd3e40"), cpu) is None  # not a futex
    assert gil.gil_wait_word("running", cpu) is None
