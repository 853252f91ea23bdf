"""The events of a watched program's stream, declared like every other event (runner/schema.py).

A watch emits `watch_started` once, a `watch_sample` every tick (cumulative tallies since the
watch began, so any two samples give a window's figures and the last gives the whole watch's),
`watch_output` for each line a launched program printed, and `watch_ended` once. Recordings keep
them; `model.fold` folds them, live and on replay alike.
"""
from __future__ import annotations

from conctui.engine.watch.waiting import KINDS
from conctui.runner.schema import MAX_INDEX, Event, EventError, event

ENDINGS = ("exited", "detached", "ended")  # it exited by itself; q left it running; conctui ended it
PROCESS_KEYS = {"pid", "ppid", "role", "argv", "python", "rss_bytes", "cpu_s", "threads", "ended"}
LATER_PROCESS_KEYS = {"no_gil"}  # absent from recordings made before it
THREAD_KEYS = {"pid", "tid", "name", "cpu_s", "core", "reads", "states", "held", "sampled", "top", "ended"}
MAX_ROWS = 65_536


def _number(value: object, optional: bool = False) -> bool:
    if value is None:
        return optional
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < 2**63


def _text(value: object, optional: bool = False) -> bool:
    return (optional and value is None) or (isinstance(value, str) and len(value) <= 10_000)


def _process_row(row: object) -> bool:
    return (isinstance(row, dict) and PROCESS_KEYS <= set(row) <= PROCESS_KEYS | LATER_PROCESS_KEYS
            and isinstance(row.get("no_gil", False), bool) and _number(row["pid"]) and _number(row["ppid"])
            and _text(row["role"]) and isinstance(row["argv"], list) and len(row["argv"]) <= 4096
            and all(_text(a) for a in row["argv"]) and _text(row["python"], True) and _number(row["rss_bytes"])
            and _number(row["cpu_s"]) and _number(row["threads"]) and _number(row["ended"], True))


def _thread_row(row: object) -> bool:
    return (isinstance(row, dict) and set(row) == THREAD_KEYS and _number(row["pid"]) and _number(row["tid"])
            and _text(row["name"]) and _number(row["cpu_s"]) and _number(row["core"], True)
            and _number(row["reads"]) and isinstance(row["states"], dict) and set(row["states"]) <= set(KINDS)
            and all(_number(v) for v in row["states"].values()) and _number(row["held"], True)
            and _number(row["sampled"], True) and _text(row["top"], True) and isinstance(row["ended"], bool))


@event("watch_started")
class WatchStarted(Event):
    """What is watched: the target's pid, argv and Python, whether conctui launched it, the cores."""

    pid: int
    argv: list
    python: str  # "CPython 3.11.7", or "?" where its files may not be read
    launched: bool
    cores: int
    free_threaded: bool = False  # the target runs with no GIL: a free-threaded build, its GIL not switched on

    def check(self) -> None:
        if not 1 <= self.cores <= MAX_INDEX or not all(_text(a) for a in self.argv):
            raise EventError("watch_started: cores out of range or argv not text")


@event("watch_sample")
class WatchSample(Event):
    """One tick: every core's %, conctui's own CPU, each process's and thread's tallies so far.

    processes: rows of PROCESS_KEYS (cpu_s, rss_bytes now; ended: the watch's t it was missed;
    no_gil: a free-threaded build started with its GIL off).
    threads: rows of THREAD_KEYS: cpu_s so far, core last run on, reads of its /proc state and
    how many found each kind of waiting, held: py-spy samples holding its GIL of `sampled`
    (None: not sampled, see gil_note), top: its hottest frame in the last window; ended: it
    has gone (its last row, sent once, and once more with its part of the py-spy window it
    ended in).
    gil_note: why GIL and frame columns are empty; states_note: why kinds of waiting are.
    busy: no core was idle, so the sampler read states and ran py-spy less often (sampler.BACK_OFF)."""

    cores: list
    app_cpu: float | None
    processes: list
    threads: list
    gil_note: str | None = None
    states_note: str | None = None
    busy: bool = False

    def check(self) -> None:
        if len(self.cores) > 4096 or not all(_number(c) and c <= 100 for c in self.cores):
            raise EventError("watch_sample.cores must be percentages")
        if len(self.processes) > MAX_ROWS or not all(_process_row(r) for r in self.processes):
            raise EventError("watch_sample.processes rows must hold " + ", ".join(sorted(PROCESS_KEYS)))
        if len(self.threads) > MAX_ROWS or not all(_thread_row(r) for r in self.threads):
            raise EventError("watch_sample.threads rows must hold " + ", ".join(sorted(THREAD_KEYS)))
        if not isinstance(self.busy, bool):
            raise EventError("watch_sample.busy must be true or false")


@event("watch_output")
class WatchOutput(Event):
    """One line a launched program printed (stdout and stderr, in order), exactly as it came."""

    line: str


@event("watch_ended")
class WatchEnded(Event):
    """The watch ended: how, and the target's exit code or signal where conctui could learn it."""

    how: str
    code: int | None = None
    signal: int | None = None

    def check(self) -> None:
        if self.how not in ENDINGS:
            raise EventError(f"watch_ended.how must be one of {', '.join(ENDINGS)}")
