"""The command line's grammar: every subcommand, its arguments and their help.

Only what argparse itself can check is checked here (types, choices); what needs the runner or
the machine (a workload, a Python, the memory) is checked in cli/checks.py.
"""
from __future__ import annotations

import argparse
import difflib
import math
import os
from collections.abc import Collection
from typing import Any, NoReturn

from conctui.cli import watch
from conctui.engine.modes import MODES
from conctui.engine.replay import SPEEDS
from conctui.engine.spec import START_METHODS, UsageError
from conctui.engine.sweep import DEFAULT_MODES
from conctui.engine.untrusted import visible
from conctui.workloads import BUILTINS

EXIT_USAGE = 2


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        """One line, not a usage block: scripts and people both read the last line."""
        self.exit(EXIT_USAGE, f"{self.prog}: {visible(message)} (see {self.prog} --help)\n")


class _Version(argparse.Action):
    """`conctui --version`: read from the installed package's metadata when asked, not at every start."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print conctui's version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *args: Any) -> None:
        from importlib.metadata import version

        print(f"{parser.prog} {version('conctui')}")  # on stdout, as argparse's own version action
        parser.exit()


def with_command(argv: list[str], commands: Collection[str]) -> list[str]:
    """argv with its command: `tui` where none is named (`conctui`, `conctui cpu`, `conctui
    --workers 4` open the TUI), or one line naming the command a typo meant (`conctui sweeep`).
    `conctui help [COMMAND]` is `--help`, as git and pip spell it."""
    first = argv[0] if argv else ""
    if first == "help":
        named = argv[1:2]
        if named and named[0] not in commands:
            raise UsageError(f"no command {named[0]!r} to help with: one of {', '.join(commands)}")
        return [*named, "--help"]
    if first in commands or first in ("-h", "--help", "--version"):
        return argv
    if first.endswith(".jsonl"):
        raise UsageError(f"{first!r} looks like a recording: did you mean `conctui replay {first}`?")
    if first and not first.startswith("-") and first not in BUILTINS and ":" not in first:
        meant = difflib.get_close_matches(first, list(commands), n=1)
        if meant:
            raise UsageError(f"unknown command {first!r}: did you mean `conctui {meant[0]}`? (see conctui --help)")
    return ["tui", *argv]


def _seconds(text: str) -> float:
    """A --timeout: a finite number of seconds above 0 (a negative or NaN one would cut every run)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"wants seconds above 0, got {text!r}")
    return value


def _common(parser: argparse.ArgumentParser, workload_required: bool = True, sweep: bool = False) -> None:
    parser.add_argument("workload", nargs=None if workload_required else "?", default="download",
                        help="a built-in name (see `conctui workloads`), FILE.py:FUNCTION or package.module:FUNCTION")
    if sweep:
        parser.add_argument("--workers", "-n", metavar="1,2,4,...",
                            help="worker counts to run (1 is always added: speedups are against it; default: "
                                 "powers of two, the core count and twice it, from 1 to 2 x usable cores)")
    else:
        parser.add_argument("--workers", "-n", type=int, default=3,
                            help="how many workers (default 3); refused, with what fits, where this machine's "
                                 "memory cannot hold that many of the mode's workers ($CONCTUI_AVAILABLE_MEMORY "
                                 "plans for a smaller one)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a workload parameter; repeatable")
    parser.add_argument("--start-method", choices=START_METHODS, default="spawn",
                        help="how the processes mode starts children (never fork; default spawn)")
    parser.add_argument("--switch-interval", type=float, metavar="MS",
                        help="sys.setswitchinterval for the process hosting the threads, in ms")
    parser.add_argument("--python", action="append", default=[], metavar="PATH",
                        help="run the workers under this Python (>= 3.9; default: conctui's own); "
                             "compare takes it more than once")
    parser.add_argument("--gil", choices=("on", "off", "both"),
                        help="a free-threaded --python with the GIL on (PYTHON_GIL=1), off (PYTHON_GIL=0), or "
                             "both (compare: the same binary twice, the GIL the only difference)")
    parser.add_argument("--scheduler", metavar="tcp://HOST:PORT", default=os.environ.get("DASK_SCHEDULER_ADDRESS"),
                        help="dask mode: use this existing cluster (never shut down) instead of a LocalCluster "
                             "(default $DASK_SCHEDULER_ADDRESS)")
    parser.add_argument("--connect-timeout", type=float, default=10.0, metavar="S",
                        help="dask mode: give up on a scheduler that does not answer within S s (default 10)")
    parser.add_argument("--record", metavar="FILE", help="record the session's events to FILE (JSON Lines)")
    parser.add_argument("--ipc-limit", type=float, default=256.0, metavar="MB",
                        help="processes, interpreters: refuse (fail the worker, with the reason) an argument or "
                             "return value whose pickle passes MB MiB (default 256)")


def _refresh(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--refresh", type=float, default=1.0, metavar="HZ",
                        help="how often clocks, elapsed times and core samples move (default 1, like a "
                             "monitor over SSH; 10 for a smooth local screen). Progress shows at once.")


def build_parser() -> Parser:
    parser = Parser(prog="conctui", description=(
        "See Python concurrency: run one workload sequentially, in threads, in processes or in "
        "asyncio, and watch each worker and every core. With no command, opens the TUI on the "
        "tutorial's download demo (3 workers, threads), and `conctui WORKLOAD [options]` on that "
        "workload (the tui command's options); nothing runs until you press a key."))
    parser.add_argument("--version", action=_Version)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    tui = commands.add_parser("tui", help="open the TUI on any workload")
    _common(tui, workload_required=False)
    tui.add_argument("--mode", choices=list(MODES), default="threads")
    tui.add_argument("--start", action="store_true", help="start the first run at once")
    _refresh(tui)

    run = commands.add_parser("run", help="run one workload in one mode, headless")
    _common(run)
    run.add_argument("--mode", "-m", choices=list(MODES), default="threads")
    run.add_argument("--timeout", type=_seconds, metavar="S", help="cancel the run after S seconds (exit 124)")
    run.add_argument("--json", action="store_true", help="print one JSON document instead of a table")

    compare = commands.add_parser("compare", help="run one workload in several modes; medians and speedups")
    _common(compare)
    compare.add_argument("--modes", help="comma-separated (default: every mode that can run the workload here, "
                                          "as the TUI's c; the report says which were left out and why)")
    compare.add_argument("--repeat", "-k", type=int, default=1, help="runs per mode; figures are medians")
    compare.add_argument("--timeout", type=_seconds, metavar="S", help="cancel any one run after S seconds")
    compare.add_argument("--json", action="store_true", help="print one JSON document instead of a table")

    sweep = commands.add_parser(
        "sweep", help="run one workload at 1 to 2 x cores workers per mode: speedup, efficiency and "
                      "Amdahl's serial fraction",
        description="Run WORKLOAD in each mode at each worker count, then print per mode and count the "
                    "median wall, the speedup against 1 worker and the efficiency, a fit of Amdahl's serial "
                    "fraction per mode with its quality, and a chart. The model is fixed work per worker "
                    "(each worker does the same work, so N workers do N times that of one): speedup = "
                    "N x wall(1) / wall(N). Progress goes to stderr; Ctrl+C stops, keeping the points so far.")
    _common(sweep, sweep=True)
    sweep.add_argument("--modes", default=",".join(DEFAULT_MODES),
                       help=f"comma-separated (default {','.join(DEFAULT_MODES)})")
    sweep.add_argument("--repeat", "-k", type=int, default=1, help="runs per mode and count; figures are medians")
    sweep.add_argument("--timeout", type=_seconds, metavar="S", help="cancel any one run after S seconds")
    sweep.add_argument("--json", action="store_true",
                       help="print one JSON document (progress still goes to stderr)")

    replay = commands.add_parser("replay", help="replay a recording in the TUI, or print its figures")
    replay.add_argument("file", help="a recording made with --record")
    _refresh(replay)
    replay.add_argument("--json", action="store_true",
                        help="print the figures run/compare --json printed for the recorded runs; no terminal")
    replay.add_argument("--speed", type=float, default=1.0, help=f"{SPEEDS[0]} to {SPEEDS[-1]} (default 1)")

    export = commands.add_parser("export", help="render a recording headlessly, for slides and players")
    export.add_argument("file", help="a recording made with --record")
    target = export.add_mutually_exclusive_group(required=True)
    target.add_argument("--asciicast", metavar="OUT.cast", help="the whole replay as an asciicast v2 file")
    target.add_argument("--html", metavar="OUT.html",
                        help="the whole replay as one self-contained web page that plays in any browser")
    target.add_argument("--svg", metavar="OUT.svg", help="one frame as an SVG")
    target.add_argument("--svg-animated", metavar="OUT.svg",
                        help="the whole replay as one animated SVG (no script), which GitHub's README plays")
    export.add_argument("--size", default="100x30", metavar="COLSxROWS", help="terminal size (default 100x30)")
    export.add_argument("--press", metavar="KEY,KEY", default="",
                        help="with --svg: keys pressed once the frame is reached, before it is taken "
                             "(Textual's names: S opens the sweep screen, question_mark the help)")
    export.add_argument("--at", type=float, metavar="S",
                        help="with --svg: seconds from the recording's start (default: its end)")

    watch.add_parser(commands)
    workloads = commands.add_parser("workloads", help="list the built-in workloads")
    workloads.add_argument("--json", action="store_true")
    return parser
