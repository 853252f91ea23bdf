"""reporter: a pure-Python loop calling report() every iteration vs the same loop without it.

Real conctui runs (one worker, threads mode and processes mode) of bench/_loops.py: `bare`
(no call), `reported` (conctui's report() each iteration, ~1e6 iterations/s) and, to show
the floor, `noop` (a do-nothing Python function each iteration: what any call costs). Each
loop times itself (wall, and the CPU seconds of its thread: on a shared, loaded machine the
CPU seconds are the steadier estimate of the same cost). Target: report() slows the loop by
<= 3%.

    python bench/reporter.py [--quick] [--json] [--repeats K] [--n N]
"""
from __future__ import annotations

from functools import partial

from _common import BENCH, Row, interleave, parser, report, run_once
from conctui.engine.spec import RunSpec, parse_params, parse_workload


def loop_times(func: str, mode: str, n: int) -> tuple[float, float]:
    """(wall s, thread CPU s) of the loop alone, as the loop printed them."""
    ref = parse_workload(f"{BENCH / '_loops.py'}:{func}")
    spec = RunSpec(ref, mode, 1, parse_params(ref, [f"n={n}"]))
    worker = run_once(spec)["per_worker"][0]
    if worker["status"] != "done":
        raise RuntimeError(f"{func} {mode}: {worker['status']} {worker['error']}")
    fields = dict(part.split("=") for part in worker["output"][-1].split()[1:])
    return float(fields["wall_s"]), float(fields["cpu_s"])


def main() -> None:
    parse = parser(__doc__)
    parse.add_argument("--repeats", type=int, help="runs of each loop per mode (default 7, quick 2)")
    parse.add_argument("--n", type=int, help="loop iterations (default 1e6, quick 3e5)")
    args = parse.parse_args()
    repeats = args.repeats or (2 if args.quick else 7)
    n = args.n or (300_000 if args.quick else 1_000_000)
    rows = []
    for mode in ("threads", "processes"):
        times = interleave({func: partial(loop_times, func, mode, n)
                            for func in ("bare", "noop", "reported")}, repeats)
        wall = {func: [w for w, _ in pairs] for func, pairs in times.items()}
        cpu = {func: [c for _, c in pairs] for func, pairs in times.items()}
        rate = n / min(wall["reported"]) / 1e6
        for clock, values, unit in (("wall", wall, "s"), ("cpu", cpu, "cpu s")):
            row = Row(f"{mode}: report() each iteration, {clock}", unit, values["reported"], "bare loop",
                      values["bare"], "slowdown <= 3%")
            row.met = row.ratio is not None and row.ratio <= 1.03
            rows.append(row)
        rows[-2].reference = f"bare loop; {n} iterations, {rate:.2f}e6 reports/s"
        rows.append(Row(f"{mode}: no-op call each iteration, cpu", "cpu s", cpu["noop"], "bare loop", cpu["bare"],
                        "(the floor: any Python call)"))
        rows.append(Row(f"{mode}: report() vs the no-op call, cpu", "cpu s", cpu["reported"], "no-op call",
                        cpu["noop"], "(conctui's own share)"))
    report("reporter", args, rows)


if __name__ == "__main__":
    main()
