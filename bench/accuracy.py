"""accuracy: conctui's wall time for each built-in workload and mode vs a plain tutorial-style script.

Subject: one conctui run through the engine, exactly as `conctui run W --mode M --json` makes
it (a Session with its sampler thread, a runner process, the workers reporting), taking the
run's `wall_s`. Reference: bench/_plain.py doing the same work with plain threading /
multiprocessing (spawn) / asyncio and a no-op report, timed over the same span (first
worker launched to last joined). Targets: ratio <= 1.05 (sequential, threads, asyncio),
<= 1.10 (processes). With --before PYTHON, the older tree's conctui too, each run of either tree
a process of its own, interleaved with the plain runs. With --unsampled, also this tree's conctui
with its GIL sampler off (py-spy not started), interleaved likewise: what of the difference to plain
is the sampler's, and what the rest of conctui's (the runner, the workers' own start-up).

    python bench/accuracy.py [--quick] [--json] [--repeats K] [--workers N] [--workloads W,..] [--modes M,..]
                             [--before PYTHON] [--unsampled]
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from functools import partial

from _common import BENCH, Row, interleave, parser, ready, report, run_once
from conctui.engine.spec import RunSpec, parse_params, parse_workload

# small parameters: each run takes a fraction of a second, so all 17 cases fit in minutes
PARAMS = {
    "download": {"seconds": 0.5, "steps": 10},
    "http": {"requests": 5, "latency": 0.05, "kb": 64},
    "disk": {"mb": 32, "rounds": 2},
    "cpu": {"n": 6_000_000, "steps": 20},
    "hashlib": {"mb": 8, "rounds": 40},
}
ASYNC = ("download", "http")  # the built-ins with an async twin
TARGET = {"processes": 1.10}
MODES = ("sequential", "threads", "processes", "asyncio")


def conctui_wall(name: str, mode: str, workers: int, sampled: bool = True) -> float:
    """One run as the CLI makes it; the runner's own wall time of the mode. `sampled=False`: with
    the GIL sampler off, as where py-spy is not installed (only in a process of its own: it stays off)."""
    if not sampled:
        from conctui.engine import gil_sampler

        gil_sampler.find_py_spy = lambda: None  # as where py-spy is not installed: no run is sampled
    ref = parse_workload(name)
    spec = RunSpec(ref, mode, workers, parse_params(ref, [f"{k}={v}" for k, v in PARAMS[name].items()]))
    figures = run_once(spec)
    if figures["status"] != "done":
        raise RuntimeError(f"{name} {mode}: {figures['status']} {figures['error']}")
    return figures["wall_s"]


def conctui_wall_under(python: str, name: str, mode: str, workers: int, sampled: bool = True) -> float:
    """conctui_wall in the conctui `python` imports (--before's tree, or this one), in a process of its own."""
    done = subprocess.run([python, __file__, "--one", name, mode, str(workers), *([] if sampled else ["--unsampled"])],
                          capture_output=True, text=True, check=True, timeout=300)
    return json.loads(done.stdout)


def plain_wall(name: str, mode: str, workers: int) -> float:
    done = subprocess.run([sys.executable, str(BENCH / "_plain.py"), name, mode, str(workers),
                           json.dumps(PARAMS[name])], capture_output=True, text=True, check=True, timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1])["wall_s"]


def main() -> None:
    parse = parser(__doc__)
    parse.add_argument("--repeats", type=int, help="runs of each side per case (default 7, quick 1)")
    parse.add_argument("--workers", type=int, default=2, help="workers per run (default 2)")
    parse.add_argument("--workloads", help=f"comma-separated, of {','.join(PARAMS)} (default all; quick download,cpu)")
    parse.add_argument("--modes", default=",".join(MODES), help=f"comma-separated (default {','.join(MODES)})")
    parse.add_argument("--unsampled", action="store_true", help="also conctui with its GIL sampler off")
    parse.add_argument("--one", nargs=3, metavar=("W", "MODE", "N"), help=argparse.SUPPRESS)  # a run, for --before
    args = parse.parse_args()
    if args.one:  # one subject run of the comparison below, in the tree this interpreter imports
        print(json.dumps(conctui_wall(args.one[0], args.one[1], int(args.one[2]), sampled=not args.unsampled)))
        return
    ready(args)
    repeats = args.repeats or (1 if args.quick else 7)
    names = args.workloads.split(",") if args.workloads else ["download", "cpu"] if args.quick else list(PARAMS)
    rows = []
    for name in names:
        for mode in args.modes.split(","):
            if mode == "asyncio" and name not in ASYNC:
                continue
            trees = {"conctui": partial(conctui_wall, name, mode, args.workers)}
            if args.before:  # both trees alike: a process each run
                trees = {tree: partial(conctui_wall_under, python, name, mode, args.workers)
                         for tree, python in (("conctui", sys.executable), ("before", args.before))}
            if args.unsampled:
                trees["unsampled"] = partial(conctui_wall_under, sys.executable, name, mode, args.workers, False)
            values = interleave({**trees, "plain": partial(plain_wall, name, mode, args.workers)}, repeats)
            target = TARGET.get(mode, 1.05)
            row = Row(f"{name} {mode} x{args.workers}", "s", values["conctui"], "", values["plain"],
                      f"ratio <= {target:.2f}")
            row.met = row.ratio is not None and row.ratio <= target
            rows.append(row)
            if args.before:
                rows.append(Row(f"{name} {mode} x{args.workers} before", "s", values["before"],
                                f"plain; before: {args.before}", values["plain"], f"ratio <= {target:.2f}"))
            if args.unsampled:
                rows.append(Row(f"{name} {mode} x{args.workers} GIL unsampled", "s", values["unsampled"],
                                "plain; conctui with its GIL sampler off", values["plain"]))
    report("accuracy", args, rows, [f"reference: bench/_plain.py (plain threading / multiprocessing spawn / "
                                    f"asyncio, no-op report); params {json.dumps({n: PARAMS[n] for n in names})}"])


if __name__ == "__main__":
    main()
