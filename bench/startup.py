"""startup: `conctui --help` and the TUI's time to first frame, beside `python -c pass` and a bare Textual app.

--help: wall seconds of the installed command, beside `python -c pass`. First frame: from
launching the program in an 80x24 tmux pane to its first painted frame (bench/_first_frame.py
notes it: the conctui TUI by the path `conctui` takes, opening on its defaults, including the
runner it asks about the workload; and a bare Textual App, by the same method). Target: first
frame <= 1.5x the bare Textual app.

    python bench/startup.py [--quick] [--json] [--repeats K]
"""
from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

from _common import BENCH, Row, Tmux, conctui_command, interleave, parser, report


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def first_frame(tmux: Tmux, folder: str, kind: str) -> float:
    out = Path(folder, f"{kind}-{time.monotonic_ns()}")
    command = shlex.join([sys.executable, str(BENCH / "_first_frame.py"), kind, str(out)])
    start = time.time()
    tmux.open("s", command)
    deadline = time.monotonic() + 60
    while not (out.exists() and out.read_text()):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{kind}: no first frame within 60 s:\n{tmux.screen('s')}")
        time.sleep(0.01)  # polling a file the app writes: there is no event to wait on
    shown = float(out.read_text())
    while "s" in tmux("list-sessions", "-F", "#{session_name}").split():  # the app quits; the pane closes
        time.sleep(0.05)
    return shown - start


def main() -> None:
    parse = parser(__doc__)
    parse.add_argument("--repeats", type=int, help="launches of each (default 7, quick 2)")
    args = parse.parse_args()
    repeats = args.repeats or (2 if args.quick else 7)
    helps = interleave({"conctui --help": partial(wall, [*conctui_command(), "--help"]),
                        "python -c pass": partial(wall, [sys.executable, "-c", "pass"])}, repeats)
    with Tmux() as tmux, tempfile.TemporaryDirectory(prefix="conctui-startup-") as folder:
        frames = interleave({kind: partial(first_frame, tmux, folder, kind) for kind in ("conctui", "bare")},
                            repeats)
    rows = [Row("conctui --help", "s", helps["conctui --help"], "python -c pass", helps["python -c pass"]),
            Row("TUI: launch to first frame", "s", frames["conctui"], "bare Textual app, same method",
                frames["bare"], "<= 1.5x bare Textual")]
    rows[-1].met = rows[-1].ratio is not None and rows[-1].ratio <= 1.5
    report("startup", args, rows, [f"{repeats} launches of each, interleaved; first frames in an 80x24 tmux pane"])


if __name__ == "__main__":
    main()
