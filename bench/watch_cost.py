"""watch_cost: what `conctui watch` costs the watched program and the machine, beside references.

Rows, each measured in this run (medians of interleaved repeats):
- wall of fixed work watched / not watched: 4 pure-Python threads, and a Pool of 2 (<= 1.03);
  the program waits 2 s, then times its own work; `conctui watch PID --json` attaches meanwhile;
- conctui's CPU, % of one core, its py-spy runs included, while watching 4 busy threads, 256
  threads, 16 processes of 4 threads (<= 10%): headless (`--json`) and the TUI in an 80x24 pty;
  reference: `py-spy top --nonblocking --subprocesses` on the same program, same window;
- frame ms p95 at 256 threads + 16 processes of 4 threads (<= 10 ms): the time of the panes' frame
  (fold, figures, panes told what changed) in a pilot at 80x24; Textual's own drawing is after it;
- first figures: seconds from WatchSession() to the first sample with kinds of waiting, and to the
  first with GIL held (<= 1.5 s);
- bytes a second the TUI writes to an 80x24 pty watching 4 threads, beside htop's (<= htop's).

    python bench/watch_cost.py [--quick] [--json] [--seconds S]
"""
from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import psutil
from _common import Row, conctui_command, ensure_tool, interleave, parser, report
from _pty_terminal import PtyTerminal
from conctui.engine.gil_sampler import find_py_spy

TARGETS = str(Path(__file__).with_name("_watch_targets.py"))


def _target(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, TARGETS, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)


def _wall(process: subprocess.Popen) -> float:
    out, _ = process.communicate(timeout=600)
    return float(out.split()[-1])


def _cpu(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system + times.children_user + times.children_system


def wall_watched(kind: str, units: str) -> float:
    target = _target(kind, units)
    watcher = subprocess.Popen([*conctui_command(), "watch", str(target.pid), "--json", "--duration", "600"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        return _wall(target)
    finally:
        watcher.wait(30)


def wall_alone(kind: str, units: str) -> float:
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


def cpu_share(command: list[str], seconds: float, tty: bool) -> float:
    """% of one core `command` (and what it reaped) used over `seconds`, after a second to start."""
    if tty:
        terminal = PtyTerminal(command)
        process = psutil.Process(terminal.process.pid)
    else:
        popen = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        process = psutil.Process(popen.pid)
    time.sleep(1.0)
    began, cpu0 = time.monotonic(), _cpu(process)
    time.sleep(seconds)
    share = 100 * (_cpu(process) - cpu0) / (time.monotonic() - began)
    if tty:
        terminal.close(b"\x03" if command[0].endswith("py-spy") else b"q")
    else:
        popen.terminate()
        popen.wait(30)
    return share


def cost_rows(seconds: float, repeats: int) -> list[Row]:
    rows = []
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
        for how in ("headless", "tui"):
            rows.append(Row(f"conctui watch CPU, {name}, {how}", "%core", values[how], "py-spy top, same program",
                            values["py-spy top"], "<= 10", statistics.median(values[how]) <= 10))
    return rows


async def _frames(seconds: float) -> list[float]:
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
        times: list[float] = []
        frame = PanesScreen.frame

        def timed(screen: PanesScreen, now: float | None = None) -> None:
            began = time.perf_counter()
            frame(screen, now)
            times.append(1000 * (time.perf_counter() - began))

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


def bytes_rate(command: list[str], seconds: float) -> float:
    terminal = PtyTerminal(command)
    time.sleep(2.0)
    before, began = terminal.received, time.monotonic()
    time.sleep(seconds)
    rate = (terminal.received - before) / (time.monotonic() - began)
    terminal.close(b"q")
    return rate


def main() -> None:
    parse = parser(__doc__)
    parse.add_argument("--seconds", type=float, default=None, help="seconds per CPU and bytes window (default 10)")
    args = parse.parse_args()
    seconds = args.seconds or (4.0 if args.quick else 10.0)
    repeats = 1 if args.quick else 3
    rows = []
    for kind, units in (("threads", "40"), ("pool", "40")):
        values = interleave({"watched": partial(wall_watched, kind, units),
                             "alone": partial(wall_alone, kind, units)}, repeats)
        row = Row(f"wall, {kind} program, watched", "s", values["watched"], "the same, not watched",
                  values["alone"], "ratio <= 1.03")
        row.met = row.ratio is not None and row.ratio <= 1.03
        rows.append(row)
    rows += cost_rows(seconds, repeats)
    frames = asyncio.run(_frames(seconds))
    p95 = statistics.quantiles(frames, n=20)[-1] if len(frames) >= 20 else max(frames)
    rows.append(Row("frame p95, 256 threads + 16 procs x 4", "ms", [p95], target="<= 10", met=p95 <= 10))
    firsts = [first_figures() for _ in range(repeats)]
    rows.append(Row("first kinds of waiting", "s", [f[0] for f in firsts], target="<= 1.5",
                    met=statistics.median(f[0] for f in firsts) <= 1.5))
    rows.append(Row("first GIL held", "s", [f[1] for f in firsts], target="<= 1.5",
                    met=statistics.median(f[1] for f in firsts) <= 1.5))
    target = _target("threads", "100000")
    try:
        _settled(target, 5)
        htop = ensure_tool("htop")
        values = interleave({"conctui": partial(bytes_rate, [*conctui_command(), "watch", str(target.pid)], seconds),
                             "htop": partial(bytes_rate, [htop or "htop"], seconds)}, repeats)
    finally:
        target.kill()
        target.wait()
    row = Row("bytes/s to 80x24, watching 4 threads", "B/s", values["conctui"], "htop, default refresh",
              values["htop"], "<= htop's")
    row.met = row.ratio is not None and row.ratio <= 1.0
    rows.append(row)
    report("watch_cost", args, rows, [f"frames timed: {len(frames)}; load {os.getloadavg()[0]:.1f}"])


if __name__ == "__main__":
    main()
