"""ui_cost: the TUI's own CPU (% of one core) while idle and while watching live runs of 2, 64
and 256 workers, beside htop.

The installed `conctui` in an 80x24 tmux pane at its default refresh; psutil reads the CPU
seconds of the app's process only (its threads: UI, reader, sampler), never its runner or
workers. htop in a second pane, measured over the same windows, is the reference. Each live
run is `download` in threads mode (sleeping threads that report 4 times a second each and use
no core, so the cores stay the app's and htop's; N = 2, 64, 256: 8 to 1024 progress events a
second), in a fresh pair of panes; idle is measured before the first. With --before PYTHON an
older tree's conctui runs the same choice in a third pane, same windows. Targets: <= 10% live,
<= 2% idle.

    python bench/ui_cost.py [--quick] [--json] [--windows K] [--seconds S] [--workers 2,64,256]
                            [--before PYTHON]
"""
from __future__ import annotations

import psutil
from _common import Row, parser, ready, report
from _terminals import Pair, conctui_beside_htop, windows

REPORTS_PER_S = 4


def cpu_seconds(process: psutil.Process) -> float:
    times = process.cpu_times()
    return times.user + times.system


def threads_choice(workers: int) -> list[str]:
    """A run that outlasts the windows: `workers` threads of `download` reporting all along."""
    seconds = 900
    return ["tui", "download", "--mode", "threads", "--workers", str(workers),
            "--param", f"seconds={seconds}", "--param", f"steps={seconds * REPORTS_PER_S}"]


def main() -> None:
    parse = parser(__doc__)
    parse.add_argument("--windows", type=int, help="measuring windows per phase (default 3, quick 2)")
    parse.add_argument("--seconds", type=float, help="seconds per window (default 5, quick 1)")
    parse.add_argument("--workers", default="2,64,256", help="worker counts of the live runs, comma-separated")
    args = parse.parse_args()
    ready(args)
    count = args.windows or (2 if args.quick else 3)
    seconds = args.seconds or (1.0 if args.quick else 5.0)
    rows = []
    for first, workers in enumerate(int(n) for n in args.workers.split(",")):
        with conctui_beside_htop(before=args.before, choice=threads_choice(workers)) as pair:
            def read(pair: Pair = pair) -> dict[str, float]:
                programs = {"app": pair.app, "htop": pair.htop, **({"before": pair.before} if pair.before else {})}
                return {name: 100 * cpu_seconds(process) for name, process in programs.items()}

            for phase, target in ((("idle", 2.0),) if first == 0 else ()) + ((f"live {workers} threads", 10.0),):
                if phase != "idle":
                    pair.start_run()
                rates = windows(count, seconds, read)
                row = Row(f"{phase}: app CPU", "%core", rates["app"], "htop, same windows", rates["htop"],
                          f"<= {target:g}% of a core")
                row.met = row.median <= target
                rows.append(row)
                if args.before:
                    rows.append(Row(f"{phase}: app CPU vs before", "%core", rates["app"],
                                    f"before ({args.before}), same windows", rates["before"]))
    report("ui_cost", args, rows, [f"{count} windows of {seconds:g} s per phase; live: download, threads, "
                                   f"each reporting {REPORTS_PER_S}/s; 80x24 tmux"])


if __name__ == "__main__":
    main()
