"""latency: from a worker's report() to the terminal bytes that show it, and to the headless frame.

A workload (bench/_stamps.py) reports every 10 ms and notes the wall-clock time of each
report(). Two ways of showing it, run interleaved in the same bench:

- terminal (the subject): the installed `conctui` console script runs in an 80x24 pty this
  bench owns (bench/_pty_terminal.py), `--start`ed; a reader thread timestamps every chunk it
  writes, and pyte replays the chunks to tell what the terminal showed after each. The
  workers pane draws progress as a 6-cell bar (tui/widgets/workers.py), so what the screen
  can show is the bar's filled count, not the fraction: a worker's report() is measured
  when it changes that count (6 per worker per run: the first report whose fraction rounds
  to 1, 2, ... 6 cells), from the report() to the first chunk after which the bar shows
  that many cells or more (a frame may skip a count). Reports that leave the bar as it was
  are shown by no byte and are not measured.
- headless (the reference): a ConcApp subclass in this process (80x24) notes, for each
  Progress event, when it reached the app (the reader thread handing it over: the channel's
  share) and when the screen was next rendered after the frame that applied it
  (call_after_refresh). Its bar-change figure measures the same bar changes as the
  terminal's; its all-events figure every progress event, beside its arrival.

Target: p95 <= 100 ms from report() to the terminal bytes.

    python bench/latency.py [--quick] [--json] [--repeats K]
"""
from __future__ import annotations

import asyncio
import re
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from _common import BENCH, Row, app_css, conctui_command, interleave, parser, ready, report
from _pty_terminal import PtyTerminal
from conctui.app import FRAME_HZ, ConcApp
from conctui.engine.events import Event, Progress
from conctui.engine.runner_process import describe
from conctui.engine.spec import RunSpec, parse_params, parse_workload
from conctui.live import LiveController
from conctui.widgets.workers import BAR

WORKERS = 4  # every line fits the workers pane at 80x24
EVERY_S = 0.01
WORKER_LINE = re.compile(r"│\s*(\d+) [tp]\d+\s+\S+\s+([█░▓·]{%d}) " % BAR)
Made = dict[tuple[int, int], float]  # (worker, k) -> wall time of its k-th report()
Seen = list[tuple[int, int, float]]  # (worker, cells filled, wall time it was shown)


class StampedApp(ConcApp):
    """Notes (index, fraction, time) when each progress event arrives and when it is shown."""

    CSS_PATH = app_css()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.arrived: list[tuple[int, float, float]] = []
        self.shown: list[tuple[int, float, float]] = []
        self.source.session.sinks.insert(0, self.note_arrived)  # called by the reader thread
        pull = self.source.pull

        def pull_noted() -> list[Event]:
            """The batch the frame applies: noted when the screen is next rendered after it."""
            batch = pull()
            progress = [(e.index, e.fraction) for e in batch if isinstance(e, Progress)]
            if progress:
                self.call_after_refresh(self.note_shown, progress)
            return batch

        self.source.pull = pull_noted

    def note_arrived(self, events: list[Event]) -> None:
        now = time.time()
        self.arrived += [(e.index, e.fraction, now) for e in events if isinstance(e, Progress)]

    def note_shown(self, progress: list[tuple[int, float]]) -> None:
        now = time.time()
        self.shown += [(index, fraction, now) for index, fraction in progress]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def spec_of(mode: str, reports: int, out: Path) -> tuple[str, list[str]]:
    """The stamped workload's reference and its parameters, as the command line spells them."""
    return f"{BENCH / '_stamps.py'}:stamped", [f"reports={reports}", f"every={EVERY_S}", f"out={out}"]


def stamps(out: Path) -> Made:
    made = {}
    for index in range(WORKERS):
        for row in Path(f"{out}.{index}").read_text().splitlines():
            i, k, t = row.split()
            made[(int(i), int(k))] = float(t)
    return made


def bar_changes(made: Made, seen: Seen, reports: int) -> list[float]:
    """For each report() that changes a worker's bar (the first k whose k/reports fills
    1, 2, ... BAR cells, rounded as the bar rounds), the seconds until `seen` first shows
    that worker's bar with that many cells or more."""
    delays = []
    for index in range(WORKERS):
        filled = [round(k / reports * BAR) for k in range(reports + 1)]
        for cells in range(1, BAR + 1):
            k = next(k for k in range(1, reports + 1) if filled[k] >= cells)
            shown = [t for i, c, t in seen if i == index and c >= cells]
            if shown:
                delays.append(min(shown) - made[(index, k)])
    return delays


def on_terminal(mode: str, reports: int, folder: Path) -> list[float]:
    """Latencies (s) of the bar changes, report() -> the terminal bytes that show them."""
    out = folder / f"pty-{mode}-{time.monotonic_ns()}"
    workload, params = spec_of(mode, reports, out)
    command = [*conctui_command(), "tui", workload, "--mode", mode, "--workers", str(WORKERS), "--start",
               *(arg for param in params for arg in ("--param", param))]
    terminal = PtyTerminal(command)
    try:
        deadline = time.monotonic() + 60
        while not all(Path(f"{out}.{i}").exists() for i in range(WORKERS)):  # each worker's last act
            if time.monotonic() > deadline or terminal.process.poll() is not None:
                raise RuntimeError(f"{mode}: the run did not end:\n{terminal.last_screen()}")
            time.sleep(0.05)  # polling files the workers write: no event crosses to this process
        time.sleep(0.5)  # the frames after the last report
    finally:
        code = terminal.close()
    if code != 0:
        raise RuntimeError(f"{mode}: conctui exited with {code}")
    seen: Seen = []
    for t, lines in terminal.screens():
        for line in lines:
            if found := WORKER_LINE.search(line):
                seen.append((int(found.group(1)), found.group(2).count("█"), t))
    if not seen:  # the workers pane's line is not what WORKER_LINE reads: say so, not an empty figure
        raise RuntimeError(f"{mode}: no worker line on the terminal; its last screen:\n{terminal.last_screen()}")
    return bar_changes(stamps(out), seen, reports)


def headless(mode: str, reports: int, folder: Path) -> tuple[list[float], list[float], list[float]]:
    """Latencies (s) in the headless app: of the bar changes to the frame shown; of every
    progress event to the frame shown, and to its arrival in the app."""
    return asyncio.run(headless_app(mode, reports, folder))


async def headless_app(mode: str, reports: int, folder: Path) -> tuple[list[float], list[float], list[float]]:
    out = folder / f"headless-{mode}-{time.monotonic_ns()}"
    workload, params = spec_of(mode, reports, out)
    ref = parse_workload(workload)
    values = parse_params(ref, params)
    spec = RunSpec(ref, mode, WORKERS, values)
    app = StampedApp(LiveController(spec, describe(sys.executable, ref, values), start=True))
    async with app.run_test(size=(80, 24)):
        deadline = time.monotonic() + 60
        while not (app.state.current and app.state.current.finished) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)  # polling the app's state: the run's end is not an awaitable
        await asyncio.sleep(0.2)  # the last frame's refresh
        app.exit()
    made = stamps(out)

    def delays(noted: list[tuple[int, float, float]]) -> list[float]:
        return [t - made[(i, round(f * reports))] for i, f, t in noted if f is not None]

    bars = bar_changes(made, [(i, round(f * BAR), t) for i, f, t in app.shown if f is not None], reports)
    return bars, delays(app.shown), delays(app.arrived)


def main() -> None:
    parse = parser(__doc__)
    parse.add_argument("--repeats", type=int, help="runs of each per mode (default 3, quick 1)")
    args = parse.parse_args()
    ready(args)
    repeats = args.repeats or (1 if args.quick else 3)
    reports = 100 if args.quick else 300
    rows = []
    counts = {}
    with tempfile.TemporaryDirectory(prefix="conctui-latency-") as folder:
        for mode in ("threads", "processes"):
            runs = interleave({"terminal": partial(on_terminal, mode, reports, Path(folder)),
                               "headless": partial(headless, mode, reports, Path(folder))}, repeats)
            terminal, headless_runs = runs["terminal"], runs["headless"]
            for name, share in (("p50", 0.5), ("p95", 0.95)):
                target = "p95 <= 100 ms" if name == "p95" else ""
                row = Row(f"{mode}: report() -> terminal bytes, {name}", "ms",
                          [1000 * percentile(run, share) for run in terminal],
                          "headless: report() -> frame shown, same bar changes",
                          [1000 * percentile(bars, share) for bars, _, _ in headless_runs], target)
                row.met = row.median <= 100 if name == "p95" else None
                rows.append(row)
            for name, share in (("p50", 0.5), ("p95", 0.95)):
                rows.append(Row(f"{mode}: headless, every event, {name}", "ms",
                                [1000 * percentile(shown, share) for _, shown, _ in headless_runs],
                                "report() -> event reached the app",
                                [1000 * percentile(arrived, share) for _, _, arrived in headless_runs]))
            counts[mode] = ([len(run) for run in terminal], [len(bars) for bars, _, _ in headless_runs],
                            [len(shown) for _, shown, _ in headless_runs])
    measured = "; ".join(f"{mode} terminal {t}, headless bar changes {b}, headless events {e}"
                         for mode, (t, b, e) in counts.items())
    report("latency", args, rows, [
        f"each value: one run's percentile, {repeats} runs of each per mode, interleaved; {WORKERS} workers "
        f"reporting every {EVERY_S * 1000:g} ms, {reports} reports each; the app's frames at {FRAME_HZ} Hz",
        f"terminal: `conctui tui --start` in an 80x24 pty, {WORKERS * BAR} bar changes a run (the bar has "
        f"{BAR} cells); measured per run: {measured}"])


if __name__ == "__main__":
    main()
