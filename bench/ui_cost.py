"""ui_cost: the TUI's own CPU (% of one core) while idle and while watching a live run, beside htop.

The installed `conctui` in an 80x24 tmux pane at its default refresh; psutil reads the CPU
seconds of the app's process only (its threads: UI, reader, sampler), never its runner or
workers. htop in a second pane, measured over the same windows, is the reference. The live
run is `cpu` in processes mode, one worker per core. Targets: <= 10% live, <= 2% idle.

    python bench/ui_cost.py [--quick] [--json] [--windows K] [--seconds S]
"""
from __future__ import annotations

import psutil
from _common import Row, parser, report
from _terminals import Pair, conctui_beside_htop, windows


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def main() -> None:
    parse = parser(__doc__)
    parse.add_argument("--windows", type=int, help="measuring windows per phase (default 3, quick 2)")
    parse.add_argument("--seconds", type=float, help="seconds per window (default 5, quick 1)")
    args = parse.parse_args()
    count = args.windows or (2 if args.quick else 3)
    seconds = args.seconds or (1.0 if args.quick else 5.0)
    rows = []
    with conctui_beside_htop() as pair:
        def read(pair: Pair = pair) -> dict[str, float]:
            return {"app": 100 * cpu_seconds(pair.app), "htop": 100 * cpu_seconds(pair.htop)}

        for phase, target in (("idle", 2.0), ("live", 10.0)):
            if phase == "live":
                pair.start_run()
            rates = windows(count, seconds, read)
            row = Row(f"{phase}: app CPU", "%core", rates["app"], "htop, same windows", rates["htop"],
                      f"<= {target:g}% of a core")
            row.met = row.median <= target
            rows.append(row)
    report("ui_cost", args, rows, [f"{count} windows of {seconds:g} s per phase; live: cpu, processes, "
                                   "one worker per core; 80x24 tmux"])


if __name__ == "__main__":
    main()
