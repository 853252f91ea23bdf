"""watch_cost: what `conctui watch` costs the watched program and the machine, beside references.

Rows, each measured in this run (medians of interleaved repeats):
- wall of fixed work watched / not watched: 4 pure-Python threads (a ThreadPoolExecutor), and a
  fresh Pool of 2 (its start included) whose workers live 0.9 s here (py-spy samples a child once
  it has lived 1 s), and a long Pool of 2 whose workers py-spy does sample (<= 1.03). One program
  does the work round after round (`_watch_targets.py rounds`); phases of at least PHASE_ROUNDS
  rounds alternate: watched by a `conctui watch PID --json` started SETTLE_S before the phase (its
  start-up is not the cost of watching) and ended after it, and not watched (no conctui running).
  A round counts for the phase it lies wholly in. One program throughout: separate runs of a
  program differ by 5-25% here (their hash seeds and memory layouts), which hid a 3% cost. The
  notes give the median of each phase pair's ratio, the unwatched rounds' own spread, conctui's
  CPU in the watched phases (its py-spy runs' part), and how many Pool workers py-spy sampled.
  With --before PYTHON the conctui that PYTHON imports watches in phases of its own: before/after;
- conctui's CPU, % of one core, its py-spy runs included, while watching 4 busy threads, 256
  threads, 16 processes of 4 threads (<= 10%): headless (`--json`) and the TUI in an 80x24 pty,
  from 3 s after its start (its imports and first paint are not the cost of watching) over
  --seconds (py-spy's windows come ~10 s apart in a big tree: a few seconds would catch one or
  none); the notes give py-spy's part;
  reference: `py-spy top --nonblocking --subprocesses` on the same program, same window;
- frame p95 at 256 threads + 16 processes of 4 threads (<= 10 ms): the time of the panes' frame
  (fold, figures, panes told what changed) in a pilot at 80x24, over --frame-seconds; its wall
  (what a person waits, load included) and its CPU (the UI thread's own, thread_time: what the
  frame costs, whatever the load); Textual's own drawing is after it. The notes give how many
  frames, and how many of them folded a new sample;
- first figures: seconds from WatchSession() to the first sample with kinds of waiting, and to the
  first with GIL held (<= 1.5 s);
- bytes a second the TUI writes to an 80x24 pty watching 4 threads, from 3 s after its start (its
  first paints and the verdict growing to the first figures are not the cost of watching),
  beside htop's at its default
  refresh (<= htop's), and beside htop at conctui's own refresh (`htop -d 10`, 1 s): the same
  updates a second both ways.

    python bench/watch_cost.py [--quick] [--json] [--only wall,cost,frames,first,bytes] [--seconds S]
        [--frame-seconds S] [--wall-pairs N] [--wall-programs threads,pool,long pool] [--before PYTHON]
"""
from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

import psutil
from _common import Row, conctui_command, ensure_tool, interleave, parser, report
from _pty_terminal import PtyTerminal
from conctui.engine.pyspy_access import find_py_spy

TARGETS = str(Path(__file__).with_name("_watch_targets.py"))
SETTLE_S = 3.0  # a watch's start-up (imports, first paint, first py-spy window) before its CPU is counted


def _target(*args: str, session: bool = False) -> subprocess.Popen:
    """The program; in a session of its own, to be killed with every process it started, where `session`."""
    return subprocess.Popen([sys.executable, TARGETS, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, start_new_session=session)


def _settled(target: subprocess.Popen, threads: int) -> None:
    """Wait until the target's tree has its threads (its work started)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            root = psutil.Process(target.pid)
            if sum(p.num_threads() for p in [root, *root.children(recursive=True)]) >= threads:
                return
        except psutil.Error:
            pass
        time.sleep(0.1)


def cpu_share(command: list[str], seconds: float, tty: bool) -> tuple[float, float]:
    """% of one core `command` used over `seconds`, after SETTLE_S to start: (all of it, what its
    children used, reaped or running: conctui's py-spy runs, whose windows last up to 30 s)."""
    if tty:
        terminal = PtyTerminal(command)
        process = psutil.Process(terminal.process.pid)
    else:
        popen = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        process = psutil.Process(popen.pid)
    time.sleep(SETTLE_S)
    _, share = _cpu_over(process, seconds)
    if tty:
        terminal.close(b"\x03" if command[0].endswith("py-spy") else b"q")
    else:
        popen.terminate()
        popen.wait(30)
    return share


def _cpu_over(process: psutil.Process, seconds: float) -> tuple[tuple[float, float], tuple[float, float]]:
    """Over the next `seconds`: their span (monotonic), and the % of one core `process` used, all of
    it and its children's part (conctui's py-spy runs)."""
    began, (own0, children0) = time.monotonic(), _cpu_parts(process)
    time.sleep(seconds)
    ended, (own, children) = time.monotonic(), _cpu_parts(process)
    span = ended - began
    return (began, ended), (100 * (own - own0 + children - children0) / span, 100 * (children - children0) / span)


def _cpu_parts(process: psutil.Process) -> tuple[float, float]:
    """(its own CPU seconds, its children's: the reaped ones' and the running ones' so far)."""
    times = process.cpu_times()
    children = times.children_user + times.children_system
    for child in process.children():
        try:
            running = child.cpu_times()
            children += running.user + running.system
        except psutil.Error:
            continue  # ended meanwhile: in the reaped figure once reaped
    return times.user + times.system, children


def cost_rows(seconds: float, repeats: int) -> tuple[list[Row], list[str]]:
    rows, notes = [], []
    cases = (("4 busy threads", ("threads", "100000"), 4), ("256 threads", ("many", "256", "3600"), 256),
             ("16 processes x 4 threads", ("procs", "16", "4", "3600"), 64))
    for name, shape, threads in cases:
        target = _target(*shape)
        try:
            _settled(target, threads)
            watch = [*conctui_command(), "watch", str(target.pid)]
            top = [find_py_spy() or "py-spy", "top", "--pid", str(target.pid), "--nonblocking", "--subprocesses"]
            headless = [*watch, "--json", "--duration", "3600"]
            values = interleave({"headless": partial(cpu_share, headless, seconds, False),
                                 "tui": partial(cpu_share, watch, seconds, True),
                                 "py-spy top": partial(cpu_share, top, seconds, True)}, repeats)
        finally:
            for child in psutil.Process(target.pid).children(recursive=True):
                child.kill()
            target.kill()
            target.wait()
        top_values = [total for total, _ in values["py-spy top"]]
        for how in ("headless", "tui"):
            totals = [total for total, _ in values[how]]
            rows.append(Row(f"conctui watch CPU, {name}, {how}", "%core", totals, "py-spy top, same program",
                            top_values, "<= 10", statistics.median(totals) <= 10))
            notes.append(f"{name}, {how}: py-spy's part {statistics.median(s for _, s in values[how]):.1f}%, "
                         f"conctui's own {statistics.median(t - s for t, s in values[how]):.1f}% (medians)")
    return rows, notes


async def _frames(seconds: float) -> list[tuple[float, float, bool]]:
    """(wall ms, CPU ms, folded a new sample) of each frame of the one app over a watch."""
    from conctui.app import ConcApp
    from conctui.engine.watch.session import WatchSession
    from conctui.panes import PanesScreen
    from conctui.watch_source import WatchSource

    target = _target("mixed", "16", "4", "3600")
    try:
        _settled(target, 256 + 64)
        source = WatchSource(launched=False)
        session = WatchSession([source], pid=target.pid)
        source.stop = session.stop
        app = ConcApp(source)
        times: list[tuple[float, float, bool]] = []
        frame = PanesScreen.frame

        def timed(screen: PanesScreen, now: float | None = None) -> None:
            watch = screen.model.state.watch
            last = watch.last if watch is not None else None
            began, cpu = time.perf_counter(), time.thread_time()
            frame(screen, now)
            wall, cpu = 1000 * (time.perf_counter() - began), 1000 * (time.thread_time() - cpu)
            watch = screen.model.state.watch
            times.append((wall, cpu, watch is not None and watch.last is not last))

        PanesScreen.frame = timed  # type: ignore[method-assign]  # before the screen's timer binds it
        try:
            async with app.run_test(size=(80, 24)) as pilot:
                await asyncio.sleep(seconds)
                await pilot.pause()
        finally:
            PanesScreen.frame = frame  # type: ignore[method-assign]
        session.stop()
        return times
    finally:
        for child in psutil.Process(target.pid).children(recursive=True):
            child.kill()
        target.kill()
        target.wait()


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values)


def frame_rows(seconds: float) -> tuple[list[Row], list[str]]:
    frames = asyncio.run(_frames(seconds))
    rows = []
    for unit, index, what in (("ms", 0, "wall"), ("ms", 1, "CPU")):
        p95 = _p95([f[index] for f in frames])
        rows.append(Row(f"frame p95 {what}, 256 threads + 16 procs x 4", unit, [p95], target="<= 10", met=p95 <= 10))
    sampled = [f for f in frames if f[2]]
    notes = [f"frames timed: {len(frames)} over {seconds:.0f} s; load {os.getloadavg()[0]:.1f} at the end"]
    if sampled:
        notes.append(f"{len(sampled)} of those frames folded a new sample: their p95 wall "
                     f"{_p95([f[0] for f in sampled]):.1f} ms, CPU {_p95([f[1] for f in sampled]):.1f} ms")
    return rows, notes


WALL_PROGRAMS = {"threads": ("threads", "40"), "pool": ("pool", "40"),
                 "long pool": ("pool", "200")}  # its workers live past MIN_AGE_S: py-spy samples them
PHASE_ROUNDS = 5  # rounds of work a phase lasts at least
PHASE_S = 5.0  # and at least these seconds


class Round(NamedTuple):
    """One round of the rounds program's work: its start and end (monotonic) and CPU seconds."""

    began: float
    ended: float
    cpu: float

    @property
    def wall(self) -> float:
        return self.ended - self.began


class Rounds:
    """The rounds program, its lines read as they come, a Round each."""

    def __init__(self, kind: str, units: str) -> None:
        self.process = _target("rounds", kind, units, session=True)
        self.rounds: list[Round] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.rounds.append(Round(*(float(word) for word in line.split())))

    def within(self, span: tuple[float, float]) -> list[Round]:
        return [r for r in self.rounds if span[0] <= r.began and r.ended <= span[1]]

    def close(self) -> None:
        """End it and its Pool's workers at once, as one process group (killed one by one, a Pool
        starts new workers meanwhile)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self.reader.join(10)


def watched_phase(rounds: Rounds, seconds: float, python: str) -> dict:
    """A phase with `conctui watch PID --json` running: its span (from SETTLE_S after the watch's
    start), the watch's CPU over it (% of a core, all and its py-spy runs') and its document."""
    watcher = subprocess.Popen([*conctui_command(python), "watch", str(rounds.process.pid), "--json", "--duration",
                                "3600"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        process = psutil.Process(watcher.pid)
        time.sleep(SETTLE_S)
        span, share = _cpu_over(process, seconds)
        watcher.terminate()  # the watch ends, prints its document, and reaps its py-spy runs
        out, _ = watcher.communicate(timeout=60)
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.communicate()
    return {"span": span, "cpu": share, "document": json.loads(out or "{}")}


def alone_phase(seconds: float) -> dict:
    began = time.monotonic()
    time.sleep(seconds)
    return {"span": (began, time.monotonic())}


def _spread(values: list[float]) -> float:
    """The interquartile range over the median."""
    if len(values) < 4:
        return float("inf")
    quartiles = statistics.quantiles(values, n=4)
    return (quartiles[2] - quartiles[0]) / statistics.median(values)


def wall_rows(pairs: int, programs: list[str], before: str | None) -> tuple[list[Row], list[str]]:
    rows, notes = [], []
    for name in programs:
        kind, units = WALL_PROGRAMS[name]
        load = os.getloadavg()[0]
        rounds = Rounds(kind, units)
        try:
            while len(rounds.rounds) < 2 and rounds.process.poll() is None:  # the first round warms it up
                time.sleep(0.1)
            seconds = max(PHASE_S, PHASE_ROUNDS * (rounds.rounds[-1].wall))
            subjects = {"watched": partial(watched_phase, rounds, seconds, sys.executable),
                        "alone": partial(alone_phase, seconds)}
            if before:
                subjects["watched before"] = partial(watched_phase, rounds, seconds, before)
            phases = interleave(subjects, pairs)
        finally:
            rounds.close()
        within = {who: [rounds.within(phase["span"]) for phase in done] for who, done in phases.items()}
        alone = [r for phase in within["alone"] for r in phase]
        watchers = [who for who in phases if who != "alone"]
        for what, figure in (("wall", attrgetter("wall")), ("CPU seconds", attrgetter("cpu"))):
            for who in watchers:
                target = "ratio <= 1.03" if what == "wall" else ""
                row = Row(f"{what}, {name} program, {who}", "s", [figure(r) for p in within[who] for r in p],
                          "the same, not watched", [figure(r) for r in alone], target)
                if what == "wall":
                    row.met = row.ratio is not None and row.ratio <= 1.03
                rows.append(row)
        for who in watchers:
            shares = [phase["cpu"] for phase in phases[who]]
            rows.append(Row(f"conctui CPU during the {name} program's watched rounds, {who}", "%core",
                            [total for total, _ in shares]))
            ratios = [statistics.median(r.wall for r in w) / statistics.median(r.wall for r in a)
                      for w, a in zip(within[who], within["alone"]) if w and a]  # both with a whole round
            notes.append(f"{name} program, {who}: median of the {len(ratios)} phase pairs' wall ratios "
                         f"{statistics.median(ratios):.3f}; "
                         f"conctui's py-spy runs' part of its CPU {statistics.median(s for _, s in shares):.1f}% of "
                         f"a core (median); {sum(map(len, within[who]))} rounds watched")
            workers = [t for phase in phases[who] for p in phase["document"].get("processes", [])
                       if p["role"] == "worker" for t in p["threads"]]
            if workers:
                sampled = sum(t["gil_held"] is not None for t in workers)
                notes.append(f"{name} program, {who}: py-spy gave a GIL held to {sampled} "
                             f"of the {len(workers)} Pool workers' threads in the watches' documents (the others "
                             "read 'not sampled')")
        spread = _spread([r.wall for r in alone])
        notes.append(f"{name} program: {len(alone)} rounds not watched, their interquartile spread {spread:.1%} of "
                     f"their median{'' if spread <= 0.03 else ': wider than the 3% to be read, NOT READABLE here'}; "
                     f"phases of {seconds:.1f} s; load {load:.1f} before, {os.getloadavg()[0]:.1f} after")
    return rows, notes


def first_figures() -> tuple[float, float]:
    from conctui.engine.watch.events import WatchSample
    from conctui.engine.watch.session import WatchSession

    target = _target("threads", "100000")
    try:
        _settled(target, 1)
        time.sleep(0.5)
        seen: dict[str, float] = {}
        began = time.monotonic()

        def sink(events: list) -> None:
            for event in events:
                if isinstance(event, WatchSample):
                    if any(t["reads"] for t in event.threads):
                        seen.setdefault("states", time.monotonic() - began)
                    if any(t["held"] is not None for t in event.threads):
                        seen.setdefault("gil", time.monotonic() - began)

        session = WatchSession([sink], pid=target.pid)
        while len(seen) < 2 and time.monotonic() - began < 10:
            time.sleep(0.01)
        session.stop()
        return seen.get("states", float("nan")), seen.get("gil", float("nan"))
    finally:
        target.kill()
        target.wait()


def first_rows(repeats: int) -> tuple[list[Row], list[str]]:
    firsts = [first_figures() for _ in range(repeats)]
    return [Row("first kinds of waiting", "s", [f[0] for f in firsts], target="<= 1.5",
                met=statistics.median(f[0] for f in firsts) <= 1.5),
            Row("first GIL held", "s", [f[1] for f in firsts], target="<= 1.5",
                met=statistics.median(f[1] for f in firsts) <= 1.5)], []


def bytes_rows(window: float, repeats: int) -> tuple[list[Row], list[str]]:
    """conctui beside htop at its default refresh (the target) and at conctui's own (1 s)."""
    target = _target("threads", "100000")
    try:
        _settled(target, 5)
        htop = ensure_tool("htop") or "htop"
        values = interleave({"conctui": partial(bytes_rate, [*conctui_command(), "watch", str(target.pid)], window),
                             "htop": partial(bytes_rate, [htop], window),
                             "htop 1s": partial(bytes_rate, [htop, "-d", "10"], window)}, repeats)
    finally:
        target.kill()
        target.wait()
    row = Row("bytes/s to 80x24, watching 4 threads", "B/s", values["conctui"], "htop, default refresh",
              values["htop"], "<= htop's")
    row.met = row.ratio is not None and row.ratio <= 1.0
    same = Row("bytes/s to 80x24, watching 4 threads", "B/s", values["conctui"], "htop -d 10 (1 s, as conctui)",
               values["htop 1s"])
    return [row, same], [f"bytes: {repeats} interleaved windows of {window:.0f} s each, from {SETTLE_S:.0f} s after "
                         f"the start; load {os.getloadavg()[0]:.1f} at the end"]


def bytes_rate(command: list[str], seconds: float) -> float:
    """Bytes a second `command` writes to its 80x24 pty over `seconds`, from SETTLE_S after its
    start, as the CPU rows: a watch's first figures arrive about 2 s in, and the verdict pane
    growing to their sentences lays out and sends every pane again once (1.2 KB)."""
    terminal = PtyTerminal(command)
    time.sleep(SETTLE_S)
    before, began = terminal.received, time.monotonic()
    time.sleep(seconds)
    rate = (terminal.received - before) / (time.monotonic() - began)
    terminal.close(b"q")
    return rate


PARTS = ("wall", "cost", "frames", "first", "bytes")


def main() -> None:
    parse = parser(__doc__)
    parse.add_argument("--seconds", type=float, default=None,
                       help="seconds per CPU window (default 30) and bytes window (default 15)")
    parse.add_argument("--frame-seconds", type=float, default=None, help="seconds of frames timed (default 60)")
    parse.add_argument("--wall-pairs", type=int, default=None,
                       help="watched / not watched phase pairs for the wall rows (default 6)")
    parse.add_argument("--wall-programs", default=",".join(WALL_PROGRAMS),
                       help=f"comma-separated wall rows' programs, of {', '.join(WALL_PROGRAMS)} (default all)")
    parse.add_argument("--only", default=",".join(PARTS),
                       help=f"comma-separated rows to run, of {', '.join(PARTS)} (default all): one part's "
                            "figures in minutes, not the whole bench's quarter hour")
    args = parse.parse_args()
    only = set(args.only.split(","))
    if not only <= set(PARTS):
        parse.error(f"--only takes {', '.join(PARTS)}, not {', '.join(sorted(only - set(PARTS)))}")
    seconds = args.seconds or (4.0 if args.quick else 30.0)
    repeats = 1 if args.quick else 2
    rows, notes = [], []
    programs = args.wall_programs.split(",")
    if not set(programs) <= set(WALL_PROGRAMS):
        parse.error(f"--wall-programs takes {', '.join(WALL_PROGRAMS)}")
    for part, run in (("wall", lambda: wall_rows(args.wall_pairs or (2 if args.quick else 6), programs,
                                                 args.before)),
                      ("cost", lambda: cost_rows(seconds, repeats)),
                      ("frames", lambda: frame_rows(args.frame_seconds or (8.0 if args.quick else 60.0))),
                      ("first", lambda: first_rows(1 if args.quick else 3)),
                      ("bytes", lambda: bytes_rows(args.seconds or (4.0 if args.quick else 15.0),
                                                   1 if args.quick else 3))):
        if part in only:
            got, said = run()
            rows += got
            notes += said
    report("watch_cost", args, rows, notes)

if __name__ == "__main__":
    main()
