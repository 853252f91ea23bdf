"""The GIL meter, measured from inside the process that hosts the workers' threads.

GIL wait: a probe thread sleeps PERIOD_S and measures how late it wakes. Past the idle
baseline (timer slack, measured before the run) and the time it sat in the OS's run queue
waiting for a free core (Linux schedstat: on a busy machine that is not the GIL's doing),
the lateness is time spent waiting to get the GIL back, so wait = lateness / probe time is
the share of its time a thread that wakes up now and then (a UI, an I/O loop) loses to the GIL. Stdlib only: one
definition under every interpreter (gilknocker, a Rust meter, would need installing into
the user's Python, which the runner never does).

Process CPU (`cpu`, formerly `held`): the process's CPU seconds (the OS's sum over its
threads) per wall second, capped at 1. It is not a GIL figure: C code that released the GIL
(hashlib) counts too. Who holds the GIL is sampled from outside (engine/gil_sampler.py),
helped by two things this module does in the runner: it finds the futex words a thread
waiting for this GIL sleeps on (`futex_range`), and lets conctui's sampler read it under
Yama's ptrace_scope 1 (`allow_tracer`).

Where the workers do not share this process's GIL (processes, sub-interpreters) or there
is none (a free-threaded build with the GIL off) the figures are None with a note saying
why, never a 0 that would read as "no contention".
"""
from __future__ import annotations

import os
import re
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from .channel import Outbox
from .gil_constants import NO_GIL, PROBE_WINDOW_S, Arch, arch, free_threaded_build
from .schema import GilReenabled, GilSample

PERIOD_S = 0.005
CALIBRATION_SLEEPS = 16
CALIBRATION_PERIOD_S = 0.001
OWN_GIL = {
    "processes": "own GIL in each worker process",
    "interpreters": "own GIL in each sub-interpreter",
    "dask": "own GIL in each Dask worker process",
}


class RunQueue:
    """Seconds the calling thread has waited for a core so far (Linux schedstat; 0 elsewhere).

    Open it in the thread it measures: /proc/thread-self is whoever opened it."""

    def __init__(self) -> None:
        try:
            self.fd: int | None = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
        except OSError:
            self.fd = None

    def waited(self) -> float:
        if self.fd is None:
            return 0.0
        return int(os.pread(self.fd, 64, 0).split()[1]) / 1e9

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)


def idle_lateness() -> float:
    """Median lateness of a short sleep while nothing else runs: the baseline to subtract."""
    queue = RunQueue()
    lates = []
    for _ in range(CALIBRATION_SLEEPS):
        queued, start = queue.waited(), time.perf_counter()
        time.sleep(CALIBRATION_PERIOD_S)
        lates.append(time.perf_counter() - start - CALIBRATION_PERIOD_S - (queue.waited() - queued))
    queue.close()
    lates.sort()
    return lates[len(lates) // 2]


REENABLED = re.compile(r"GIL\) has been enabled to load module '([^']+)'")


def watch_reenabling(outbox: Outbox, running: Callable[[], bool]) -> None:
    """Under a free-threaded build, report each import that turns the GIL back on, from
    Python's own RuntimeWarning (its module name), before the run or during it."""
    if not free_threaded_build():
        return
    import warnings

    shown = warnings.showwarning

    def show(message: Any, category: Any, filename: str, lineno: int, file: Any = None, line: Any = None) -> None:
        found = REENABLED.search(str(message))
        if found:
            outbox.emit(GilReenabled, module=found[1][:200], when="during" if running() else "before",
                        pid=os.getpid())
        shown(message, category, filename, lineno, file, line)

    warnings.showwarning = show


def gil_enabled() -> bool:
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return is_enabled is None or bool(is_enabled())


CALIBRATION_SWITCH_S = 0.0005  # sys.setswitchinterval while the GIL's words are looked for
HOLDER_SEARCH = 96  # bytes before the condition's first word where the GIL's last_holder lies
_FOUND: dict[str, Any] = {}  # what futex_range found, once per process


def _syscall_holding_gil(libc: Any, path: bytes) -> str:
    """/proc's word on what a thread is blocked in, read without letting go of the GIL."""
    import ctypes

    buffer = ctypes.create_string_buffer(256)
    fd = libc.open(path, os.O_RDONLY)
    if fd < 0:
        return ""
    size = libc.read(fd, buffer, 255)
    libc.close(fd)
    return buffer.raw[:max(0, size)].decode(errors="replace")


def gil_wait_word(syscall: str, cpu: Arch) -> int | None:
    """The futex word in a /proc syscall line ("nr uaddr op val timeout ..."), if it is a timed
    futex wait: take_gil waits on the GIL's condition with a timeout (the switch interval). An
    untimed one is drop_gil's wait on switch_cond, 92 bytes further on under 3.10, which a
    spinner woken but not yet run still shows on a loaded machine: a range taken from it
    missed the condition's words, and every GIL wait of the run read 0."""
    fields = syscall.split()
    if len(fields) > 4 and fields[0] == str(cpu.futex) and int(fields[4], 16) != 0:
        return int(fields[1], 16)
    return None


def _futex_words(cpu: Arch, tries: int) -> list[int]:
    """The futex words a thread asking for this GIL sleeps on, seen while this thread holds it.

    A spinner thread asks for the GIL while this one computes and then reads the spinner's
    /proc syscall line through ctypes.PyDLL, whose calls keep the GIL: the spinner is then
    blocked in the GIL's condition variable (glibc alternates between two words of it), in the
    futex syscall, whose number `cpu` gives."""
    import ctypes

    libc = ctypes.PyDLL(None)
    libc.open.argtypes = [ctypes.c_char_p, ctypes.c_int]
    libc.read.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]
    stop: list[bool] = []

    def spin() -> None:
        while not stop:
            pass

    interval = sys.getswitchinterval()
    # the spinner hands the GIL back after one switch interval: each try waited 5 ms (the default)
    # for it, and the runner does this before its first worker starts (the run's start-up)
    sys.setswitchinterval(min(interval, CALIBRATION_SWITCH_S))
    spinner = threading.Thread(target=spin, name="conctui-gil-calibration", daemon=True)
    spinner.start()
    path = ("/proc/self/task/%d/syscall" % spinner.native_id).encode()
    words: set[int] = set()
    try:
        for _ in range(tries):
            deadline = time.perf_counter() + 0.003
            while time.perf_counter() < deadline:  # hold the GIL: the spinner now waits for it
                pass
            word = gil_wait_word(_syscall_holding_gil(libc, path), cpu)
            if word is not None:
                words.add(word)
            if words:  # glibc waits on one of two adjacent words: futex_range's margins hold both
                break
            time.sleep(0.001)  # let the spinner have it again
    finally:
        stop.append(True)
        spinner.join()
        sys.setswitchinterval(interval)
    return sorted(words)


def _holder_word(cpu: Arch, first_word: int) -> int:
    """Address of this GIL's `last_holder` pointer, whose `locked` int follows it: found as
    this thread's own PyThreadState (it holds the GIL now) just before the GIL's condition
    variable, followed by 1. 0 if not found. A free-threaded build's GIL is read here,
    since py-spy 0.4.3 cannot read such a build ("Failed to find a python interpreter")."""
    import ctypes

    state = ctypes.pythonapi.PyThreadState_Get  # through PyDLL: the GIL stays held
    state.restype = ctypes.c_void_p
    me = state()
    size = cpu.pointer_bytes
    start = (first_word - HOLDER_SEARCH) & ~(size - 1)  # a pointer is aligned; the word may not be
    data = ctypes.string_at(start, HOLDER_SEARCH)
    for offset in range(HOLDER_SEARCH - 2 * size, -1, -size):  # the nearest to the condition first
        pointer = int.from_bytes(data[offset:offset + size], sys.byteorder)
        locked = int.from_bytes(data[offset + size:offset + size + 4], sys.byteorder)
        if pointer == me and locked == 1:
            return start + offset
    return 0


def futex_range(tries: int = 40) -> list[int]:
    """[first, last) addresses of this process's GIL futex words, or [] (no GIL, not Linux, a CPU
    without a table in gil_constants, no ctypes): the sampler counts a thread asleep in a futex
    there as waiting for the GIL. Measured once per process, before any worker runs (about 6 ms
    here, one try; a busy machine, where the spinner waits for a core instead, takes more tries)."""
    if not _FOUND:
        words: list[int] = []
        holder = 0
        cpu = arch()
        if cpu is not None and gil_enabled() and os.path.exists("/proc/self/task"):
            try:
                words = _futex_words(cpu, tries)
                holder = _holder_word(cpu, words[0]) if words and free_threaded_build() else 0
            except (ImportError, OSError, AttributeError, ValueError):
                words = []
        _FOUND.update(futex=[words[0] - cpu.futex_before, words[-1] + cpu.futex_after] if words else [],
                      holder=holder)
    return _FOUND["futex"]


def _mappings() -> tuple[list[tuple[int, int, str | None]], dict[str, int]] | None:
    """This process's mappings from /proc/self/maps as (low, high, the file it belongs to), and
    where each file's first mapping starts; an anonymous mapping right after a file's (its zeroed
    static data, as 3.9's libpython has) belongs to that file. None where there is no such file."""
    try:
        with open("/proc/self/maps") as maps:
            rows = [line.split(None, 5) for line in maps]
    except OSError:
        return None
    mappings: list[tuple[int, int, str | None]] = []
    starts: dict[str, int] = {}
    owner, previous_end = None, None
    for row in rows:
        low, high = (int(part, 16) for part in row[0].split("-"))
        path = row[5].strip() if len(row) > 5 else ""
        if path.startswith("/"):
            owner = path
            starts.setdefault(path, low)
        elif low != previous_end:
            owner = None
        mappings.append((low, high, owner))
        previous_end = high
    return mappings, starts


def relocatable() -> dict[str, Any] | None:
    """What futex_range found here, as offsets from the start of the file that holds it: a
    spawned child of the same Python has its GIL at the same offsets from its own copy, so it
    need not measure again (which costs each child ms of spinning, and a core). None where it
    cannot be carried (nothing found, a free-threaded build's holder word, no file owns it)."""
    futex = _FOUND.get("futex")
    found = _mappings() if futex and not _FOUND.get("holder") else None
    if found is None:
        return None
    mappings, starts = found
    owner = next((path for low, high, path in mappings if low <= futex[0] < high), None)
    if owner is None:
        return None
    return {"file": owner, "futex": [futex[0] - starts[owner], futex[1] - starts[owner]]}


def relocate(found: dict[str, Any] | None) -> bool:
    """Take a parent's relocatable() as this process's futex range; False where this process
    does not map that file (another Python), and futex_range must measure."""
    here = _mappings() if found else None
    if here is None or found["file"] not in here[1]:
        return False
    start = here[1][found["file"]]
    _FOUND.update(futex=[start + offset for offset in found["futex"]], holder=0)
    return True


def measured_range() -> list[int]:
    """What futex_range found, if it was asked to (runs with an external sampler only), else []."""
    return _FOUND.get("futex", [])


def measured_holder() -> tuple[int, int]:
    """(address of the GIL's last_holder word, this thread's PyThreadState) where the sampler
    reads the holder itself (a free-threaded build with the GIL on), else (0, 0)."""
    if not _FOUND.get("holder"):
        return 0, 0
    import ctypes

    state = ctypes.pythonapi.PyThreadState_Get
    state.restype = ctypes.c_void_p
    return _FOUND["holder"], state() or 0


def prepare_sampling(tracer: int, found: dict[str, Any] | None = None) -> None:
    """Ready this process for conctui's GIL sampler: let it read us, and find the GIL's words
    (carried from the runner by `found`, a relocatable(), where it can be)."""
    allow_tracer(tracer)
    if not relocate(found):
        futex_range()


def allow_tracer(pid: int) -> None:
    """Let `pid` (conctui) and its children (its py-spy) read this process under Yama's
    ptrace_scope 1, where only an ancestor may: prctl(PR_SET_PTRACER). A no-op elsewhere
    (and ctypes, ~5 ms to import in each child, is not imported there)."""
    try:
        with open("/proc/sys/kernel/yama/ptrace_scope") as scope:
            if scope.read().strip() != "1":
                return
    except OSError:
        return  # no Yama: ptrace follows uids and capabilities alone
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(0x59616D61, pid, 0, 0, 0)
    except (ImportError, OSError, AttributeError):
        pass


def not_applicable(mode: str) -> str | None:
    """Why this process's GIL says nothing about the workers, or None when it does."""
    if mode in OWN_GIL:
        return OWN_GIL[mode]
    if not gil_enabled():
        return NO_GIL
    return None


class Tally:
    """Probe time, time waited, wake-ups and process CPU since a start point."""

    def __init__(self) -> None:
        self.wall0 = time.perf_counter()
        self.cpu0 = time.process_time()
        self.waited = 0.0
        self.wakes = 0

    def figures(self) -> dict[str, Any]:
        wall = time.perf_counter() - self.wall0
        if wall <= 0:
            return {"wait": None, "cpu": None, "latency_ms": None}
        cpu = (time.process_time() - self.cpu0) / wall
        return {"wait": round(min(1.0, self.waited / wall), 4),
                "cpu": round(min(1.0, max(0.0, cpu)), 4),
                "latency_ms": round(1000 * self.waited / self.wakes, 3) if self.wakes else None}


class GilMeter:
    """Sends a `gil` event every PROBE_WINDOW_S (last window and run so far), and a final one on stop."""

    def __init__(self, outbox: Outbox, period_s: float = PERIOD_S) -> None:
        self.outbox = outbox
        self.period_s = period_s
        self.baseline = 0.0  # the probe's idle lateness, measured in start() where it probes
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._run: Tally | None = None
        self.note: str | None = None

    def start(self, mode: str) -> GilMeter:
        """Probe the workers' GIL; decided now, after the workload's imports (they may re-enable it)."""
        self.note = not_applicable(mode)
        if self.note is not None:
            self._emit(None)  # the screen says "own GIL" / "no GIL" from the start
        else:
            self.baseline = idle_lateness()  # before any worker exists; ~20 ms a run pays only where it probes
            self._run = Tally()
            self._thread = threading.Thread(target=self._probe, name="conctui-gil-probe", daemon=True)
            self._thread.start()
        return self

    def _emit(self, window: dict[str, Any] | None) -> None:
        run = self._run.figures() if self._run else {"wait": None, "cpu": None, "latency_ms": None}
        window = window or run
        self.outbox.emit(GilSample, probe_wait=window["wait"], cpu=window["cpu"], latency_ms=window["latency_ms"],
                         run_probe_wait=run["wait"], run_cpu=run["cpu"], run_latency_ms=run["latency_ms"],
                         period_ms=self.period_s * 1000, baseline_ms=round(self.baseline * 1000, 4),
                         note=self.note)

    def _probe(self) -> None:
        period, baseline = self.period_s, self.baseline
        queue = RunQueue()
        window, queued = Tally(), queue.waited()
        while True:
            start = time.perf_counter()
            time.sleep(period)
            window.waited += max(0.0, time.perf_counter() - start - period - baseline)
            window.wakes += 1
            stopping = self._stop.is_set()
            if stopping or start - window.wall0 >= PROBE_WINDOW_S:
                queued = self._close(window, queue, queued)
                if stopping:
                    break
                window = Tally()
        queue.close()

    def _close(self, window: Tally, queue: RunQueue, queued: float) -> float:
        """Take the window's run-queue time out of its wait, add it to the run's, send it."""
        before = time.perf_counter()
        now_queued = queue.waited()  # a read releases the GIL: getting it back is a wait like any other
        window.waited = max(0.0, window.waited - (now_queued - queued)) + time.perf_counter() - before
        self._run.waited += window.waited
        self._run.wakes += window.wakes
        self._emit(window.figures())
        return now_queued

    def stop(self) -> None:
        """End the probe and send the whole run's figures (or the note saying they do not apply)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self._emit(None)
