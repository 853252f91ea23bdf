"""ssh_bytes: bytes per second the TUI writes to an 80x24 terminal, idle and live, beside htop.

Each program runs in its own 80x24 tmux pane; `tmux pipe-pane` copies everything the program
writes to its terminal into a file, whose growth over the same windows is the figure (what
would cross an SSH link). Live: 30 s of a `processes` run of `cpu`, one worker per core.
Reference: htop at its default refresh (installed with apt-get if missing). Target: <= htop.

    python bench/ssh_bytes.py [--quick] [--json] [--windows K] [--seconds S]
"""
from __future__ import annotations

import os
import re
import statistics
import tempfile
from collections import Counter
from pathlib import Path

from _common import Row, Tmux, parser, report
from _terminals import conctui_beside_htop, windows

MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")


def pane_at(row: int, col: int, size: tuple[int, int] = (80, 24)) -> str:
    """The pane of conctui's 80x24 layout a cell belongs to (tui/app.tcss: a 1-line header,
    workers beside the 32-wide cores and clock, 8 lines of results, 5 of output, the footer)."""
    width, height = size
    if row == 0:
        return "header"
    if row == height - 1:
        return "footer"
    if row >= height - 6:
        return "output"
    if row >= height - 14:
        return "results"
    return "workers" if col < width - 32 else "cores+clock"


def where_bytes_go(data: bytes) -> Counter:
    """Bytes written after each cursor move, by the pane the move lands in (Textual moves the
    cursor to the start of each changed run of cells, then writes its styles and text)."""
    shares: Counter = Counter()
    moves = list(MOVE.finditer(data))
    for move, after in zip(moves, [*moves[1:], None]):
        end = after.start() if after else len(data)
        shares[pane_at(int(move.group(1)) - 1, int(move.group(2)) - 1)] += end - move.start()
    shares["(before any move)"] += moves[0].start() if moves else len(data)
    return shares


def main() -> None:
    parse = parser(__doc__)
    parse.add_argument("--windows", type=int, help="windows per phase (default 3, quick 2)")
    parse.add_argument("--seconds", type=float, help="seconds per live window (default 10: 30 s live; quick 2)")
    args = parse.parse_args()
    count = args.windows or (2 if args.quick else 3)
    live_s = args.seconds or (2.0 if args.quick else 10.0)
    rows = []
    with tempfile.TemporaryDirectory(prefix="conctui-bytes-") as folder:
        names = ("app", "htop", "before") if args.before else ("app", "htop")
        files = {name: Path(folder, f"{name}.out") for name in names}

        def pipe(tmux: Tmux) -> None:
            for name, path in files.items():
                tmux("pipe-pane", "-o", "-t", name, f"cat >> {path}")

        def read() -> dict[str, float]:
            return {name: os.path.getsize(path) if path.exists() else 0 for name, path in files.items()}

        shares: Counter = Counter()
        with conctui_beside_htop(on_open=pipe, before=args.before) as pair:
            for phase, seconds in (("idle", live_s / 2), ("live", live_s)):
                if phase == "live":
                    pair.start_run()
                    offset = read()["app"]
                rates = windows(count, seconds, read)
                if phase == "live":
                    shares = where_bytes_go(files["app"].read_bytes()[int(offset):])
                row = Row(f"{phase}: bytes/s to the terminal", "B/s", rates["app"], "htop, same windows",
                          rates["htop"], "<= htop")
                row.met = row.median <= statistics.median(rates["htop"])
                rows.append(row)
                if args.before:
                    rows.append(Row(f"{phase}: before's bytes/s", "B/s", rates["before"], "htop, same windows",
                                    rates["htop"], f"(before: {args.before})"))
    total = sum(shares.values()) or 1
    split = ", ".join(f"{pane} {share / total:.0%}" for pane, share in shares.most_common() if share)
    report("ssh_bytes", args, rows, [f"80x24 tmux panes; {count} windows of {live_s / 2:g} s idle, then "
                                     f"{count} of {live_s:g} s live (cpu, processes, one worker per core)",
                                     f"live bytes by pane (after each cursor move): {split}"])


if __name__ == "__main__":
    main()
