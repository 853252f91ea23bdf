"""latency: from a worker's report() to the frame that shows it, in the live app (headless, 80x24).

A workload (bench/_stamps.py) reports every 10 ms and notes the wall-clock time of each
report(). A ConcApp subclass notes, for each Progress event, when it reached the app (the
reader thread handing it over: the channel's share) and when the screen was next rendered
after the frame that applied it (call_after_refresh: the frame that shows it). Both are
measured on the same events; the arrival figure is the reference. Target: p95 <= 100 ms.

    python bench/latency.py [--quick] [--json] [--repeats K]
"""
from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

from _common import BENCH, Row, app_css, parser, report
from conctui.app import FRAME_HZ, ConcApp
from conctui.engine.events import Event, Progress
from conctui.engine.runner_process import describe
from conctui.engine.spec import RunSpec, parse_params, parse_workload


class StampedApp(ConcApp):
    """Notes (index, fraction, time) when each progress event arrives and when it is shown."""

    CSS_PATH = app_css()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.arrived: list[tuple[int, float, float]] = []
        self.shown: list[tuple[int, float, float]] = []
        self.controller.session.sinks.insert(0, self.note_arrived)  # called by the reader thread
        pull = self.controller.pull

        def pull_noted() -> list[Event]:
            """The batch the frame applies: noted when the screen is next rendered after it."""
            batch = pull()
            progress = [(e.index, e.fraction) for e in batch if isinstance(e, Progress)]
            if progress:
                self.call_after_refresh(self.note_shown, progress)
            return batch

        self.controller.pull = pull_noted

    def note_arrived(self, events: list[Event]) -> None:
        now = time.time()
        self.arrived += [(e.index, e.fraction, now) for e in events if isinstance(e, Progress)]

    def note_shown(self, progress: list[tuple[int, float]]) -> None:
        now = time.time()
        self.shown += [(index, fraction, now) for index, fraction in progress]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def one_run(mode: str, reports: int, folder: Path) -> tuple[list[float], list[float]]:
    """Latencies (s) of arrival and of display, of every progress event the app showed."""
    out = folder / f"stamps-{mode}-{time.monotonic_ns()}"
    ref = parse_workload(f"{BENCH / '_stamps.py'}:stamped")
    params = parse_params(ref, [f"reports={reports}", "every=0.01", f"out={out}"])
    spec = RunSpec(ref, mode, 2, params)
    app = StampedApp(spec, describe(sys.executable, ref, params), start=True)
    async with app.run_test(size=(80, 24)):
        deadline = time.monotonic() + 60
        while not (app.state.current and app.state.current.finished) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)  # polling the app's state: the run's end is not an awaitable
        await asyncio.sleep(0.2)  # the last frame's refresh
        app.exit()
    made = {}
    for index in range(2):
        for row in Path(f"{out}.{index}").read_text().splitlines():
            i, k, t = row.split()
            made[(int(i), int(k))] = float(t)

    def delays(noted: list[tuple[int, float, float]]) -> list[float]:
        return [t - made[(i, round(f * reports))] for i, f, t in noted if f is not None]

    return delays(app.arrived), delays(app.shown)


def main() -> None:
    parse = parser(__doc__)
    parse.add_argument("--repeats", type=int, help="runs per mode (default 3, quick 1)")
    args = parse.parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    reports = 100 if args.quick else 300
    rows = []
    with tempfile.TemporaryDirectory(prefix="conctui-latency-") as folder:
        for mode in ("threads", "processes"):
            runs = [asyncio.run(one_run(mode, reports, Path(folder))) for _ in range(repeats)]
            for name, share in (("p50", 0.5), ("p95", 0.95)):
                row = Row(f"{mode}: report() -> frame shown, {name}", "ms",
                          [1000 * percentile(shown, share) for _, shown in runs],
                          "report() -> event reached the app",
                          [1000 * percentile(arrived, share) for arrived, _ in runs],
                          "p95 <= 100 ms" if name == "p95" else "")
                row.met = row.median <= 100 if name == "p95" else None
                rows.append(row)
            counts = [(len(s), len(a)) for a, s in runs]
            rows[-2].reference += f"; events shown/arrived per run {counts}"
    report("latency", args, rows, [f"each value: one run's percentile, {repeats} runs per mode, 2 workers "
                                   f"reporting every 10 ms; the app's frames at {FRAME_HZ} Hz"])


if __name__ == "__main__":
    main()
