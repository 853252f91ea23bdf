"""ssh_bytes: bytes per second the TUI writes to an 80x24 terminal, idle and live, beside htop.

Each program runs in its own 80x24 tmux pane; `tmux pipe-pane` copies everything the program
writes to its terminal into a file, whose growth over the same windows is the figure (what
would cross an SSH link). Live: 30 s of a `processes` run of `cpu`, one worker per core.
Reference: htop at its default refresh (installed with apt-get if missing). Target: <= htop.

--cores N: the app replays a deterministic stream of an N-core machine instead (tests/fixtures/
cores.py: a `processes` run of `cpu`, one worker per core, 16 cores by default), measured live
only, beside htop on this machine: what a 16-core machine's screen costs wherever the bench runs.

--ssh: over a real link instead. The bench starts Debian's sshd on a free loopback port (its
own keys and config, as the current user; stopped at the end) and runs each program through
its own `ssh -tt` client in an 80x24 pty it owns: the figure is what the client's pty yields
(decrypted, as the user's terminal receives it), and beside it the encrypted bytes the
client's TCP socket received (the kernel's count, read with `ss`).

    python bench/ssh_bytes.py [--quick] [--json] [--windows K] [--seconds S] [--ssh | --cores N]
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from _common import BENCH, Row, Tmux, parser, ready, report
from _terminals import RUNNING, Pair, SshPair, conctui_beside_htop, conctui_beside_htop_over_ssh, windows

MOVE = re.compile(rb"\x1b\[(\d+);(\d+)H")


def pane_at(row: int, col: int, size: tuple[int, int] = (80, 24), tall: bool = False) -> str:
    """The pane of conctui's 80x24 layout a cell belongs to (tui/app.tcss: a 1-line header, 7
    rows of workers beside the 32-wide cores and clock, 11 of results, 4 of output, the footer;
    `tall`: a machine with more than 4 cores, whose cores take 10 rows, results 9, output 3)."""
    width, height = size
    top, output = (10, 3) if tall else (7, 4)
    if row == 0:
        return "header"
    if row == height - 1:
        return "footer"
    if row >= height - 1 - output:
        return "output"
    if row > top:
        return "results"
    return "workers" if col < width - 32 else "cores+clock"


def where_bytes_go(data: bytes, tall: bool = False) -> Counter:
    """Bytes written after each cursor move, by the pane the move lands in (Textual moves the
    cursor to the start of each changed run of cells, then writes its styles and text)."""
    shares: Counter = Counter()
    moves = list(MOVE.finditer(data))
    for move, after in zip(moves, [*moves[1:], None]):
        end = after.start() if after else len(data)
        shares[pane_at(int(move.group(1)) - 1, int(move.group(2)) - 1, tall=tall)] += end - move.start()
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
        files, pipe, read = pipes(folder, ("app", "htop", "before") if args.before else ("app", "htop"))
        with conctui_beside_htop(on_open=pipe, before=args.before) as pair:
            return measure(pair, read, files["app"].read_bytes, count, live_s)


def pipes(folder: str, names: tuple[str, ...]) -> tuple[dict[str, Path], Callable[[Tmux], None],
                                                      Callable[[], dict[str, float]]]:
    """A file per pane, the call that pipes each pane into its file, and one that reads their sizes."""
    files = {name: Path(folder, f"{name}.out") for name in names}

    def pipe(tmux: Tmux) -> None:
        for name, path in files.items():
            tmux("pipe-pane", "-o", "-t", name, f"cat >> {path}")

    def read() -> dict[str, float]:
        return {name: os.path.getsize(path) if path.exists() else 0 for name, path in files.items()}

    return files, pipe, read


def replayed(args: argparse.Namespace, count: int, live_s: float) -> tuple[dict, Counter]:
    """Bytes while `conctui replay` plays an N-core `processes` run (written here from
    tests/fixtures/cores.py), beside htop, over the same live windows."""
    sys.path.insert(0, str(BENCH.parent / "tests"))
    from conctui.engine.recording import Recorder
    from fixtures import cores as streams

    with tempfile.TemporaryDirectory(prefix="conctui-bytes-") as folder:
        recording = Path(folder, f"cores{args.cores}.jsonl")
        recorder = Recorder.open(recording)
        # outlasts the windows; sampled once a second, as the live app samples by default
        recorder(streams.processes_live(args.cores, seconds=count * live_s + 30.0, sample_s=1.0))
        recorder.stop()
        files, pipe, read = pipes(folder, ("app", "htop"))
        with conctui_beside_htop(on_open=pipe, choice=["replay", str(recording)]) as pair:
            pair.tmux.wait_for("app", RUNNING)
            offset = files["app"].stat().st_size
            rates = {"live": windows(count, live_s, read)}
            return rates, where_bytes_go(files["app"].read_bytes()[offset:], tall=args.cores > 4)


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
    parse.add_argument("--cores", type=int, nargs="?", const=16, metavar="N",
                       help="the app replays a deterministic N-core processes run (default 16) instead of a live one")
    args = parse.parse_args()
    ready(args)
    count = args.windows or (2 if args.quick else 3)
    live_s = args.seconds or (2.0 if args.quick else 10.0)
    rates, shares = (replayed if args.cores else over_ssh if args.ssh else in_tmux)(args, count, live_s)
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
    shown = (f"{count} windows of {live_s:g} s of `conctui replay` of a {args.cores}-core processes run "
             "(tests/fixtures/cores.py), htop live on this machine" if args.cores else
             f"{count} windows of {live_s / 2:g} s idle, then {count} of {live_s:g} s live "
             "(cpu, processes, one worker per core)")
    notes = [f"{where}; {shown}", f"live bytes by pane (after each cursor move): {split}"]
    if args.ssh and " tcp" not in counters:
        notes.append("encrypted TCP bytes: not measured, `ss` (iproute2) is missing")
    name = f"ssh_bytes --cores {args.cores}" if args.cores else "ssh_bytes --ssh" if args.ssh else "ssh_bytes"
    report(name, args, rows, notes)


if __name__ == "__main__":
    main()
