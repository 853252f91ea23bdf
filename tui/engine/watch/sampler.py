"""The watch sampler: one thread in conctui's process that reads the watched tree and emits events.

Three clocks in one loop:
- state reads: every live thread's /proc stat and syscall, at STATE_HZ each, at most
  MAX_STATE_READS a second in all (256 threads: ~4 reads each a second), tallied by kind;
- ticks, at the refresh rate: the process tree again (psutil), each thread's CPU and last
  core, every core's %, and one `watch_sample` carrying the tallies so far;
- py-spy windows, back to back (pyspy.py): GIL held, Python names, hottest frames.
While no core is idle (less than MIN_IDLE_CORES idle over all cores at the last tick), state
reads and py-spy's later windows are BACK_OFF times sparser (a window with a process no window
has sampled yet excepted): conctui's own CPU then comes out of the program's, whose wall it
would stretch, and each sample says so (`busy`).
Tallies start when a thread is first seen, so every figure is of the watch, not of the
thread's life before it.
"""
from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import psutil
from conctui.engine.events import Event
from conctui.engine.process_tree import TICKS
from conctui.engine.pythons import minor_of
from conctui.engine.watch.events import WatchSample
from conctui.engine.watch.pthreads import MAX_TID, match, stack_pointer
from conctui.engine.watch.pyspy import MAX_RUNS, MIN_AGE_S, PySpyWindows, Window
from conctui.engine.watch.target import PythonBuild
from conctui.engine.watch.tree import ProcessTree, WatchedProcess
from conctui.engine.watch.waiting import Kinds, ThreadFiles
from conctui.runner.gil_constants import NO_GIL, arch

STATE_HZ = 50  # reads a second of each thread: a last second's share within +-7% (one standard error at 50%);
# each wake-up runs cold beside a busy program (~2% of a core at 100 Hz for a Pool of 2), and on a machine
# the program keeps busy conctui's CPU comes out of the program's wall (issue 24: <= 1.03)
MAX_STATE_READS = 1000
MIN_IDLE_CORES = 0.25  # idle CPU over all cores, in cores, below which no core is idle (a Pool of 2 on 2 cores: ~0.05)
BACK_OFF = 2  # while no core is idle: state reads and py-spy's later windows this many times sparser (a long-lived
# Pool of 2 on 2 cores read 1.02-1.04 of its unwatched wall at full rate, conctui 2.5-3.5% of a core); the texts
# that say so say "half"
ENDED_SHOWN_S = 5.0  # an ended process stays in the samples this long, marked ended
MAX_THREADS = 4096  # per process: threads past it are counted, not read


@dataclass(eq=False)
class ThreadTally:
    """One thread's tallies since it was first seen."""

    pid: int
    tid: int
    name: str
    files: ThreadFiles
    runtime: tuple[int, int] | None
    cpu0: float | None = None
    cpu_s: float = 0.0
    core: int | None = None
    states: Counter = field(default_factory=Counter)
    reads: int = 0
    held: int | None = None
    sampled: float | None = None
    born: float = 0.0  # when the thread began, seconds on CLOCK_BOOTTIME (its stat's starttime)
    pthread_named: bool = False  # py-spy names it by pthread id (before 3.11): its stack pointer tells which
    sp: int | None = None  # its stack pointer at the last read that found it waiting in a syscall
    top: str | None = None
    ended: bool = False
    last_read: float | None = None  # monotonic time its stat was last read: once it has gone, about its end

    def row(self) -> dict:
        return {"pid": self.pid, "tid": self.tid, "name": self.name, "cpu_s": round(self.cpu_s, 3),
                "core": self.core, "reads": self.reads, "states": dict(self.states), "held": self.held,
                "sampled": None if self.sampled is None else round(self.sampled, 2), "top": self.top,
                "ended": self.ended}

    def read_cpu(self, fields: list[bytes]) -> None:
        """Its CPU seconds since first seen and last core, from stat's fields."""
        cpu = (int(fields[11]) + int(fields[12])) / TICKS
        if self.cpu0 is None:
            self.cpu0, self.born = cpu, int(fields[19]) / TICKS
        self.cpu_s, self.core = cpu - self.cpu0, int(fields[36])
        self.last_read = time.monotonic()


def _comm(pid: int, tid: int) -> str:
    try:
        with open(f"/proc/{pid}/task/{tid}/comm", "rb") as file:
            return file.read().rstrip(b"\n").decode("utf-8", "surrogateescape")
    except OSError:
        return "?"


class WatchSampler:
    """Samples the tree rooted at `pid` until stopped; `emit` gets each batch of events."""

    def __init__(self, pid: int, build: PythonBuild | None, emit: Callable[[list[Event]], None],
                 t0: float, refresh_hz: float = 1.0, use_pyspy: bool = True) -> None:
        self.pid = pid
        self.emit = emit
        self.t0 = t0
        self.period = 1.0 / refresh_hz
        self.tree = ProcessTree(pid, build)
        self.kinds = Kinds(arch())
        self.threads: dict[tuple[int, int], ThreadTally] = {}
        self.natives: dict[tuple[int, int], tuple[int, int]] = {}  # (pid, pthread id): (pid, tid), before 3.11
        self.pyspy = PySpyWindows(pid, bool(build and build.free_threaded)) if use_pyspy else None
        self.gil_note: str | None = NO_GIL if build is not None and build.no_gil else None
        self.states_note: str | None = self.kinds.note
        self.windows = 0  # py-spy windows added so far
        self.back_off = 1  # BACK_OFF while no core was idle at the last tick, else 1
        # threads that ended while a py-spy window sampled their process (a Pool's worker that finished):
        # counted over their part of it once it ends, then their rows sent once more (`rows_to_resend`)
        self.ended_in_window: dict[tuple[int, int], ThreadTally] = {}
        self.rows_to_resend: list[ThreadTally] = []
        self.sampled: set[int] = set()  # the processes a finished window has sampled
        self.me = psutil.Process()
        self.stopping = threading.Event()
        self.root_ended = threading.Event()
        self.thread = threading.Thread(target=self._loop, name="conctui-watch-sampler", daemon=True)

    def start(self) -> WatchSampler:
        self._app_cpu()  # the first call only sets the baseline
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop sampling: the thread emits one last sample first."""
        self.stopping.set()
        if self.thread.ident is not None:
            self.thread.join(5.0)

    # ---- the loop -----------------------------------------------------------------------------

    def _loop(self) -> None:
        # the first call only sets the baseline, in this thread: psutil keeps cpu_percent's last
        # reading per calling thread
        psutil.cpu_percent(percpu=True)
        try:
            next_tick = time.monotonic()
            next_read = next_tick
            while True:
                now = time.monotonic()
                # stopping: the last sample at once (the wait below no longer waits: no spin until the tick)
                if now >= next_tick or self.stopping.is_set():
                    self._tick()
                    next_tick += self.period * max(1, int((now - next_tick) / self.period) + 1)
                    if self.stopping.is_set() or self.tree.processes[self.pid].ended is not None:
                        break
                if now >= next_read:
                    self._read_states()
                    next_read = now + self._read_period()
                if self.pyspy is not None:
                    for window in self.pyspy.poll():
                        if window.samples() and not self.windows:
                            next_tick = time.monotonic()  # the first GIL figures show at once, not a tick later
                        self.windows += bool(window.samples())
                        self._add_window(window)
                self.stopping.wait(max(0.0, min(next_tick, next_read) - time.monotonic()))
        finally:
            if self.pyspy is not None:
                self.pyspy.close()
            for tally in self.threads.values():
                tally.files.close()
            self.root_ended.set()

    def _read_period(self) -> float:
        """Seconds between state reads: STATE_HZ each, MAX_STATE_READS in all, `back_off` times that."""
        return max(1 / STATE_HZ, len(self.threads) / MAX_STATE_READS) * self.back_off

    def _app_cpu(self) -> float | None:
        """conctui's own CPU per wall second since the last call, its reaped py-spy runs included."""
        times = self.me.cpu_times()
        now = time.monotonic(), times.user + times.system + times.children_user + times.children_system
        last, self._last_cpu = getattr(self, "_last_cpu", None), now
        if last is None or now[0] <= last[0]:
            return None
        return round(min(1000.0, (now[1] - last[1]) / (now[0] - last[0])), 4)

    def _tick(self) -> None:
        self.tree.scan()
        now = time.monotonic()
        for process in self.tree.processes.values():
            if process.ended is None and (process.build is not None or process.maps_refused):
                self._find_threads(process)  # a program that is not Python gets CPU only
        notes = self._pyspy_note()
        gone = []
        for key, tally in list(self.threads.items()):
            process = self.tree.processes.get(key[0])
            if process is None or process.ended is not None or not self._read_cpu(tally):
                tally.files.close()
                tally.ended = True  # its last row goes out once more, marked ended
                gone.append(self.threads.pop(key))
                if self.pyspy is not None and self.pyspy.in_window(key[0]):
                    self.ended_in_window[key] = tally
        for process in self.tree.processes.values():
            if process.ended is not None:  # read at ticks only: at least what its threads were read to use
                mine = [t.cpu_s for t in gone if t.pid == process.pid]
                process.cpu_s = max(process.cpu_s, sum(mine))
        processes = [p.row(self.t0) for p in self.tree.processes.values()
                     if p.ended is None or now - p.ended <= ENDED_SHOWN_S]
        cores = [round(value, 1) for value in psutil.cpu_percent(percpu=True)]
        busy = sum(100.0 - value for value in cores) / 100 < MIN_IDLE_CORES
        self.back_off = BACK_OFF if busy else 1
        if self.pyspy is not None:
            self.pyspy.back_off = self.back_off
            if self.pyspy.note is not None:  # no window will end: nothing to wait for
                self.ended_in_window.clear()
        self.emit([WatchSample(round(now - self.t0, 3), cores, self._app_cpu(), processes,
                               [tally.row() for tally in [*self.threads.values(), *gone, *self.rows_to_resend]],
                               "; ".join(note for note in (self.gil_note, notes) if note) or None,
                               self.states_note, busy)])
        self.rows_to_resend = []

    def _pyspy_note(self) -> str | None:
        """Tell py-spy the tree's Python processes; say why a new one's GIL held is not sampled yet."""
        if self.pyspy is None:
            return "py-spy not used"
        now = time.monotonic()
        python = [p for p in self.tree.processes.values()  # those the samples show, ended ones for a while
                  if p.build is not None and (p.ended is None or now - p.ended <= ENDED_SHOWN_S)]
        live = {p.pid: p.began for p in python if p.ended is None}
        self.pyspy.processes, self.pyspy.threads = live, len(self.threads)
        # no window has finished on it yet, whether one is under way (windows last seconds), or it ended first
        unsampled = {p.pid for p in python} - self.sampled - {self.pid}
        if self.pyspy.note is not None or not unsampled or self.gil_note is not None:
            return self.pyspy.note
        # py-spy's own words on a child it failed on: untrusted text, shown through the boundary
        failed = sorted(unsampled & self.pyspy.failed.keys())
        notes = [f"py-spy failed on pid {failed[0]}{f' and {len(failed) - 1} more' if len(failed) > 1 else ''}: "
                 f"{self.pyspy.failed[failed[0]]}"] if failed else []
        waiting = len(unsampled) - len(failed)
        if waiting:
            turns = f"; a window samples at most {MAX_RUNS} processes, so they take turns" * (len(live) > MAX_RUNS)
            notes.append(f"{waiting} process{'es' if waiting > 1 else ''} with no GIL held or frames yet: py-spy "
                         "samples one that appears while watching from the first window that starts once it has lived "
                         f"{MIN_AGE_S:g} s, and a window lasts seconds{turns}")
        return "; ".join(notes)

    def _find_threads(self, process: WatchedProcess) -> None:
        try:
            tids = sorted(int(name) for name in os.listdir(f"/proc/{process.pid}/task"))[:MAX_THREADS]
        except OSError:
            return
        runtime = process.build.runtime if process.build and not process.build.no_gil else None  # no GIL to wait for
        pthread_named = process.build is not None and minor_of(process.build.version) < (3, 11)
        for tid in tids:
            key = (process.pid, tid)
            if key in self.threads:
                continue
            try:
                files = ThreadFiles(process.pid, tid)
            except OSError:
                continue
            if files.refused and self.states_note is None:
                self.states_note = f"kinds of waiting not readable ({files.refused}): only running or not"
            tally = ThreadTally(process.pid, tid, _comm(process.pid, tid), files, runtime,
                                pthread_named=pthread_named)
            if not self._read_cpu(tally):
                files.close()
                continue
            self.threads[key] = tally
            if self.pyspy is not None:
                self.pyspy.want_names(key)

    @staticmethod
    def _read_cpu(tally: ThreadTally) -> bool:
        """False once it has gone."""
        try:
            tally.read_cpu(tally.files.stat_fields())
        except (OSError, IndexError, ValueError):
            return False
        return True

    def _read_states(self) -> None:
        """Each state read also reads its CPU: a thread that ends between ticks keeps its last second."""
        for tally in list(self.threads.values()):
            try:
                fields, syscall = tally.files.read()
                tally.read_cpu(fields)
            except (OSError, IndexError, ValueError):
                continue  # gone: the next tick drops it
            state = fields[0]
            if tally.pthread_named and syscall is not None:
                tally.sp = stack_pointer(syscall)
            kind = self.kinds.of(state, syscall, tally.runtime)
            if kind is None:
                kind = "running" if state == b"R" else "other"
            if state in (b"t", b"T", b"Z", b"X"):
                continue  # stopped for a moment by a tracer, or ending: neither running nor waiting
            tally.reads += 1
            tally.states[kind] += 1

    def _by_native_id(self, window: Window) -> set[int]:
        """Rename a window's threads that py-spy named by pthread id (Pythons before 3.11) to their
        native ids, where pthreads.match can tell which; return the pids with some still unknown."""
        parts = (window.held, window.top, window.names)
        by_pthread = {key for part in parts for key in part if key[1] > MAX_TID}
        if not by_pthread:
            return set()
        wanted = by_pthread - self.natives.keys()
        for pid in {key[0] for key in wanted}:
            # live threads last: where a new thread took an ended one's stack (glibc reuses them), it wins
            mine = [t for t in (*self.ended_in_window.values(), *self.threads.values()) if t.pid == pid]
            found = match(pid, {key[1] for key in wanted if key[0] == pid},
                          {t.tid: t.sp for t in mine if t.sp is not None}, {t.tid for t in mine})
            self.natives.update({(pid, ident): (pid, tid) for ident, tid in found.items()})
        window.held, window.top, window.names = ({self.natives.get(key, key): value for key, value in part.items()}
                                                 for part in parts)
        return {key[0] for key in by_pthread if key not in self.natives}

    def _add_window(self, window: Window) -> None:
        """A window's names, frames and GIL held. A thread that began or ended in the window (a Pool's
        worker, an executor's thread) is counted over its part of it, not the whole: windows last
        seconds. A thread that ended in it is sent again, with its share."""
        record = bool(window.samples())
        if record:
            self.sampled |= window.pids
        unmatched = self._by_native_id(window)
        told = set(self.natives.values()) if unmatched else set()
        boot = time.clock_gettime(time.CLOCK_BOOTTIME) - time.monotonic()  # starttime is since boot
        period = self._read_period()
        # those gone since the window began (not a new thread reusing the tid): counted to about their end
        ended = [(key, tally) for key, tally in self.ended_in_window.items() if key not in self.threads
                 and tally.last_read is not None and tally.last_read > window.began] if record else []
        for key, tally in [*self.threads.items(), *ended]:
            if key[0] in unmatched and key not in told:
                continue  # it may be one of the window's threads not yet told apart: no figure rather than 0
            if key in window.names:
                tally.name = window.names[key]
            if record or tally.top is None:  # a dump's frame is one moment: only until a window has one
                tally.top = window.top.get(key, tally.top)
            held = window.held.get(key, 0)
            samples = 0.0
            if record and key[0] in window.pids:
                # gone: at the last tick, or since (a fresh read fails); it ended between its last read and the next
                gone = tally.ended or not self._read_cpu(tally)
                until = tally.last_read + period if gone and tally.last_read is not None else None
                samples = window.samples(tally.born - boot, held, until)
            if self.gil_note is None and samples:
                tally.held = (tally.held or 0) + held
                tally.sampled = (tally.sampled or 0.0) + samples
        if record:
            self.rows_to_resend.extend(tally for _, tally in ended)
            self.ended_in_window.clear()
