"""reporter: a pure-Python loop calling report() every iteration vs the same loop without it.

Real conctui runs (one worker, threads mode and processes mode) of bench/_loops.py: `bare`
(no call), `reported` (conctui's report() each iteration, ~1e6 iterations/s) and, to show
the floor, `noop` (a do-nothing Python function each iteration: what any call costs). Each
loop times itself (wall, and the CPU seconds of its thread: on a shared, loaded machine the
CPU seconds are the steadier estimate of the same cost). Where valgrind is installed, the
same loops with the same report() are also counted in instructions per iteration
(bench/_instructions.py): a figure load does not move. Target: report() slows the loop by
<= 3%.

    python bench/reporter.py [--quick] [--json] [--repeats K] [--n N] [--before PYTHON]
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from functools import partial

from _common import BENCH, Row, interleave, parser, ready, report, run_once, valgrind_instructions
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


def loop_times_under(python: str, func: str, mode: str, n: int) -> tuple[float, float]:
    """loop_times in the conctui `python` imports (--before), in a process of its own."""
    out = subprocess.run([python, __file__, "--one", func, mode, str(n)], capture_output=True, text=True, check=True)
    wall, cpu = out.stdout.split()
    return float(wall), float(cpu)


def instructions(python: str, func: str, n: int) -> int:
    """Instructions valgrind counted for a whole process running `func` for n iterations."""
    return valgrind_instructions([python, str(BENCH / "_instructions.py"), func, str(n)])


# where report()'s instructions go: the C functions of one array('d').append, outermost first
INSIDE = {"array_array_append": "array.append (all of it)", "d_setitem": "its float check and store (d_setitem)",
          "_PyArg_Parse_SizeT": "of which PyArg_Parse, the float check"}


def callgrind_split(python: str, n: int) -> dict[str, float]:
    """Instructions per report() spent inside each of INSIDE's C functions (callgrind, inclusive),
    from two runs' difference so that whatever start-up calls them cancels."""
    def inclusive(iterations: int) -> dict[str, int]:
        with tempfile.NamedTemporaryFile(suffix=".callgrind") as out:
            subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out.name}", python,
                            str(BENCH / "_instructions.py"), "reported", str(iterations)],
                           capture_output=True, check=True)
            text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", out.name],
                                  capture_output=True, text=True, check=True).stdout
        found: dict[str, int] = {}
        for line in text.splitlines():
            match = re.match(r"\s*([\d,]+) .*:(\w+)(?:'\d+)? \[", line)
            if match and match.group(2) in INSIDE:
                found.setdefault(match.group(2), int(match.group(1).replace(",", "")))
        return found

    small, large = inclusive(1000), inclusive(n + 1000)
    return {name: (large[name] - small.get(name, 0)) / n for name in INSIDE if name in large}


def per_iteration(python: str, func: str, n: int) -> float:
    """Instructions of one iteration: two runs' difference, so start-up and imports cancel."""
    return (instructions(python, func, n + 1000) - instructions(python, func, 1000)) / n


def instruction_rows(before: str | None, n: int) -> list[Row]:
    subjects = {func: per_iteration(sys.executable, func, n) for func in ("bare", "noop", "reported")}
    if before:
        subjects["before"] = per_iteration(before, "reported", n)
    rows = [Row("report() each iteration, instructions", "instr", [subjects["reported"]], "bare loop",
                [subjects["bare"]], "slowdown <= 3%"),
            Row("no-op call each iteration, instructions", "instr", [subjects["noop"]], "bare loop",
                [subjects["bare"]], "(the floor: any Python call)"),
            Row("report() vs the no-op call, instructions", "instr", [subjects["reported"]], "no-op call",
                [subjects["noop"]], "(conctui's own share)")]
    rows[0].met = rows[0].ratio <= 1.03
    rows[0].reference = f"bare loop; valgrind instructions per iteration, {n} iterations"
    call = subjects["reported"] - subjects["bare"]
    for name, inside in callgrind_split(sys.executable, n).items():
        rows.append(Row(f"report(): inside {name}", "instr", [inside],
                        f"{INSIDE[name]}; of the line's (its argument and the call)", [call],
                        "(where the call's cost goes: callgrind)"))
    if before:
        rows.append(Row("before's report(), instructions", "instr", [subjects["before"]], "bare loop",
                        [subjects["bare"]], f"(before: {before})"))
    return rows


def main() -> None:
    if sys.argv[1:2] == ["--one"]:  # loop_times_under's child
        print(*loop_times(sys.argv[2], sys.argv[3], int(sys.argv[4])))
        return
    parse = parser(__doc__)
    parse.add_argument("--repeats", type=int, help="runs of each loop per mode (default 7, quick 2)")
    parse.add_argument("--n", type=int, help="loop iterations (default 1e6, quick 3e5)")
    args = parse.parse_args()
    ready(args)
    repeats = args.repeats or (2 if args.quick else 7)
    n = args.n or (300_000 if args.quick else 1_000_000)
    rows = []
    for mode in ("threads", "processes"):
        subjects = {func: partial(loop_times, func, mode, n) for func in ("bare", "noop", "reported")}
        if args.before:
            subjects["before"] = partial(loop_times_under, args.before, "reported", mode, n)
        times = interleave(subjects, repeats)
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
        if args.before:
            rows.append(Row(f"{mode}: before's report(), cpu", "cpu s", cpu["before"], "bare loop", cpu["bare"],
                            f"(before: {args.before})"))
    if shutil.which("valgrind"):
        rows += instruction_rows(args.before, 5_000 if args.quick else 20_000)
    report("reporter", args, rows)


if __name__ == "__main__":
    main()
