"""Everything the user typed, checked before anything runs: one UsageError (one line, exit 2)
for the first thing wrong, and for the workload, the runner's own answer on whether it loads."""
from __future__ import annotations

import argparse
import os
import sys

from conctui.engine import capacity
from conctui.engine.modes import MODES, unavailable
from conctui.engine.pythons import checked_python
from conctui.engine.replay import SPEEDS
from conctui.engine.runner_process import child_footprint, describe
from conctui.engine.spec import (
    MAX_WORKERS,
    RunSpec,
    UsageError,
    parse_params,
    parse_scheduler,
    parse_workers,
    parse_workload,
)
from conctui.engine.sweep import default_counts
from conctui.engine.untrusted import visible
from conctui.runner.request import RunnerInfo

GIL_SWITCHES = {"on": ["1"], "off": ["0"], "both": ["0", "1"]}


def pythons(args: argparse.Namespace) -> list[str]:
    """The interpreters asked for, each checked now (one line, exit 2); conctui's own by default."""
    if len(args.python) > 1 and args.command != "compare":
        raise UsageError(f"{args.command} takes one --python (compare takes several)")
    return [checked_python(path) for path in args.python] or [sys.executable]


def plans(args: argparse.Namespace, mode: str) -> list[tuple[RunSpec, RunnerInfo]]:
    """Each --python once; a free-threaded one once per --gil state (`both`: off, then on)."""
    switches = GIL_SWITCHES.get(args.gil or "", [])
    if len(switches) > 1 and args.command != "compare":
        raise UsageError(f"{args.command} takes --gil on or --gil off (compare takes both)")
    planned = []
    for python in pythons(args):
        spec, info = spec_and_info(args, mode, python)
        if not switches or not info.python.free_threaded:
            if args.gil == "off":
                raise UsageError(f"{python} is not a free-threaded build: its GIL cannot be turned off")
            planned.append((spec, info))
            continue
        planned += [spec_and_info(args, mode, python, gil) for gil in switches]
    return planned


def spec_and_info(args: argparse.Namespace, mode: str, python: str | None = None,
                  python_gil: str | None = None) -> tuple[RunSpec, RunnerInfo]:
    """Check everything the user typed, and ask the runner whether it can load the workload."""
    ref = parse_workload(args.workload)
    params = parse_params(ref, args.param)
    workers = parse_workers(args.workers)
    python = python or pythons(args)[0]
    if args.switch_interval is not None and not 0 < args.switch_interval <= 1000:
        raise UsageError(f"--switch-interval must be between 0 and 1000 ms, got {args.switch_interval}")
    asked = modes_and_repeat(args) if hasattr(args, "modes") else [args.mode]
    scheduler = None
    if "dask" in asked:  # checked now, and asked whether it answers: exit 2 if not
        scheduler = parse_scheduler(args.scheduler, args.connect_timeout)
    elif args.command == "tui" and args.scheduler:  # kept for the d key; a threads run must not need it
        try:
            scheduler = parse_scheduler(args.scheduler, args.connect_timeout)
        except UsageError:
            scheduler = None
    info = describe(python, ref, params, scheduler if "dask" in asked else None, args.connect_timeout,
                    python_gil=python_gil)
    if not 0 < args.ipc_limit <= 4096:
        raise UsageError(f"--ipc-limit must be between 0 and 4096 MiB, got {args.ipc_limit:g}")
    spec = RunSpec(ref, mode, workers, params, python, args.start_method, args.switch_interval,
                   scheduler, args.connect_timeout, ipc_limit_mb=args.ipc_limit, python_gil=python_gil)
    for each in asked:  # what the machine's memory cannot hold is refused before any worker starts
        if each in MODES and not unavailable(each, info):
            capacity.check(spec.with_mode(each), child_footprint)
    return spec, info


def terminal(instead: str) -> None:
    """The TUI draws on a terminal: without one (output to a file or a pipe, a cron job, CI) it
    would write its escape codes there and run until killed. One line saying what prints instead."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UsageError(f"the TUI needs a terminal, and {'stdin' if not sys.stdin.isatty() else 'stdout'} "
                         f"is not one: {instead}")


def tick_hz(args: argparse.Namespace) -> float:
    """`--refresh HZ` (the user's word) is the tick rate: how often clocks and times move."""
    if not 0.2 <= args.refresh <= 30:
        raise UsageError(f"--refresh must be between 0.2 and 30 Hz, got {args.refresh}")
    return args.refresh


def modes_and_repeat(args: argparse.Namespace) -> list[str]:
    """--modes as a list of known modes, and --repeat in range (compare and sweep): or one line."""
    if not 1 <= args.repeat <= 100:
        raise UsageError(f"--repeat must be between 1 and 100, got {args.repeat}")
    if args.modes is None:  # compare's default: every mode; those that cannot run here are left out
        return list(MODES)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        raise UsageError(f"unknown mode {', '.join(unknown) or '(none)'}: choose from {', '.join(MODES)}")
    return modes


def sweep_counts(text: str | None, usable: int) -> list[int]:
    if text is None:
        return default_counts(usable, MAX_WORKERS)
    try:
        counts = {int(part) for part in text.split(",") if part.strip()}
    except ValueError:
        raise UsageError(f"--workers wants counts like 1,2,4, got {text!r}") from None
    if not counts or not all(1 <= n <= MAX_WORKERS for n in counts):
        raise UsageError(f"--workers wants counts between 1 and {MAX_WORKERS}, got {text!r}")
    return sorted(counts | {1})


def replay_speed(args: argparse.Namespace) -> float:
    if not SPEEDS[0] <= args.speed <= SPEEDS[-1]:
        raise UsageError(f"--speed must be between {SPEEDS[0]} and {SPEEDS[-1]}, got {args.speed}")
    return args.speed


def size(text: str) -> tuple[int, int]:
    """export's --size: no smaller than the panes need, or the export would draw only the
    too-small message (widgets/too_small.py)."""
    from conctui.widgets.too_small import MIN_SIZE  # Textual: loaded by export alone

    cols, sep, rows = text.lower().partition("x")
    least = f"{MIN_SIZE.width}x{MIN_SIZE.height}"
    if not (sep and cols.isdigit() and rows.isdigit() and MIN_SIZE.width <= int(cols) <= 500
            and MIN_SIZE.height <= int(rows) <= 200):
        raise UsageError(f"--size wants COLSxROWS between {least} and 500x200, got {text!r}")
    return int(cols), int(rows)


def svg_keys(args: argparse.Namespace) -> list[str]:
    """export's --press (and --at): keys for --svg only, each a plain key name."""
    if args.at is not None and not args.svg:
        raise UsageError("--at applies to --svg only")
    keys = [key for key in args.press.split(",") if key]
    if keys and not args.svg:
        raise UsageError("--press applies to --svg only")
    if not all(key.isascii() and key.isprintable() and " " not in key for key in keys):
        raise UsageError(f"--press wants key names separated by commas, got {visible(args.press)!r}")
    return keys


def check_writable(path: str) -> None:
    """Refuse an output path now, not after rendering the whole replay."""
    existed = os.path.lexists(path)
    try:
        with open(path, "ab"):
            pass
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from None
    if not existed:
        os.unlink(path)
