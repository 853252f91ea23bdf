"""startup: `conctui --help` and the TUI's time to first frame, beside `python -c pass` and a bare Textual app.

--help: wall seconds of the installed command, beside `python -c pass`. First frame: from
launching the program in an 80x24 tmux pane to its first painted frame (bench/_first_frame.py
notes it: the conctui TUI by the path `conctui` takes, opening on its defaults, including the
runner it asks about the workload; and a bare Textual App, by the same method). Target: first
frame <= 1.5x the bare Textual app. Also the first frame with the footer's keys, which Textual's
Footer composes a refresh after the first frame.

    python bench/startup.py [--quick] [--json] [--repeats K]
"""
from __future__ import annotations

import importlib.util
import shlex
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from _common import BENCH, Row, Tmux, conctui_command, interleave, parser, ready, report


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def first_frame(tmux: Tmux, folder: str, kind: str, python: str = sys.executable,
                speedups: bool = True) -> tuple[float, float]:
    """Wall seconds from launch to the first painted frame, and the CPU seconds it took.
    `speedups=False`: with TEXTUAL_SPEEDUPS=0, Textual ignores textual-speedups if installed."""
    out = Path(folder, f"{kind}-{time.monotonic_ns()}")
    command = shlex.join(["env", f"TEXTUAL_SPEEDUPS={int(speedups)}", python, str(BENCH / "_first_frame.py"), kind,
                          str(out)])
    start = time.time()
    tmux.open("s", command)
    deadline = time.monotonic() + 60
    while not (out.exists() and out.read_text()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{kind}: no first frame within 60 s:\n{tmux.screen('s')}")
        time.sleep(0.01)  # polling a file the app writes: there is no event to wait on
    shown, cpu = map(float, out.read_text().split())
    while "s" in tmux("list-sessions", "-F", "#{session_name}").split():  # the app quits; the pane closes
        time.sleep(0.05)
    return shown - start, cpu


SPEEDUPS = importlib.util.find_spec("textual_speedups") is not None

def main() -> None:
    parse = parser(__doc__)
    parse.add_argument("--repeats", type=int, help="launches of each (default 7, quick 2)")
    args = parse.parse_args()
    ready(args)
    repeats = args.repeats or (2 if args.quick else 7)
    pythons = {"conctui": sys.executable, **({"before": args.before} if args.before else {})}
    helps = interleave({**{f"{name} --help": partial(wall, [*conctui_command(python), "--help"])
                           for name, python in pythons.items()},
                        "python -c pass": partial(wall, [sys.executable, "-c", "pass"])}, repeats)
    with Tmux() as tmux, tempfile.TemporaryDirectory(prefix="conctui-startup-") as folder:
        frames = interleave({**{name: partial(first_frame, tmux, folder, "conctui", python)
                                for name, python in pythons.items()},
                             **{f"{name} keys": partial(first_frame, tmux, folder, "conctui-keys", python)
                                for name, python in pythons.items()},
                             "bare": partial(first_frame, tmux, folder, "bare"),
                             **({"no speedups": partial(first_frame, tmux, folder, "conctui", speedups=False)}
                                if SPEEDUPS else {})}, repeats)
    walls = {kind: [wall for wall, _ in values] for kind, values in frames.items()}
    cpus = {kind: [cpu for _, cpu in values] for kind, values in frames.items()}
    rows = []
    for name in pythons:
        rows.append(Row(f"{name} --help", "s", helps[f"{name} --help"], "python -c pass", helps["python -c pass"]))
    for name in pythons:
        rows += [Row(f"{name} TUI: launch to first frame", "s", walls[name], "bare Textual app, same method",
                     walls["bare"], "<= 1.5x bare Textual"),
                 Row(f"{name} TUI: CPU s to first frame", "cpu s", cpus[name], "bare Textual app, same method",
                     cpus["bare"], "<= 1.5x bare Textual"),
                 Row(f"{name} TUI: launch to the footer's keys", "s", walls[f"{name} keys"],
                     "bare Textual app's first frame", walls["bare"], "(a refresh after the first frame)"),
                 Row(f"{name} TUI: CPU s to the footer's keys", "cpu s", cpus[f"{name} keys"],
                     "bare Textual app's first frame", cpus["bare"], "(a refresh after the first frame)")]
    if SPEEDUPS:
        rows.append(Row("TUI: CPU s to first frame, textual-speedups", "cpu s", cpus["conctui"],
                        "the same, TEXTUAL_SPEEDUPS=0", cpus["no speedups"], "(adopt if < 1)"))
    for row in rows:
        if row.target and row.target.startswith("<="):
            row.met = row.ratio is not None and row.ratio <= 1.5
    report("startup", args, rows, [f"{repeats} launches of each, interleaved; first frames in an 80x24 tmux pane"])


if __name__ == "__main__":
    main()
