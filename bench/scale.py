"""scale: many workers in the live app (headless, 80x24): start-up time and frame time.

256 threads of `download`, and 4 x cores processes of `cpu` under each start method. For
each run: seconds from the run's start to the last worker running (its worker_started
event), the p95 of the app's frame() calls while the run is live (fold the events, update
the panes), and for processes the start cost per worker, beside a plain multiprocessing
script starting as many trivial children with the same method (bench/_plain.py --starts).
Targets: frame() p95 <= 100 ms; start cost reported per start method.

    python bench/scale.py [--quick] [--json] [--repeats K]
"""
from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from functools import partial

from _common import BENCH, Row, app_css, interleave, parser, report
from conctui.app import ConcApp
from conctui.engine.runner_process import describe
from conctui.engine.spec import RunSpec, parse_params, parse_workload
from conctui.panes import PanesScreen


class TimedApp(ConcApp):
    """Times every frame() of its panes screen while a run is live."""

    CSS_PATH = app_css()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.frame_s: list[float] = []

    def get_default_screen(self) -> PanesScreen:
        screen = super().get_default_screen()
        frame = screen.frame

        def timed(now: float | None = None) -> None:
            began = time.perf_counter()
            frame(now)
            if screen.state.live is not None:
                self.frame_s.append(time.perf_counter() - began)

        screen.frame = timed  # before the screen mounts: its frame timer calls this one
        return screen


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def live_run(spec: RunSpec) -> tuple[float, float]:
    """(seconds until every worker ran, frame() p95 in seconds) of one run in the app."""
    info = describe(sys.executable, spec.workload, spec.params)
    app = TimedApp(spec, info, start=True)
    async with app.run_test(size=(80, 24)):
        deadline = time.monotonic() + 120
        while not (app.state.current and app.state.current.finished) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)  # polling the app's state: the run's end is not an awaitable
        run = app.state.current
        app.exit()
    if run is None or run.finished is None or run.status != "done":
        raise RuntimeError(f"{spec.mode} {spec.workload.name}: {run and run.status}")
    last = max(w.started_t for w in run.workers if w.started_t is not None)
    return last - run.started.t, percentile(app.frame_s, 0.95)


def spec(name: str, mode: str, workers: int, params: list[str], method: str = "spawn") -> RunSpec:
    ref = parse_workload(name)
    return RunSpec(ref, mode, workers, parse_params(ref, params), start_method=method)


def plain_start(method: str, workers: int) -> float:
    done = subprocess.run([sys.executable, str(BENCH / "_plain.py"), "--starts", method, str(workers)],
                          capture_output=True, text=True, check=True, timeout=120)
    return json.loads(done.stdout)["per_worker_s"]


def main() -> None:
    parse = parser(__doc__)
    parse.add_argument("--repeats", type=int, help="runs of each case (default 3, quick 1)")
    args = parse.parse_args()
    repeats = args.repeats or (1 if args.quick else 3)
    procs = 4 * (os.cpu_count() or 1)
    rows = []
    threads = [asyncio.run(live_run(spec("download", "threads", 256, ["seconds=3", "steps=30"])))
               for _ in range(repeats)]
    rows.append(Row("256 threads (download): all started", "s", [s for s, _ in threads]))
    row = Row("256 threads (download): frame() p95", "ms", [1000 * f for _, f in threads], target="<= 100 ms")
    row.met = row.median <= 100
    rows.append(row)
    for method in ("spawn", "forkserver"):
        measured = interleave({
            "conctui": lambda method=method: asyncio.run(live_run(spec(
                "cpu", "processes", procs, ["n=3000000", "steps=30"], method))),
            "plain": partial(plain_start, method, procs),
        }, repeats)
        runs = measured["conctui"]
        rows.append(Row(f"{procs} processes (cpu, {method}): all started", "s", [s for s, _ in runs]))
        row = Row(f"{procs} processes (cpu, {method}): frame() p95", "ms", [1000 * f for _, f in runs],
                  target="<= 100 ms")
        row.met = row.median <= 100
        rows.append(row)
        rows.append(Row(f"{method}: start cost per worker", "ms", [1000 * s / procs for s, _ in runs],
                        f"plain multiprocessing {method}, trivial children", [1000 * s for s in measured["plain"]],
                        "(reported)"))
    report("scale", args, rows, [f"{repeats} runs per case; frames at 15 Hz, headless 80x24; start cost = "
                                 "run start to the last worker_started, / workers"])


if __name__ == "__main__":
    main()
