"""Each worker's GIL shares, sampled from outside the process that hosts it (runs in conctui's process).

Three shares per worker, each of the time it was sampled:
- held: samples of its thread holding its process's GIL, from `py-spy record --gil --idle
  --threads` (threads named by native id), one record per SAMPLER_WINDOW_S, the first at once (in
  the processes mode once every worker process has started: py-spy attaching to each costs CPU the
  starting children need, ~20 ms each) and the next once py-spy's CPU is paid back at BUDGET of a
  core (engine/pyspy_budget.py): back to
  back for a few processes (~0.08 CPU-s a window for 3), ~3 s apart for 17, whose attaches alone
  cost ~0.25 CPU-s a window; past 4 processes fewer samples a second (SAMPLES_PER_S over them
  all: 17 at 100 Hz cost ~0.55 CPU-s a window, at 23 Hz ~0.33). Between windows the figures
  stay those of the windows sampled;
- wait: reads of /proc/PID/task/TID/syscall finding the thread asleep in a futex on its
  GIL's own words, which the runner found at start (runner/gil.py `futex_range`). py-spy's
  idle/active flag cannot say this: a thread waiting for the GIL sleeps in the kernel, so
  py-spy calls it idle, like a sleeping one. The futex syscall's number is the CPU's
  (runner/gil_constants.py): on a CPU without a table, wait and off CPU are None, and
  `wait_note` says so;
- off CPU: asleep anywhere else (time.sleep, I/O, a lock).
The rest is on CPU without the GIL: C code that released it (hashlib), or a wait for a core.

Reading another process needs ptrace rights (root, CAP_SYS_PTRACE, or Yama's ptrace_scope
0, or 1 with the runner's PR_SET_PTRACER); refused, every figure is None with the reason,
never 0. Each process has its own GIL: in the processes mode each worker's figures are of
its own process's GIL. Python 3.14+ ships the same sampling in its standard library
(`_remote_debugging`): for a 3.14+ runner a helper under that Python samples instead of
py-spy (runner/remote_gil.py: written against the documented API, not yet run here).
"""
from __future__ import annotations

import errno
import functools
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conctui import runner
from conctui.engine.events import (
    Event,
    GilWorkers,
    PythonInfo,
    RunFinished,
    RunStarted,
    WorkerFinished,
    WorkerStarted,
    dispatch,
)
from conctui.engine.process_tree import stat_fields
from conctui.engine.pyspy_access import PtraceRefused, find_py_spy, ptrace_refused
from conctui.engine.pyspy_budget import MIN_RATE_HZ, SAMPLES_PER_S, Budget, finished_cpu
from conctui.engine.pythons import minor_of
from conctui.engine.scratch import scratch
from conctui.runner.gil_constants import NO_GIL, SAMPLER_WINDOW_S, Arch, arch, not_measured

RATE_HZ = 100  # py-spy's samples a second per process, past SAMPLES_PER_S over all fewer (16 worker processes: 23)
STATE_HZ = 100  # /proc reads a second per worker thread
MAX_STATE_READS = 1000  # a second over all workers: with more workers, fewer reads each (at 4000, the
# reads took ~5% of a core beside 64 workers and more, half of the app's CPU: bench/ui_cost.py)
BUDGET = 0.10  # of one core: py-spy's windows, attaches included, use at most this on average (issue 23 §4:
# 16 workers' 1 s windows back to back cost ~0.45 CPU-s a second, 1.23x plain multiprocessing on 2 cores)
TOO_SHORT = "not sampled: the run ended before the sampler's first window"
NOT_YET = "not sampled yet: py-spy's first window starts once every worker process has started"
NOT_SAMPLED = {
    "interpreters": "own GIL in each sub-interpreter: the sampler reads only the main interpreter's threads",
    "dask": "not sampled: Dask workers run in the cluster's processes",
}
PROCESS_FRAME = re.compile(rb"^process (\d+):")
# a thread by its native id (3.11+), or before 3.11, where CPython does not keep it, by its pthread id in hex
THREAD_FRAME = re.compile(rb"^thread \((0x[0-9A-Fa-f]+|\d+)\)")
REMOTE_HELPER = Path(runner.__file__).with_name("remote_gil.py")
REMOTE_FROM = (3, 14)


def parse_raw(text: bytes, pid: int) -> dict[tuple[int, int], int]:
    """Samples per (pid, thread) in py-spy's raw output (`process P:...;thread (T): name;... N`):
    T is the native thread id from 3.11 on, the pthread id (`0x7F...`, threading.get_ident()) before.

    A thread's process is the last `process` frame before its thread frame (with -s, a
    child's line starts with its parents); without one it is the sampled `pid`."""
    counts: dict[tuple[int, int], int] = {}
    for line in text.splitlines():
        stack, _, number = line.rpartition(b" ")
        if not number.isdigit():
            continue
        owner = pid
        for frame in stack.split(b";"):
            process, thread = PROCESS_FRAME.match(frame), THREAD_FRAME.match(frame)
            if process:
                owner = int(process[1])
            elif thread:
                key = (owner, int(thread[1], 0))
                counts[key] = counts.get(key, 0) + int(number)
                break
    return counts


def _live_span(workers: list[Worker], begin: float, end: float) -> float:
    """The part of a window from the first of these workers' start to the last one's end."""
    first = min(w.started for w in workers)
    last = max(end if w.ended is None else w.ended for w in workers)
    return max(1e-6, min(end, last) - max(begin, first))


def _per_process(counts: dict[tuple[int, int], int]) -> dict[int, int]:
    """Held samples per process: each process has its own GIL."""
    totals: dict[int, int] = {}
    for (pid, _), count in counts.items():
        totals[pid] = totals.get(pid, 0) + count
    return totals


@dataclass(eq=False)
class Worker:
    """One worker's tallies: py-spy's held seconds over its sampled seconds, and /proc's reads."""

    index: int
    pid: int
    tid: int
    futex: list[int]
    started: float
    ended: float | None = None
    held_s: float = 0.0
    sampled_s: float = 0.0
    reads: int = 0
    waiting: int = 0
    off: int = 0
    holder: int = 0  # its GIL's last_holder word, read here on free-threaded builds (runner/gil.py)
    tstate: int = 0
    ident: int = 0  # its pthread id: py-spy's name for the thread before 3.11 (parse_raw)
    word_reads: int = 0
    held_reads: int = 0
    files: list[int] = field(default_factory=list)

    def live(self, at: float) -> bool:
        return self.started <= at and (self.ended is None or at < self.ended)

    def overlap(self, begin: float, end: float) -> float:
        return max(0.0, min(end, self.ended if self.ended is not None else end) - max(begin, self.started))

    def row(self) -> list:
        if self.holder:
            held = round(self.held_reads / self.word_reads, 4) if self.word_reads >= 2 else None
        else:
            held = round(min(1.0, self.held_s / self.sampled_s), 4) if self.sampled_s >= 2 / RATE_HZ else None
        known = self.reads > 0 and bool(self.futex)
        return [self.index, held, round(self.waiting / self.reads, 4) if known else None,
                round(self.off / self.reads, 4) if known else None]

    def close(self) -> None:
        for fd in self.files:
            os.close(fd)
        self.files = []


def read_state(worker: Worker) -> bytes | None:
    """The thread's kernel state, `b"R"` or the syscall line it sleeps in; None once it has gone."""
    try:
        if not worker.files:
            base = f"/proc/{worker.pid}/task/{worker.tid}/"
            worker.files = [os.open(base + "stat", os.O_RDONLY), os.open(base + "syscall", os.O_RDONLY)]
        state = stat_fields(os.pread(worker.files[0], 512, 0))[0]
        if state not in (b"S", b"D"):
            return state
        return os.pread(worker.files[1], 256, 0)
    except PermissionError as exc:
        raise ptrace_refused(f"reading /proc/{worker.pid}/task/{worker.tid}/syscall: {exc.strerror}") from None
    except (OSError, IndexError):
        worker.close()
        return None


def classify(worker: Worker, state: bytes, futex: bytes) -> None:
    """Count one read: waiting for its GIL (asleep in `futex`, this CPU's futex syscall number,
    on its GIL's words), off CPU (asleep elsewhere) or neither."""
    worker.reads += 1
    if state in (b"R", b"running"):
        return
    fields = state.split()
    if len(fields) > 1 and fields[0] == futex and worker.futex:
        address = int(fields[1], 16)
        if worker.futex[0] <= address < worker.futex[1]:
            worker.waiting += 1
            return
    if state not in (b"t", b"T"):  # stopped for a moment by a tracer: neither
        worker.off += 1


@functools.cache
def _vm_readv() -> tuple[Any, type, Any]:
    """ctypes, its iovec structure and libc, set up at the first read: the TUI's first frame
    comes before any run is sampled, and importing ctypes costs ~2 ms (bench/startup.py)."""
    import ctypes

    class Iovec(ctypes.Structure):
        _fields_ = [("base", ctypes.c_void_p), ("size", ctypes.c_size_t)]

    return ctypes, Iovec, ctypes.CDLL(None, use_errno=True)


def read_holder(pid: int, address: int, cpu: Arch) -> tuple[int, bool] | None:
    """(the PyThreadState in a GIL's last_holder word, whether the GIL is locked: the int after
    it), read from process `pid` with process_vm_readv; None once the process has gone."""
    ctypes, iovec, libc = _vm_readv()
    size = cpu.pointer_bytes + 4
    buffer = ctypes.create_string_buffer(size)
    local, remote = iovec(ctypes.addressof(buffer), size), iovec(address, size)
    if libc.process_vm_readv(pid, ctypes.byref(local), 1, ctypes.byref(remote), 1, 0) != size:
        error = ctypes.get_errno()
        if error == errno.EPERM:
            raise ptrace_refused(f"process_vm_readv of pid {pid}: {os.strerror(error)}")
        return None
    pointer, locked = buffer.raw[:cpu.pointer_bytes], buffer.raw[cpu.pointer_bytes:]
    return int.from_bytes(pointer, sys.byteorder), int.from_bytes(locked, sys.byteorder) == 1


def count_holders(workers: list[Worker], cpu: Arch) -> None:
    """One read of each process's GIL word: a live worker whose thread state it names holds it."""
    by_word: dict[tuple[int, int], list[Worker]] = {}
    for worker in workers:
        if worker.holder:
            by_word.setdefault((worker.pid, worker.holder), []).append(worker)
    for (pid, address), sharing in by_word.items():
        found = read_holder(pid, address, cpu)
        if found is None:
            continue
        holder, locked = found
        for worker in sharing:
            worker.word_reads += 1
            worker.held_reads += locked and holder == worker.tstate


class PySpyRecorder:
    """One window of held-GIL counts: a sampler subprocess run for SAMPLER_WINDOW_S, then parsed."""

    def __init__(self, pid: int, subprocesses: bool, python: PythonInfo, folder: str, workers: list[Worker],
                 processes: int = 1) -> None:
        self.pid = pid
        self.rate = max(MIN_RATE_HZ, min(RATE_HZ, SAMPLES_PER_S // max(1, processes)))
        self.out = os.path.join(folder, "window")
        self.log = open(os.path.join(folder, "log"), "w+b")  # noqa: SIM115 - closed in finish()
        self.remote = minor_of(python.version) >= REMOTE_FROM
        if self.remote:
            pids = sorted({w.pid for w in workers} | {pid})
            command = [python.executable or sys.executable, str(REMOTE_HELPER), ",".join(map(str, pids)),
                       str(self.rate), str(SAMPLER_WINDOW_S), self.out]
        else:
            command = [find_py_spy() or "py-spy", "record", "--pid", str(pid), "--gil", "--idle", "--threads",
                       "--nonblocking", "--rate", str(self.rate), "--duration", str(SAMPLER_WINDOW_S),
                       "--format", "raw", "--output", self.out, *(["--subprocesses"] if subprocesses else [])]
        self.began = time.monotonic()
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=self.log, stderr=self.log)
        self.interrupted = False
        self.sampling_since: float | None = None
        self.cpu_s: float | None = None

    def done(self) -> bool:
        """Polled every read: also notes when sampling began (py-spy's first line, after its set-up),
        and once it ended the CPU it used (`cpu_s`, read as it is reaped)."""
        if self.sampling_since is None and os.fstat(self.log.fileno()).st_size:
            self.sampling_since = time.monotonic()
        if self.cpu_s is None:
            self.cpu_s = finished_cpu(self.process)
        return self.cpu_s is not None

    def interrupt(self) -> None:
        """End the window now: py-spy writes what it has on SIGINT."""
        if not self.interrupted and not self.done():
            self.interrupted = True
            self.process.send_signal(signal.SIGINT)

    def finish(self) -> tuple[dict[tuple[int, int], int], float, float, int]:
        """The window's counts, its span (monotonic) and rate, or PtraceRefused / RuntimeError with the
        sampler's words."""
        ended = time.monotonic()
        self.process.wait()
        self.log.seek(0)
        said = self.log.read().decode(errors="replace")
        self.log.close()
        text = b""
        if os.path.exists(self.out):
            text = Path(self.out).read_bytes()
            os.unlink(self.out)
        if self.process.returncode != 0 and not text:
            last = (said.strip().splitlines() or ["exited with code %d" % self.process.returncode])[-1]
            if "ermission" in said or "not permitted" in said:
                raise ptrace_refused(f"{'_remote_debugging' if self.remote else 'py-spy'}: {last}")
            raise RuntimeError(f"{'_remote_debugging' if self.remote else 'py-spy'} failed: {last}")
        if self.remote:
            data = json.loads(text or b"{}")
            counts = {tuple(int(p) for p in key.split(":")): n for key, n in data.get("counts", {}).items()}
            return counts, ended - data.get("samples", 0) / self.rate, ended, self.rate
        full = not self.interrupted and "Stopped sampling" not in said
        began = ended - (SAMPLER_WINDOW_S * self.rate - 1) / self.rate if full else (self.sampling_since or self.began)
        return parse_raw(text, self.pid), max(self.began, began), ended, self.rate


class RunSampling:
    """One run's sampling: the /proc reads at STATE_HZ and back-to-back windows, in one thread."""

    def __init__(self, started: RunStarted, emit: Callable[[list[Event]], None], session_t0: float) -> None:
        self.started = started
        self.emit = emit
        self.session_t0 = session_t0
        self.workers: dict[int, Worker] = {}
        self.never_started: set[int] = set()  # workers that ended without a worker_started (failed to load, crashed)
        self.windows = 0  # py-spy windows taken (_count)
        self.sampled_s = 0.0  # the run's sampled time: while any worker lived
        self.word_ticks = 0  # reads of the GIL's word while any worker lived (free-threaded builds)
        self.note: str | None = NOT_SAMPLED.get(started.mode)
        if self.note is None and find_py_spy() is None:
            self.note = 'py-spy is not installed: pip install "conctui[gil]"'
        self.cpu = arch()  # the runner is on this machine: the same CPU's syscall numbers
        self.futex = str(self.cpu.futex).encode() if self.cpu else b""
        self.wait_note = None if self.cpu else not_measured()  # wait and off CPU need the futex's number
        if self.note is None and self.cpu is None and started.python.free_threaded:
            self.note = self.wait_note  # there, held comes from the GIL's word, found through its futex too
        self.source = ""
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="conctui-gil-sampler", daemon=True)

    def worker(self, event: WorkerStarted) -> None:
        with self.lock:
            if not self.workers and self.note is None and not event.gil_futex and self.started.python.free_threaded:
                self.note = NO_GIL  # the runner found no GIL to wait for
            self.workers[event.index] = Worker(event.index, event.pid, event.tid, list(event.gil_futex),
                                               self.session_t0 + event.t, holder=event.gil_holder,
                                               tstate=event.tstate, ident=event.ident)
        self._start_thread()

    def _start_thread(self) -> None:
        if self.thread.ident is None:
            self.thread.start()

    def ended(self, index: int, t: float) -> None:
        with self.lock:
            if index in self.workers:
                self.workers[index].ended = self.session_t0 + t
            else:
                self.never_started.add(index)

    def _all_started(self) -> bool:
        """Whether py-spy may take its first window: at once, except in the processes mode, where
        it waits until every worker process has started (or ended without starting)."""
        if self.started.mode != "processes":
            return True
        with self.lock:
            return len(self.workers.keys() | self.never_started) >= self.started.workers

    def _rows(self) -> tuple[list[list], float | None]:
        """Each worker's row, and the run's GIL held: the workers' held time over the run's,
        None where each worker holds its own GIL (shares of different GILs never add up)."""
        with self.lock:
            rows = [w.row() for w in sorted(self.workers.values(), key=lambda w: w.index)]
            if self.started.mode == "processes":
                return rows, None
            if self.word_ticks:  # the GIL's word read here: held reads over the reads while any worker lived
                held = sum(w.held_reads for w in self.workers.values())
                return rows, round(held / self.word_ticks, 4) if self.word_ticks >= 2 else None
            held = sum(w.held_s for w in self.workers.values())
            return rows, round(held / self.sampled_s, 4) if self.sampled_s >= 2 / RATE_HZ else None

    def _send(self, final: bool) -> None:
        rows, held = self._rows()
        # a processes run before its first window: no figure yet, and why (its /proc reads go on meanwhile)
        note = self.note or (NOT_YET if self.started.mode == "processes" and not self.windows
                             and not self.started.python.free_threaded else None)
        if note:
            rows, held = [[row[0], None, None, None] for row in rows], None
        self.emit([GilWorkers(time.monotonic() - self.session_t0, rows, held, note, self.source, final,
                              None if note else self.wait_note)])

    def _loop(self) -> None:
        with scratch("gil") as folder:
            try:
                if self.note is None and not self.stopping.is_set():
                    self._sample(folder)
                else:
                    self._send(final=False)  # the screen says why at once
            except PtraceRefused as exc:
                self.note = str(exc)
                self._send(final=False)  # the screen says why at once
            except (RuntimeError, OSError, ValueError) as exc:
                self.note = f"GIL sampler failed: {exc}"[:500]
            finally:
                for worker in self.workers.values():
                    worker.close()
            self.stopping.wait()  # the run's last word comes once it ended
            if self.note is None and not self.sampled_s and not self.word_ticks:
                self.note = TOO_SHORT  # no figure to give: say why, never leave them blank
            self._send(final=True)

    def _read_words(self) -> None:
        """Free-threaded builds with the GIL on: py-spy 0.4.3 cannot read them, so the GIL's
        own word is read here, once per state read, on the same clock."""
        self.source = f"the GIL's last_holder word, read at {STATE_HZ} Hz (py-spy cannot read free-threaded builds)"
        next_read = time.monotonic()
        next_send = next_read + SAMPLER_WINDOW_S
        while not self.stopping.is_set():
            self._read_states(next_read, words=True)
            next_read += self._period()
            if time.monotonic() >= next_send:  # the figures move once a window, however long a tick is
                self._send(final=False)
                next_send += SAMPLER_WINDOW_S
            if self.stopping.wait(max(0.0, next_read - time.monotonic())):
                break

    def _period(self) -> float:
        with self.lock:
            return max(1 / STATE_HZ, max(1, len(self.workers)) / MAX_STATE_READS)

    def _sample(self, folder: str) -> None:
        if self.started.python.free_threaded:
            with self.lock:
                readable = any(w.holder for w in self.workers.values())
            if not readable:
                raise RuntimeError("the runner found no GIL word to read on this free-threaded build")
            self._read_words()
            return
        recorder: PySpyRecorder | None = None
        subprocesses = self.started.mode == "processes"
        budget = Budget(time.monotonic(), BUDGET)  # the first window at once (_all_started)
        next_read = time.monotonic()
        next_send = next_read + SAMPLER_WINDOW_S
        while True:  # wakes at each tick of reads, and at least every 1 / STATE_HZ s for the window's end
            if recorder is None:
                if self.stopping.is_set():
                    return
                if budget.ready(time.monotonic()) and self._all_started():
                    with self.lock:
                        workers = list(self.workers.values())
                    processes = self.started.workers + 1 if subprocesses else 1  # all it will find, from the first
                    recorder = PySpyRecorder(self.started.pid, subprocesses, self.started.python, folder, workers,
                                             processes)
                    self.source = (f"{'_remote_debugging' if recorder.remote else 'py-spy'} at {recorder.rate} Hz, "
                                   f"{SAMPLER_WINDOW_S} s windows, spaced to cost at most {BUDGET:.0%} of a core")
            if time.monotonic() >= next_read:
                self._read_states(next_read)
                next_read += self._period()
            if recorder is not None and self.stopping.is_set():
                recorder.interrupt()
            if recorder is not None and recorder.done():
                budget.spend(recorder.cpu_s or 0.0, time.monotonic())
                try:
                    self._count(*recorder.finish())
                except RuntimeError:
                    if not recorder.interrupted:
                        raise
                    # interrupted before it sampled, or the runner already gone: an empty window
                recorder = None
                if self.stopping.is_set():
                    return
                next_send = 0.0  # the window's figures at once
            if time.monotonic() >= next_send:  # between windows too: wait and off CPU move, held stays the windows'
                self._send(final=False)
                next_send = time.monotonic() + SAMPLER_WINDOW_S
            time.sleep(min(max(0.0, next_read - time.monotonic()), 1 / STATE_HZ))

    def _read_states(self, at: float, words: bool = False) -> None:
        with self.lock:
            workers = [w for w in self.workers.values() if w.live(at)]
        if words and workers:
            count_holders(workers, self.cpu)  # first: the holder word and the states of the same moment
            with self.lock:
                self.word_ticks += 1
        states = [(worker, read_state(worker)) for worker in workers]
        with self.lock:  # once a tick, not once a worker
            for worker, state in states:
                if state is not None:
                    classify(worker, state, self.futex)

    def _count(self, counts: dict[tuple[int, int], int], begin: float, end: float, rate: int = RATE_HZ) -> None:
        """Add a window: a thread's held samples go to its workers live then, by their time in it
        (sequential workers take turns on one thread; asyncio's tasks share one).

        A window has (end - begin) * rate samples and a process's live part of it its share
        (py-spy samples at random moments, so a share is an estimate), but never fewer than the
        samples that process's workers were seen holding its GIL in, nor a worker fewer than its
        own: a sampler late on a busy machine catches up, and one GIL's holders never add up to
        more than all of its time."""
        self.windows += 1
        span = max(end - begin, 1e-6)
        samples = max([span * rate, *_per_process(counts).values()])
        with self.lock:
            held: dict[Worker, float] = {}  # each worker's held samples in this window
            by_thread: dict[tuple[int, int], list[Worker]] = {}
            for worker in self.workers.values():
                by_thread.setdefault((worker.pid, worker.tid), []).append(worker)
            for key, workers in by_thread.items():
                parts = [w.overlap(begin, end) for w in workers]
                total = sum(parts)
                seen = counts.get(key, 0) + (counts.get((key[0], workers[0].ident), 0) if workers[0].ident else 0)
                for worker, part in zip(workers, parts):
                    if part > 0:
                        held[worker] = seen * part / total
            if not held:
                return
            by_process: dict[int, list[Worker]] = {}
            for worker in held:
                by_process.setdefault(worker.pid, []).append(worker)
            floors = []
            for workers in by_process.values():  # each process has its own GIL, so its own floor
                live_s = _live_span(workers, begin, end)
                live = max(samples * live_s / span, sum(held[w] for w in workers))
                floors.append(live)
                for worker in workers:
                    part = live * worker.overlap(begin, end) / live_s
                    worker.sampled_s += max(part, held[worker]) / rate
                    worker.held_s += held[worker] / rate
            self.sampled_s += max(samples * _live_span(list(held), begin, end) / span, *floors) / rate

    def stop(self) -> None:
        """The run ended: its thread sends the final figures (never here: a sink must not emit)."""
        self.stopping.set()
        self._start_thread()


class GilSampler:
    """A sink of the session's events that samples each run's workers and emits GilWorkers."""

    def __init__(self, emit: Callable[[list[Event]], None], session_t0: float) -> None:
        self.emit = emit
        self.session_t0 = session_t0
        self.run: RunSampling | None = None

    @staticmethod
    def wanted(mode: str) -> bool:
        """Whether a run in this mode is sampled, so the runner readies itself (runner/gil.py)."""
        return mode not in NOT_SAMPLED and find_py_spy() is not None

    def __call__(self, events: list[Event]) -> None:
        for event in events:
            dispatch(self, event)

    def handle_run_started(self, event: RunStarted) -> None:
        self.run = RunSampling(event, self.emit, self.session_t0)

    def handle_worker_started(self, event: WorkerStarted) -> None:
        if self.run is not None:
            self.run.worker(event)

    def handle_worker_finished(self, event: WorkerFinished) -> None:
        if self.run is not None:
            self.run.ended(event.index, event.t)

    def handle_run_finished(self, event: RunFinished) -> None:
        if self.run is not None:
            self.run.stop()

    def wait(self, timeout: float = 3.0) -> None:
        """Block until the run's final figures were emitted (the CLI prints them after)."""
        run = self.run
        if run is not None and run.thread.ident is not None:
            run.thread.join(timeout)
