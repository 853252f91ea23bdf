"""ssh_bytes: bytes per second the TUI writes to an 80x24 terminal, idle and live, beside htop.

Each program runs in its own 80x24 tmux pane; `tmux pipe-pane` copies everything the program
writes to its terminal into a file, whose growth over the same windows is the figure (what
would cross an SSH link). Live: 30 s of a `processes` run of `cpu`, one worker per core.
Reference: htop at its default refresh (installed with apt-get if missing). Target: <= htop.

--ssh: over a real link instead. The bench starts Debian's sshd on a free loopback port (its
own keys and config, as the current user; stopped at the end) and runs each program through
its own `ssh -tt` client in an 80x24 pty it owns: the figure is what the client's pty yields
(decrypted, as the user's terminal receives it), and beside it the encrypted bytes the
client's TCP socket received (the kernel's count, read with `ss`).

    python bench/ssh_bytes.py [--quick] [--json] [--windows K] [--seconds S] [--ssh]
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from _common import Row, Tmux, parser, ready, report
from _terminals import Pair, SshPair, conctui_beside_htop, conctui_beside_htop_over_ssh, windows

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


def measure(pair: Pair | SshPair, read: Callable[[], dict[str, float]], stream: Callable[[], bytes],
            count: int, live_s: float) -> tuple[dict[str, dict[str, list[float]]], Counter]:
    """Every counter's rates per phase (idle windows, then live after Enter), and where the
    app's live bytes (`stream()`: all it wrote so far) went."""
    rates: dict[str, dict[str, list[float]]] = {}
    for phase, seconds in (("idle", live_s / 2), ("live", live_s)):
        if phase == "live":
            pair.start_run()
            offset = len(stream())
        rates[phase] = windows(count, seconds, read)
    return rates, where_bytes_go(stream()[offset:])


def in_tmux(args: argparse.Namespace, count: int, live_s: float) -> tuple[dict, Counter]:
    """Bytes the programs write to their tmux panes (`tmux pipe-pane` into files)."""
    with tempfile.TemporaryDirectory(prefix="conctui-bytes-") as folder:
        names = ("app", "htop", "before") if args.before else ("app", "htop")
        files = {name: Path(folder, f"{name}.out") for name in names}

        def pipe(tmux: Tmux) -> None:
            for name, path in files.items():
                tmux("pipe-pane", "-o", "-t", name, f"cat >> {path}")

        def read() -> dict[str, float]:
            return {name: os.path.getsize(path) if path.exists() else 0 for name, path in files.items()}

        with conctui_beside_htop(on_open=pipe, before=args.before) as pair:
            return measure(pair, read, files["app"].read_bytes, count, live_s)


def over_ssh(args: argparse.Namespace, count: int, live_s: float) -> tuple[dict, Counter]:
    """Bytes read from each ssh client's pty master, and the encrypted bytes its TCP socket
    received ("NAME tcp"), over the same windows."""
    with conctui_beside_htop_over_ssh(before=args.before) as pair:
        ports = {name: pair.link.tcp_port(client) for name, client in pair.clients.items()}

        def read() -> dict[str, float]:
            counts: dict[str, float] = {name: client.received for name, client in pair.clients.items()}
            received = pair.link.tcp_received()
            if received is not None:
                counts.update({f"{name} tcp": received[port] for name, port in ports.items()})
            return counts

        return measure(pair, read, pair.clients["app"].output, count, live_s)


def main() -> None:
    parse = parser(__doc__)
    parse.add_argument("--windows", type=int, help="windows per phase (default 3, quick 2)")
    parse.add_argument("--seconds", type=float, help="seconds per live window (default 10: 30 s live; quick 2)")
    parse.add_argument("--ssh", action="store_true", help="over a real ssh link to a private sshd on a loopback "
                                                          "port, counted at the client, instead of in tmux")
    args = parse.parse_args()
    ready(args)
    count = args.windows or (2 if args.quick else 3)
    live_s = args.seconds or (2.0 if args.quick else 10.0)
    rates, shares = (over_ssh if args.ssh else in_tmux)(args, count, live_s)
    counters = {"": "ssh bytes/s to the terminal" if args.ssh else "bytes/s to the terminal"}
    if args.ssh and "app tcp" in rates["idle"]:
        counters[" tcp"] = "ssh TCP bytes/s, encrypted"
    reference = "htop over the same sshd, same windows" if args.ssh else "htop, same windows"
    rows = []
    for phase, values in rates.items():
        for suffix, label in counters.items():
            row = Row(f"{phase}: {label}", "B/s", values[f"app{suffix}"], reference, values[f"htop{suffix}"],
                      "<= htop")
            row.met = row.median <= statistics.median(row.ref_values)
            rows.append(row)
            if args.before:
                rows.append(Row(f"{phase}: before's {label}", "B/s",
                                values[f"before{suffix}"], reference, values[f"htop{suffix}"],
                                f"(before: {args.before})"))
    total = sum(shares.values()) or 1
    split = ", ".join(f"{pane} {share / total:.0%}" for pane, share in shares.most_common() if share)
    where = ("80x24 ptys at the client end of `ssh -tt` to a private sshd on 127.0.0.1, one connection each"
             if args.ssh else "80x24 tmux panes")
    notes = [f"{where}; {count} windows of {live_s / 2:g} s idle, then {count} of {live_s:g} s live "
             "(cpu, processes, one worker per core)", f"live bytes by pane (after each cursor move): {split}"]
    if args.ssh and " tcp" not in counters:
        notes.append("encrypted TCP bytes: not measured, `ss` (iproute2) is missing")
    report("ssh_bytes --ssh" if args.ssh else "ssh_bytes", args, rows, notes)


if __name__ == "__main__":
    main()
