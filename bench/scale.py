"""scale: many workers in the live app (headless, 80x24): start-up time and frame cost with rendering.

Frame cost everywhere here is the UI thread's CPU time (time.thread_time) from the start of
frame() (fold the events, update the panes) to the end of the terminal write that follows it:
the app's driver renders each screen update to the escape sequences a terminal would get
(_frame_cost.WritingDriver; Textual's headless driver skips that step) and counts them. A frame
that changed nothing on screen costs its frame() alone. CPU, not wall time: between frame() and
the write Textual waits for its next screen update (it paints at most 60 times a second), which
costs nothing.

Stepped frames (_frame_cost.py, a process each, same events every time): 2, 256 and 1024 threads
of `download`, all running; `one change`: a frame with one visible worker's progress change,
`a tick`: a sample that moves every running worker's time and CPU. Reference: the same case with 2 workers
(ratio vs 2); with --before PYTHON, also the older tree's figures of each case (ratio vs before).

Live runs: 2, 256 and 1024 threads of `download` (3 s, 30 reports each), and 4 x cores
processes of `cpu` under each start method; each run a process of its own, and with --before as
many in the older tree, interleaved. For each run: seconds from the run's start to the
last worker running (its worker_started event), the p95 of its frames' cost while the run is
live, and for processes the start cost per worker: from the run's launch (the runner's
RunFinished.launched_t, the zero of the lesson's start-up figure, figures.startup) to the last
worker running, / workers, beside a plain multiprocessing script
starting as many children with the same method from a script that imports nothing else, each
computing what a `cpu` worker computes once it runs (bench/_plain_starts.py), timed from its
first Process.start(). The same from the run's start (RunStarted: the runner loading the
workload before the launch included, which no figure of the lesson counts) is shown beside it.
Targets: frame p95 <= 10 ms at 256 workers, <= 30 ms at 1024 (<= 100 ms for the rest);
start cost per worker <= 1.3x plain multiprocessing, for each start method. Where valgrind is
installed, also the instructions a worker process spends importing what it runs (boot.py, then
runner/in_child.py), beside a plain spawn child's re-run of its script (bench/_plain_starts.py), and all
a worker does from its exec to its workload's call, beside a plain spawn child's up to its target:
figures the machine's load does not move. --starts: the start-cost rows alone.

    python bench/scale.py [--quick] [--json] [--repeats K] [--before PYTHON] [--starts]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from functools import partial

from _common import BENCH, Row, app_css, interleave, parser, ready, report, valgrind_instructions
from _frame_cost import MIN_FRAMES, render_to_counter
from conctui.app import ConcApp
from conctui.engine.runner_process import describe

try:
    from conctui.engine.figures import launch_t
except ImportError:  # a tree from before the runner said its launch (--before): read back from the end, late
    def launch_t(finished) -> float:
        return finished.t - finished.wall_s
from conctui.engine.spec import RunSpec, parse_params, parse_workload
from conctui.live import LiveController
from conctui.panes import PanesScreen

STEPPED = (2, 256, 1024)
TARGET_MS = {256: 10.0, 1024: 30.0}  # frame p95 with rendering; 100 ms for any other size
START_RATIO = 1.3  # start cost per worker, against plain multiprocessing's


class TimedApp(ConcApp):
    """Times every frame of its panes screen while a run is live, with rendering (see above)."""

    CSS_PATH = app_css()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.frame_s: list[float] = []
        self._open: tuple[float, float] | None = None  # the last live frame: CPU at its start, at its end

    def get_default_screen(self) -> PanesScreen:
        screen = super().get_default_screen()
        frame = screen.frame

        def timed(now: float | None = None) -> None:
            self.close_frame(None)  # the last frame wrote nothing: it cost its frame() alone
            began = time.thread_time()
            frame(now)
            if screen.model.state.live is not None:
                self._open = (began, time.thread_time())

        screen.frame = timed  # before the screen mounts: its frame timer calls this one
        return screen

    def close_frame(self, written: float | None) -> None:
        """Count the open frame's cost, up to `written` (the CPU time its write ended at)."""
        if self._open is not None:
            began, ended = self._open
            self.frame_s.append((ended if written is None else written) - began)
            self._open = None


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with `share` of them at or below it (of 20, p95 is the
    19th: one frame above it; _frame_cost.MIN_FRAMES frames leave 10)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


async def live_run(spec: RunSpec) -> tuple[float, float, float]:
    """(seconds from the run's start until every worker ran, the same from its launch, frame p95
    in seconds) of one run in the app."""
    info = describe(sys.executable, spec.workload, spec.params)
    app = TimedApp(LiveController(spec, info, start=True))
    async with app.run_test(size=(80, 24)):
        render_to_counter(app, lambda: app.close_frame(time.thread_time()))
        deadline = time.monotonic() + 120
        while not (app.state.current and app.state.current.finished) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)  # polling the app's state: the run's end is not an awaitable
        run = app.state.current
        app.exit()
    if run is None or run.finished is None or run.status != "done":
        raise RuntimeError(f"{spec.mode} {spec.workload.name}: {run and run.status}")
    last = max(w.started_t for w in run.workers if w.started_t is not None)
    return last - run.started.t, last - launch_t(run.finished), percentile(app.frame_s, 0.95)


def live_threads(workers: int) -> tuple[float, float, float]:
    return asyncio.run(live_run(spec("download", "threads", workers, ["seconds=3", "steps=30"])))


CPU_N = 3_000_000  # each live run's worker computes `cpu` with this n; the plain reference's children likewise


def live_processes(method: str, workers: int) -> tuple[float, float, float]:
    return asyncio.run(live_run(spec("cpu", "processes", workers, [f"n={CPU_N}", "steps=30"], method)))


def live_under(python: str, *case: str) -> tuple[float, float, float]:
    """One live run (--live-threads N, --live-processes METHOD N) in the conctui `python` imports,
    in a process of its own."""
    done = subprocess.run([python, __file__, *case], capture_output=True, text=True, check=True, timeout=300)
    started, from_launch, p95 = json.loads(done.stdout)
    return started, from_launch, p95


def stepped(python: str, workers: int, case: str, frames: int) -> tuple[float, float, float]:
    """(median, p95, max) in ms of one _frame_cost.py process's frames, in the conctui `python` imports."""
    done = subprocess.run([python, str(BENCH / "_frame_cost.py"), str(workers), case, str(frames)],
                          capture_output=True, text=True, check=True, timeout=300)
    costs = [1000 * s for s in json.loads(done.stdout)["cpu"]]
    return statistics.median(costs), percentile(costs, 0.95), max(costs)


def stepped_rows(repeats: int, frames: int, before: str | None) -> list[Row]:
    """p50, p95 and max of `frames` stepped frames a run, per case and worker count."""
    rows = []
    for case, what in (("one", "one change"), ("tick", "a tick")):
        subjects = {(tree, n): partial(stepped, python, n, case, frames)
                    for tree, python in (("now", sys.executable), ("before", before)) if python
                    for n in STEPPED}
        measured = interleave(subjects, repeats)
        for n in STEPPED:
            for name, at in (("p50", 0), ("p95", 1), ("max", 2)):  # max: the one frame a p95 of few would be
                values = [v[at] for v in measured[("now", n)]]
                target = TARGET_MS.get(n) if name == "p95" else None
                row = Row(f"{n} thr, {what}: frame {name} of {frames}", "ms", values, "2 workers, same case",
                          [v[at] for v in measured[("now", 2)]], f"<= {target:g} ms" if target else "")
                row.met = None if target is None else row.median <= target
                rows.append(row)
                if before:
                    rows.append(Row(f"{n} thr, {what}: frame {name} of {frames} vs before", "ms", values,
                                    f"before ({before})", [v[at] for v in measured[("before", n)]]))
    return rows


def spec(name: str, mode: str, workers: int, params: list[str], method: str = "spawn") -> RunSpec:
    ref = parse_workload(name)
    return RunSpec(ref, mode, workers, parse_params(ref, params), start_method=method)


def plain_start(method: str, workers: int) -> float:
    done = subprocess.run([sys.executable, str(BENCH / "_plain_starts.py"), method, str(workers), str(CPU_N)],
                          capture_output=True, text=True, check=True, timeout=120)
    return json.loads(done.stdout)["per_worker_s"]


MULTIPROCESSING = "import multiprocessing.spawn"  # what any spawned child imports before its parent's main module
# then both re-run their parent's main module as spawn does (runpy); a worker also unpickles its target
# (in_child.main) and its pipes' ends, which bring multiprocessing.popen_spawn_posix (wire.ChildEnd)
PLAIN_IMPORTS = MULTIPROCESSING + "\nimport runpy, sys; runpy.run_path(sys.argv[1], run_name='__mp_main__')"
WORKER_IMPORTS = PLAIN_IMPORTS + "\nimport multiprocessing.popen_spawn_posix, _conctui_runner.in_child"


def imports_instructions(python: str, code: str, path: str) -> float:
    """Millions of instructions `code` (given `path`) adds to a child of `python` that imports multiprocessing."""
    alone = valgrind_instructions([python, "-c", MULTIPROCESSING])
    return (valgrind_instructions([python, "-c", code, path]) - alone) / 1e6


def import_rows(before: str | None) -> list[Row]:
    """A worker's imports beside a plain spawn child's (and --before's tree's), by valgrind."""
    locate = "import conctui.runner, os; print(os.path.join(conctui.runner.__path__[0], 'boot.py'))"
    boots = {tree: subprocess.run([python, "-c", locate], capture_output=True, text=True, check=True).stdout.strip()
             for tree, python in (("now", sys.executable), ("before", before)) if python}
    plain = [imports_instructions(sys.executable, PLAIN_IMPORTS, str(BENCH / "_plain_starts.py"))]
    now = [imports_instructions(sys.executable, WORKER_IMPORTS, boots["now"])]
    rows = [Row("a worker's imports (valgrind)", "M instr", now, "a plain spawn child re-running _plain_starts.py",
                plain)]
    if before:
        rows.append(Row("a worker's imports (valgrind) vs before", "M instr", now, f"before ({before})",
                        [imports_instructions(before, WORKER_IMPORTS, boots["before"])]))
    return rows


CALLED = "import os\n\n\ndef work():\n    os._exit(0)  # the count stops where the workload is called\n"
PLAIN_CALLER = """import multiprocessing, sys
sys.path.insert(0, sys.argv[1])
import called
if __name__ == "__main__":
    child = multiprocessing.get_context("spawn").Process(target=called.work)
    child.start()
    child.join()
"""


def child_instructions(command: list[str], folder: str) -> float:
    """Millions of instructions of the spawned child in `command`'s process tree, from its exec to
    its target's call: valgrind follows every exec, into the runner and its worker."""
    logs = os.path.join(folder, "logs")
    shutil.rmtree(logs, ignore_errors=True)
    os.mkdir(logs)
    valgrind = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--trace-children=yes",
                "--cachegrind-out-file=/dev/null", f"--log-file={logs}/%p"]
    wrapper = os.path.join(folder, "python")  # conctui's --python: its runner and workers under valgrind
    with open(wrapper, "w") as out:
        out.write(f'#!/bin/sh\nexec {" ".join(valgrind)} "$(cat {folder}/real)" "$@"\n')
    os.chmod(wrapper, 0o755)
    subprocess.run([part.replace("{wrapper}", wrapper) for part in command], capture_output=True, timeout=600)
    counts = []
    for name in os.listdir(logs):
        with open(os.path.join(logs, name)) as log:
            text = log.read()
        if "spawn_main" in text.split("Command:", 1)[-1].split("\n", 1)[0]:
            counts.append(int(re.search(r"I\s+refs:\s+([\d,]+)", text).group(1).replace(",", "")))
    if len(counts) != 1:
        raise RuntimeError(f"expected one spawned child under valgrind, found {len(counts)}")
    return counts[0] / 1e6


def call_rows(before: str | None) -> list[Row]:
    """A spawned worker's instructions up to its workload's call, beside a plain spawn child's up to
    its target's (the same function, which exits there), and --before's tree's worker: all it
    does before the work (interpreter start-up, imports, its threads and set-up), by valgrind."""
    with tempfile.TemporaryDirectory(prefix="conctui-scale-") as folder:
        with open(os.path.join(folder, "called.py"), "w") as out:
            out.write(CALLED)
        with open(os.path.join(folder, "caller.py"), "w") as out:
            out.write(PLAIN_CALLER)

        def worker(python: str) -> float:
            with open(os.path.join(folder, "real"), "w") as out:
                out.write(python)
            return child_instructions([python, "-m", "conctui", "run", f"{folder}/called.py:work", "--mode",
                                       "processes", "--workers", "1", "--python", "{wrapper}"], folder)

        with open(os.path.join(folder, "real"), "w") as out:
            out.write(sys.executable)
        plain = child_instructions(["{wrapper}", f"{folder}/caller.py", folder], folder)
        rows = [Row("a worker, start to its call (valgrind)", "M instr", [worker(sys.executable)],
                    "a plain spawn child, start to its target", [plain])]
        if before:
            rows.append(Row("a worker, start to its call (valgrind) before", "M instr", [worker(before)],
                            "a plain spawn child, start to its target", [plain]))
    return rows


def start_rows(repeats: int, before: str | None) -> list[Row]:
    """4 x cores processes of `cpu` under each start method: all started, frame p95, start cost per
    worker beside plain multiprocessing's (and --before's tree), all interleaved in one run."""
    procs = 4 * (os.cpu_count() or 1)
    rows = []
    for method in ("spawn", "forkserver"):
        subjects = {tree: partial(live_under, python, "--live-processes", method, str(procs))
                    for tree, python in (("now", sys.executable), ("before", before)) if python}
        measured = interleave({**subjects, "plain": partial(plain_start, method, procs)}, repeats)
        runs = measured["now"]
        plain = [1000 * s for s in measured["plain"]]
        rows.append(Row(f"{procs} processes (cpu, {method}): all started", "s", [s for s, _, _ in runs]))
        row = Row(f"{procs} processes (cpu, {method}): frame p95", "ms", [1000 * f for _, _, f in runs],
                  target="<= 100 ms")
        row.met = row.median <= 100
        rows.append(row)
        row = Row(f"{method}: start cost per worker", "ms", [1000 * s / procs for _, s, _ in runs],
                  f"plain multiprocessing {method}, same loop", plain, f"ratio <= {START_RATIO}")
        row.met = row.ratio is not None and row.ratio <= START_RATIO
        rows.append(row)
        rows.append(Row(f"{method}: the same from the run's start", "ms", [1000 * s / procs for s, _, _ in runs],
                        f"plain multiprocessing {method}, same loop", plain))
        if before:  # from the run's start: an older tree's launch, read back from its end, reads late
            from_start = [1000 * s / procs for s, _, _ in runs]
            earlier = [1000 * s / procs for s, _, _ in measured["before"]]
            rows.append(Row(f"{method}: from the run's start vs before", "ms", from_start, f"before ({before})",
                            earlier))
            rows.append(Row(f"{method}: from the run's start, before", "ms", earlier,
                            f"plain multiprocessing {method}, same loop", plain))
    return rows + (import_rows(before) + call_rows(before) if shutil.which("valgrind") else [])


def main() -> None:
    parse = parser(__doc__)
    parse.add_argument("--repeats", type=int, help="runs of each case (default 3, quick 1)")
    parse.add_argument("--starts", action="store_true", help="only the processes' start-cost rows")
    parse.add_argument("--live-threads", type=int, metavar="N", help=argparse.SUPPRESS)  # one run, as JSON (--before)
    parse.add_argument("--live-processes", nargs=2, metavar=("METHOD", "N"), help=argparse.SUPPRESS)  # likewise
    args = parse.parse_args()
    if args.live_threads or args.live_processes:  # a subject of the run below: its caller readied both trees
        print(json.dumps(live_threads(args.live_threads) if args.live_threads
                         else live_processes(args.live_processes[0], int(args.live_processes[1]))))
        return
    ready(args)
    repeats = args.repeats or (1 if args.quick else 3)
    frames = MIN_FRAMES if args.quick else 2 * MIN_FRAMES
    if args.starts:
        report("scale", args, start_rows(repeats, args.before), [
            f"{repeats} runs per case, interleaved; start cost = the launch to the last worker_started, / workers, "
            "in the live app (headless 80x24)"])
        return
    rows = stepped_rows(repeats, frames, args.before)
    for workers in STEPPED:
        subjects = {tree: partial(live_under, python, "--live-threads", str(workers))  # a process each, both alike
                    for tree, python in (("now", sys.executable), ("before", args.before)) if python}
        measured = interleave(subjects, repeats)
        threads = measured["now"]
        rows.append(Row(f"live {workers} threads (download): all started", "s", [s for s, _, _ in threads]))
        target = TARGET_MS.get(workers, 100.0)
        row = Row(f"live {workers} threads (download): frame p95", "ms", [1000 * f for _, _, f in threads],
                  target=f"<= {target:g} ms")
        row.met = row.median <= target
        rows.append(row)
        if args.before:
            rows.append(Row(f"live {workers} threads: frame p95 vs before", "ms", row.values,
                            f"before ({args.before})", [1000 * f for _, _, f in measured["before"]]))
    rows += start_rows(repeats, args.before)
    report("scale", args, rows, [f"{repeats} runs per case; stepped: {frames} frames a run, each value a run's "
                                 "median, p95 (nearest rank) or max; live: frames at 15 Hz over a 3 s run (about "
                                 "45: its p95 is the third slowest), headless 80x24; frame cost = UI thread "
                                 "CPU from frame() to the end of its write; start cost = the launch to the last "
                                 "worker_started, / workers"])


if __name__ == "__main__":
    main()
