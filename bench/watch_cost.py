"""watch_cost: what `conctui watch` costs the watched program and the machine, beside references.

Rows, each measured in this run (medians of interleaved repeats):
- wall of fixed work watched / not watched: 4 pure-Python threads, and a Pool of 2 (<= 1.03),
  whose workers live 0.9 s here (py-spy samples a child once it has lived 1 s: the notes say in
  how many watches every worker got a GIL held), and a long Pool of 2 whose workers py-spy does
  sample; the program waits 2 s, then times its own work; `conctui watch PID --json` attaches meanwhile.
  With --before PYTHON the conctui that PYTHON imports watches too, interleaved: before/after rows.
  On a shared 2-core machine other load moves a run's wall more than 3%: runs alternate
  watched / not watched (--wall-repeats each), and the notes give the median of each pair's
  ratio, the unwatched runs' own spread (when it is wider than 3% the ratio is not readable
  here, and the note says so) and the load before and after; the program's CPU seconds, which
  load moves less, are a row of their own;
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
        [--frame-seconds S] [--wall-repeats N] [--wall-programs threads,pool,long pool] [--before PYTHON]
"""
from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import psutil
from _common import Row, conctui_command, ensure_tool, interleave, parser, report
from _pty_terminal import PtyTerminal
from conctui.engine.pyspy_access import find_py_spy

TARGETS = str(Path(__file__).with_name("_watch_targets.py"))
SETTLE_S = 3.0  # a watch's start-up (imports, first paint, first py-spy window) before its CPU is counted


def _target(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, TARGETS, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env=None if env is None else {**os.environ, **env})


def _wall(process: subprocess.Popen) -> dict[str, float]:
    """What the target printed of its timed work: wall, cpu (seconds), and, watched, watcher_own and
    watcher_children (the watcher's CPU seconds meanwhile, its own and its py-spy runs')."""
    out, _ = process.communicate(timeout=600)
    words = out.split()
    return {words[i]: float(words[i + 1]) for i in range(0, len(words) - 1, 2)}


def wall_watched(kind: str, units: str, python: str = sys.executable) -> dict[str, float]:
    """As _wall, watched by the conctui `python` imports, and `workers_sampled`: 1 where every Pool
    worker's thread got a GIL held from py-spy in the watch's document, else 0 (-1: no workers)."""
    with tempfile.TemporaryDirectory() as folder:
        named = os.path.join(folder, "watcher.pid")
        target = _target(kind, units, env={"WATCHER_PID_FILE": named})
        watcher = subprocess.Popen([*conctui_command(python), "watch", str(target.pid), "--json", "--duration", "600"],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        with open(named + ".new", "w") as file:
            file.write(str(watcher.pid))
        os.rename(named + ".new", named)  # whole, or not there yet
        try:
            walls = _wall(target)
        finally:
            out, _ = watcher.communicate(timeout=30)
        threads = [t for p in json.loads(out or "{}").get("processes", []) if p["role"] == "worker"
                   for t in p["threads"]]
        return {**walls, "workers_sampled": float(all(t["gil_held"] is not None for t in threads)) if threads else -1}


def wall_alone(kind: str, units: str) -> dict[str, float]:
    return _wall(_target(kind, units))


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
    children used, reaped or running: conctui's py-spy runs, whose windows last up to 20 s)."""
    if tty:
        terminal = PtyTerminal(command)
        process = psutil.Process(terminal.process.pid)
    else:
        popen = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        process = psutil.Process(popen.pid)
    time.sleep(SETTLE_S)
    began, (own0, children0) = time.monotonic(), _cpu_parts(process)
    time.sleep(seconds)
    span = time.monotonic() - began
    own, children = _cpu_parts(process)
    share = 100 * (own - own0 + children - children0) / span, 100 * (children - children0) / span
    if tty:
        terminal.close(b"\x03" if command[0].endswith("py-spy") else b"q")
    else:
        popen.terminate()
        popen.wait(30)
    return share


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


def _per_cpu(watched: list[dict[str, float]], alone: list[dict[str, float]]) -> list[float]:
    """Each pair's wall per CPU second of the program, watched over not watched."""
    return [w["wall"] / w["cpu"] / (a["wall"] / a["cpu"]) for w, a in zip(watched, alone)]


WALL_PROGRAMS = {"threads": ("threads", "40"), "pool": ("pool", "40"),
                 "long pool": ("pool", "200")}  # its workers live past MIN_AGE_S: py-spy samples them


def wall_rows(repeats: int, programs: list[str], before: str | None) -> tuple[list[Row], list[str]]:
    rows, notes = [], []
    for name in programs:
        kind, units = WALL_PROGRAMS[name]
        load = os.getloadavg()[0]
        subjects = {"watched": partial(wall_watched, kind, units), "alone": partial(wall_alone, kind, units)}
        if before:
            subjects["watched before"] = partial(wall_watched, kind, units, before)
        values = interleave(subjects, repeats)
        for key, what in (("wall", "wall"), ("cpu", "CPU seconds")):
            alone = [v[key] for v in values["alone"]]
            for who in ("watched", "watched before") if before else ("watched",):
                row = Row(f"{what}, {name} program, {who}", "s", [v[key] for v in values[who]], "the same, not watched",
                          alone, "ratio <= 1.03" if key == "wall" else "")
                if key == "wall":
                    row.met = row.ratio is not None and row.ratio <= 1.03
                rows.append(row)
        for who in ("watched", "watched before") if before else ("watched",):
            measured = [v for v in values[who] if "watcher_own" in v]
            if measured:
                shares = [100 * (v["watcher_own"] + v["watcher_children"]) / v["wall"] for v in measured]
                rows.append(Row(f"conctui CPU during the {name} program's timed work, {who}", "%core", shares))
                own = statistics.median(100 * v["watcher_own"] / v["wall"] for v in measured)
                runs = statistics.median(100 * v["watcher_children"] / v["wall"] for v in measured)
                busy = statistics.median(v["cpu"] / v["wall"] for v in values["alone"])
                notes.append(f"{name} program, {who}: conctui's CPU during its timed work, medians: its own {own:.1f}% "
                             f"of a core, its py-spy runs' {runs:.1f}%; the program keeps {busy:.2f} cores busy "
                             "unwatched")
            sampled = [v["workers_sampled"] for v in values[who] if v["workers_sampled"] >= 0]
            if sampled:
                notes.append(f"{name} program, {who}: every worker's GIL held sampled by py-spy in {sum(sampled):.0f} "
                             f"of {len(sampled)} watches (the others read 'not sampled')")
        walls = sorted(v["wall"] for v in values["alone"])
        paired = {who: statistics.median(w["wall"] / a["wall"] for w, a in zip(values[who], values["alone"]))
                  for who in ("watched", "watched before") if who in values}
        spread = 0.0
        if len(walls) >= 4:
            quartiles = statistics.quantiles(walls, n=4)
            spread = (quartiles[2] - quartiles[0]) / statistics.median(walls)
        readable = len(walls) >= 4 and spread <= 0.03
        ratios = ", ".join(f"{who} {ratio:.3f}" for who, ratio in paired.items())
        per_cpu = ", ".join(f"{who} {statistics.median(_per_cpu(values[who], values['alone'])):.3f}" for who in paired)
        notes.append(f"{name} program: median of the pairs' wall per CPU second of the program, watched over not "
                     f"watched: {per_cpu} (the time taken from it, less its own speed, which load moves)")
        notes.append(f"{name} program: median of the {repeats} pairs' ratios: {ratios}; unwatched walls' "
                     f"interquartile spread {spread:.1%} of their median"
                     f"{'' if readable else ': wider than the 3% to be read (or too few repeats), NOT READABLE here'}"
                     f"; load {load:.1f} before, {os.getloadavg()[0]:.1f} after")
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
    parse.add_argument("--wall-repeats", type=int, default=None, help="watched / not watched pairs (default 7)")
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
    for part, run in (("wall", lambda: wall_rows(args.wall_repeats or (1 if args.quick else 7), programs,
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
