"""py-spy, run in windows beside the watched program: GIL held per thread, Python thread names,
and each thread's hottest frame in the program's own code.

Runs as child processes of conctui, started and read by the watch sampler thread. Each window
is one `py-spy record --pid P --gil --idle --threads --nonblocking --format speedscope` per
Python process of the tree (never pausing the target), all over the same seconds, whose samples
are those of a thread holding its process's GIL: their count over the window's samples is the
thread's GIL held, their stacks its hottest frames. The first window samples every process found
(up to MAX_RUNS);
a later one the root and every process that has lived MIN_AGE_S when it starts: one younger than
that (a Pool's workers as the Pool starts) waits for the next window, and its GIL held reads "not
sampled" until then. A window takes at most MAX_RUNS processes: in a bigger tree they take turns,
the root in every window, so a 200-process tree is not 200 attaches in one burst. Not one run
per tree with `--subprocesses`: that attaches to each new child at once, in the program's busiest
moment, and scans every process on the machine for new children every 0.1 s (~14 ms of CPU a
second beside 68 processes here, growing with the machine's). The first window is WINDOW_S at
RATE_HZ (fewer past 4 processes), at once. Every later one takes SAMPLES_PER_WINDOW samples of
each process over at least LATER_WINDOW_S, and longer where that costs py-spy, attaches included,
more than RUNNING_SHARE of a core while it runs: its length is the last window's CPU per process
(read from the reaped runs; the first window's scaled to a later one's samples) times the processes
now, over RUNNING_SHARE. Most of a run's cost is
attaching to its process (~10 ms here) and reading the GIL holder's stack at every sample, so a
window's cost hardly depends on its length, and long, slow windows are what make it cheap a
second: the program keeps the cores. All runs together are also held to BUDGET of a core on
average (engine/pyspy_budget.py).

One `py-spy dump --json` gives the root process's threads' Python names (under 3.11 /proc's
comm says `python`) and their frames at that moment, which a window's hottest frame replaces (a
thread that never held the GIL in a window, C code that released it or a wait, keeps the dump's).
py-spy runs one window or dump at a time: a dump waits for the window running to end (the first
window goes first: first figures), and runs, before the next window, only for new root threads
that window did not name (one that held the GIL in it is named by it), at most once a second.
A child's threads are named by the windows they held their GIL in.

py-spy's output is untrusted text (names, file names): kept exact here, made visible where shown.
"""
from __future__ import annotations

import json
import math
import os
import subprocess
import time
from dataclasses import dataclass, field

from conctui.engine.pyspy_access import find_py_spy, ptrace_refused
from conctui.engine.pyspy_budget import SAMPLES_PER_S, Budget, finished_cpu
from conctui.engine.scratch import scratch
from conctui.engine.watch.pyspy_output import own_frame, parse_speedscope

RATE_HZ = 100  # the first window's samples a second per process, and any window's most
WINDOW_S = 1  # seconds of the first window: py-spy takes whole seconds
LATER_WINDOW_S = 2  # seconds at least of every later one: at most 25 samples a second, whatever the tree was
SAMPLES_PER_WINDOW = 50  # per process, in every later window: a share in steps of 2% (a 25% share: +-6%, one
# standard error), and the whole watch's from every window; at 100, a Pool's start cost 1% of a core more
RUNNING_SHARE = 0.02  # of one core: py-spy's use while a later window runs, attaches included (issue 24: the
# watched program's wall <= 1.03 of its own; a 2-process Pool's 1 s windows at 100 Hz cost py-spy ~10% of a core)
MAX_WINDOW_S = 30  # a big tree's windows: no longer than this (MAX_RUNS processes: ~0.56 CPU-s a window, 28 s at 5 Hz)
MIN_RATE_HZ = 5  # samples a second per process, however long the window
STACKS_PER_S = 12_800  # over every thread: py-spy walks each thread's state at every sample
MAX_OUTPUT = 64 << 20  # bytes of one window's file
FREE_THREADED_FAILURES = 2  # py-spy 0.4.3 finds no interpreter in a 3.13t's memory, ever: say so soon
BUDGET = 0.05  # of one core: py-spy's runs, attaches included, use at most this on average (issue 24: conctui
# <= 10% of a core): the first window and a tree that grows cost more than RUNNING_SHARE
DUMP_EVERY_S = 1.0  # at most one dump this often: threads that come and go would ask for one a tick
MIN_AGE_S = 1.0  # a process other than the root is sampled by the first later window that starts once it has
# lived this long: a Pool's workers are not all attached to as it starts (~10 ms of CPU each), when it wants every core
MAX_RUNS = 16  # py-spy runs in one window, the root's included: a bigger tree's processes take turns, the least
# lately sampled first, not 200 attaches (~10 ms of CPU each) in one burst


@dataclass
class Window:
    """One window's findings, per (pid, native tid)."""

    began: float
    ended: float
    rate: float = RATE_HZ
    pids: set[int] = field(default_factory=set)  # the processes it sampled (a record's; none for a dump)
    held: dict[tuple[int, int], int] = field(default_factory=dict)
    top: dict[tuple[int, int], str] = field(default_factory=dict)
    names: dict[tuple[int, int], str] = field(default_factory=dict)

    def samples(self, since: float | None = None, held: int = 0, until: float | None = None) -> float:
        """Samples a process had in the window: its span at `rate`, from `since` (monotonic) for a
        thread that began in it and to `until` for one that ended in it, never fewer than the `held`
        it was seen holding the GIL in (a late sampler catches up); 0 for a dump, or for a thread
        that began after the window or ended before it."""
        if self.ended <= self.began:
            return 0.0
        began = self.began if since is None else max(self.began, since)
        ended = self.ended if until is None else min(self.ended, until)
        return max((ended - began) * self.rate, float(held), 0.0)


def _memory_refused(pid: int) -> str | None:
    """Why this process may not read `pid`'s memory (what py-spy needs), or None where it may."""
    try:
        with open(f"/proc/{pid}/mem", "rb"):
            return None
    except PermissionError as exc:
        return f"reading /proc/{pid}/mem: {exc.strerror}"
    except OSError:
        return None  # gone: not a refusal


def _reason(said: str, code: int) -> str:
    """The line of a failed py-spy run's stderr that says why (its error, else its last)."""
    lines = [line for line in said.splitlines() if line.strip()] or [f"exited with code {code}"]
    return next((line for line in lines if "rror" in line or "panicked" in line), lines[-1])[:200]


class PySpyWindows:
    """Record windows back to back, and a dump between two when new root threads want their names.

    `poll()` returns what finished since the last call: a Window from a record, names and
    frames from a dump (as a Window of no span), or None."""

    def __init__(self, pid: int, free_threaded: bool = False) -> None:
        self.pid = pid
        self.free_threaded = free_threaded
        self.binary = find_py_spy()
        self.note: str | None = None if self.binary else 'py-spy is not installed: pip install "conctui[gil]"'
        self.folder = scratch("watch")
        self.dumped_to = os.path.join(self.folder.name, "dump.json")  # a file, not a pipe: 256 threads' dump is
        # ~350 KB, and a dump blocked on a full pipe never ends
        self.runs: dict[int, subprocess.Popen] = {}  # the window running: one py-spy record per process
        self.window: Window | None = None  # what its finished runs found so far
        self.window_cpu = 0.0  # and their CPU seconds
        self.whole = False  # the root's run sampled the window's seconds to their end
        self.dump: subprocess.Popen | None = None
        self.unnamed: set[tuple[int, int]] = set()  # root threads no dump or window has named yet
        self.dumped = -DUMP_EVERY_S  # monotonic time of the last dump
        self.failures = 0
        self.processes: dict[int, float] = {pid: 0.0}  # the tree's Python processes and when each began (epoch
        # seconds): the sampler says at each tick
        self.threads = 1  # their threads
        self.seconds = WINDOW_S
        self.started = 1  # processes the window running samples
        self.back_off = 1  # later windows cost RUNNING_SHARE / back_off while they run: the sampler sets it to
        # sampler.BACK_OFF while no core is idle; a window with a process no window has sampled is not backed off,
        # so a new Pool worker's first GIL held comes no later than it would with a core idle
        self.cost_each: float | None = None  # the last window's CPU seconds per process, None before one ended
        self.budget = Budget(time.monotonic(), BUDGET)
        self.failed: dict[int, str] = {}  # why py-spy's last run on a child failed, until one does not
        self.turns: dict[int, float] = {}  # when a window last started on each process (MAX_RUNS: turns)

    def _spawn(self, pid: int, *args: str, output: int) -> subprocess.Popen:
        return subprocess.Popen([self.binary, *args, "--pid", str(pid), "--nonblocking"],
                                stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.PIPE)

    def _out(self, pid: int) -> str:
        return os.path.join(self.folder.name, f"window-{pid}.json")

    def in_window(self, pid: int) -> bool:
        """Whether the window under way samples `pid` (its run still going, or ended and read)."""
        return pid in self.runs or (self.window is not None and pid in self.window.pids)

    def want_names(self, key: tuple[int, int]) -> None:
        """A new thread appeared: a root thread gets its name from a dump (under 3.11 /proc's comm says
        `python`) unless the window running names it first; a child's only from windows."""
        if key[0] == self.pid:
            self.unnamed.add(key)

    def _due(self) -> list[int]:
        """The processes the next window samples: the root, then, up to MAX_RUNS in all, the first
        window every other one found, a later one every other that has lived MIN_AGE_S; past
        MAX_RUNS those no window has started on first, then the least lately started on."""
        wall = time.time()
        self.turns = {pid: at for pid, at in self.turns.items() if pid in self.processes}
        self.failed = {pid: why for pid, why in self.failed.items() if pid in self.processes}
        due = [pid for pid, began in self.processes.items()  # the root always: a refusal says why
               if pid != self.pid and (self.cost_each is None or wall - began >= MIN_AGE_S)]
        due.sort(key=lambda pid: self.turns.get(pid, -math.inf))
        return [self.pid, *due[:MAX_RUNS - 1]]

    def _window(self, processes: int, new: bool = False) -> tuple[int, int]:
        """(seconds, samples a second) of the next window over `processes`: the first WINDOW_S at
        RATE_HZ (past 4 processes SAMPLES_PER_S over them all); then long enough that its predicted
        cost is RUNNING_SHARE / `back_off` of a core a second (RUNNING_SHARE where one is `new`: no
        window has sampled it yet), SAMPLES_PER_WINDOW over it. Either way, at most STACKS_PER_S over
        every thread."""
        if self.cost_each is None:
            seconds, rate = WINDOW_S, SAMPLES_PER_S // max(1, processes)
        else:
            predicted = self.cost_each * max(1, processes)
            back_off = 1 if new else self.back_off
            seconds = max(LATER_WINDOW_S, min(MAX_WINDOW_S, math.ceil(predicted * back_off / RUNNING_SHARE)))
            rate = SAMPLES_PER_WINDOW // seconds
        return seconds, max(MIN_RATE_HZ, min(RATE_HZ, rate, STACKS_PER_S // max(1, self.threads)))

    def poll(self) -> list[Window]:
        """Start what should run; return what finished. Sets `note` where py-spy is refused or missing."""
        if self.note is not None:
            return []
        done = []
        now = time.monotonic()
        if self.dump is not None and (cpu := finished_cpu(self.dump)) is not None:
            self.budget.spend(cpu, now)
            done.append(self._read_dump())
        for pid, run in list(self.runs.items()):
            if (cpu := finished_cpu(run)) is not None:
                self.window_cpu += cpu
                self._read_run(pid, self.runs.pop(pid))
        if self.window is not None and not self.runs:
            self.budget.spend(self.window_cpu, now)
            samples = self.seconds * self.window.rate  # of each process, in the window now ending
            ended = self._ended()
            if ended is not None:  # a window that found nothing (the target still starting) is not the first
                # the first window's cost scaled to a later one's samples: taken at RATE_HZ for first figures, it
                # would stretch the second window, and delay a new Pool worker's first GIL held, by as much
                scale = min(1.0, SAMPLES_PER_WINDOW / samples) if self.cost_each is None else 1.0
                self.cost_each = self.window_cpu / self.started * scale
            done.append(ended)
        if not self.runs and self.dump is None and self.note is None and self.budget.ready(now):
            if self.unnamed and self.cost_each is not None and now - self.dumped >= DUMP_EVERY_S:  # the window first
                self.dumped = now
                with open(self.dumped_to, "wb") as out:
                    self.dump = self._spawn(self.pid, "dump", "--json", output=out.fileno())
            else:
                self._start(now)
        return [window for window in done if window is not None]

    def _start(self, now: float) -> None:
        """One py-spy record per process due, all over the same seconds."""
        pids = self._due()
        self.seconds, rate = self._window(len(pids), new=not self.turns.keys() >= set(pids))
        self.window, self.window_cpu, self.whole, self.started = Window(now, now, rate), 0.0, False, len(pids)
        for pid in pids:
            self.turns[pid] = now
            self.runs[pid] = self._spawn(pid, "record", "--gil", "--idle", "--threads", "--rate", str(rate),
                                         "--duration", str(self.seconds), "--format", "speedscope", "--output",
                                         self._out(pid), output=subprocess.DEVNULL)

    def _read_run(self, pid: int, run: subprocess.Popen) -> None:
        """One process's part of the window running, into it; a failure of the root's says why."""
        said = run.stderr.read().decode(errors="replace")
        run.stderr.close()
        window, out = self.window, self._out(pid)
        self.whole |= pid == self.pid and run.returncode == 0
        if not os.path.exists(out):
            if run.returncode != 0 and pid == self.pid:
                self._failed(said, run.returncode)
            elif run.returncode != 0:
                self.failed[pid] = _reason(said, run.returncode)
            return
        self.failed.pop(pid, None)
        try:
            if os.path.getsize(out) <= MAX_OUTPUT:
                with open(out, "rb") as file:
                    held, top, names = parse_speedscope(json.load(file), pid)
                window.held.update(held)
                window.top.update(top)
                window.names.update(names)
                window.pids.add(pid)
        except (ValueError, OSError):
            return
        finally:
            os.unlink(out)

    def _ended(self) -> Window | None:
        """The window whose runs have all ended: None where none gave samples."""
        window, self.window = self.window, None
        window.ended = time.monotonic()
        if self.whole:
            window.began = window.ended - self.seconds  # sampled from its attach on: its last seconds
        if not window.pids:
            return None
        self.failures = 0
        self.unnamed -= window.names.keys()
        return window

    def _failed(self, said: str, code: int) -> None:
        last = _reason(said, code)
        refusal = _memory_refused(self.pid)
        if "ermission" in said or "not permitted" in said or refusal:
            # py-spy's words may not say it ("No python processes found"): /proc/PID/mem does
            self.note = str(ptrace_refused(f"py-spy: {refusal or last}"))
        else:
            self.failures += 1  # a window taken while the target starts or ends fails: try again
            if self.free_threaded and self.failures >= FREE_THREADED_FAILURES:
                self.note = ("py-spy cannot read this free-threaded build, so no frames, Python names or GIL held: "
                             + last)[:300]
            elif self.failures >= 5:
                self.note = f"py-spy failed: {last}"[:300]

    def _read_dump(self) -> Window | None:
        """Names, and frames for threads no window has given one, from the last dump."""
        dump, self.dump = self.dump, None
        dump.communicate()
        try:
            with open(self.dumped_to, "rb") as file:
                threads = json.loads(file.read(MAX_OUTPUT) or b"[]")
        except (OSError, ValueError):
            threads = None
        if not threads or not isinstance(threads, list):
            return None  # refused while the target starts or ends: again, after the wait
        self.unnamed.clear()  # a thread this dump did not name (no Python state yet) is not asked for again
        now = time.monotonic()
        window = Window(now, now)
        for thread in threads:
            try:
                key = (int(thread.get("pid") or self.pid), int(thread.get("os_thread_id") or thread["thread_id"]))
            except (AttributeError, KeyError, TypeError, ValueError):
                continue
            if isinstance(thread.get("thread_name"), str) and thread["thread_name"]:
                window.names[key] = thread["thread_name"]
            shown = own_frame(thread.get("frames") or [], leaf_first=True)
            if shown:
                window.top[key] = shown
        return window

    def close(self) -> None:
        for process in (*self.runs.values(), self.dump):
            if process is not None:
                if process.poll() is None:
                    process.kill()
                process.communicate()
        self.folder.cleanup()
