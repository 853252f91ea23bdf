"""`conctui watch`: its grammar, the `--` that starts a command, and the headless command.

`conctui watch PID|-- CMD [ARGS...]` watches a program: with --json it prints one document
when the duration ends or the target exits (exit 0); bad targets get one line and exit 2.
A recording of a watch replays through `conctui replay` (`replay_watch` here, for --json; the
screen is the replay app's, which `conctui export` renders as it does a lab recording's)."""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from typing import TYPE_CHECKING

from conctui.cli import checks
from conctui.cli.sessions import SIGNALS
from conctui.engine.recording import Recorder
from conctui.engine.spec import UsageError
from conctui.engine.untrusted import visible
from conctui.engine.watch.model import WatchModel
from conctui.engine.watch.target import BadTarget
from conctui.engine.watch.text import summary

if TYPE_CHECKING:
    from conctui.engine.watch.session import WatchSession

DURATION_S = 10.0  # headless, when no --duration is given


def add_parser(commands: argparse._SubParsersAction) -> None:
    watch = commands.add_parser("watch", help="watch a running Python program, or start one: threads, processes, GIL",
                                description="watch PID, or watch -- CMD [ARGS...]; no target lists Python processes")
    watch.add_argument("target", nargs="?", help="pid of a running Python program (or -- CMD [ARGS...] last)")
    watch.add_argument("--json", action="store_true", help="headless: print one JSON document at the end")
    watch.add_argument("--duration", type=float, default=None, help="seconds to watch headless (default 10)")
    watch.add_argument("--record", metavar="FILE", help="record the watch (replay and export play it)")
    watch.add_argument("--refresh", type=float, default=1.0, metavar="HZ",
                       help="samples a second: how often the figures move (default 1)")


def split_command(argv: list[str]) -> tuple[list[str], list[str] | None]:
    """`watch [OPTIONS] -- CMD ARGS`: (what argparse reads, CMD ARGS), else (argv, None).
    The command's own options (`--json` of the program) must never reach conctui's parser."""
    if argv[:1] != ["watch"] or "--" not in argv:
        return argv, None
    at = argv.index("--")
    return argv[:at], argv[at + 1:]


def parse_target(args: argparse.Namespace) -> tuple[int | None, list[str] | None]:
    """(pid, None), (None, argv) or (None, None); BadTarget for what cannot be either."""
    command = getattr(args, "command_argv", None)
    if command is not None:
        if args.target is not None:
            raise BadTarget("give a pid or -- CMD, not both")
        if not command:
            raise BadTarget("nothing to run after --: give a command, e.g. conctui watch -- python app.py")
        return None, command
    if args.target is None:
        return None, None
    if not args.target.isdigit():
        raise BadTarget(f"not a pid: {visible(args.target)} (to start a program: conctui watch -- CMD)")
    return int(args.target), None


def cmd_watch(args: argparse.Namespace) -> int:
    if not 0 < args.refresh <= 60:
        raise UsageError(f"--refresh must be above 0 and at most 60 Hz, got {args.refresh}")
    if args.duration is not None and not 0 < args.duration <= 1e6:
        raise UsageError(f"--duration must be above 0 seconds, got {args.duration}")
    try:
        pid, argv = parse_target(args)
    except BadTarget as exc:
        raise UsageError(f"watch: {exc}") from None
    if pid is None and argv is None:
        if args.json:
            return list_pythons()
        checks.terminal("`conctui watch --json` lists the Python processes without one")
        pid = choose_python()
        if not pid:
            return 0
    recorder = Recorder.open(args.record) if args.record else None  # refused before anything starts
    try:
        return _watch(args, pid, argv, recorder)
    finally:
        if recorder is not None:
            recorder.stop()


def _start(sinks: list, pid: int | None, argv: list[str] | None, refresh_hz: float) -> WatchSession:
    from conctui.engine.watch.session import WatchSession

    try:
        return WatchSession(sinks, pid=pid, argv=argv, refresh_hz=refresh_hz)
    except BadTarget as exc:
        raise UsageError(f"watch: {exc}") from None


def _watch(args: argparse.Namespace, pid: int | None, argv: list[str] | None, recorder: Recorder | None) -> int:
    """Headless (--json, or no terminal to draw on) until the duration ends or the target does;
    else the TUI until q. In the main thread: a launched program dies with the thread that started it."""
    sinks = [recorder] if recorder is not None else []
    if not args.json and sys.stdout.isatty():
        from conctui.app import ConcApp  # Textual is imported only for the TUI
        from conctui.watch_source import WatchSource

        source = WatchSource(launched=argv is not None, recorder=recorder)  # it feeds the recorder
        session = _start([source], pid, argv, args.refresh)
        source.stop = session.stop
        try:
            code = ConcApp(source, tick_hz=args.refresh).run()
        finally:
            session.stop()
        return code if isinstance(code, int) else 0
    model = WatchModel()
    stop = threading.Event()
    previous = {number: signal.signal(number, lambda *_: stop.set()) for number in SIGNALS}
    try:
        session = _start([model.fold, *sinks], pid, argv, args.refresh)
        try:
            deadline = session.t0 + (DURATION_S if args.duration is None else args.duration)
            while not stop.is_set() and not session.ended() and time.monotonic() < deadline:
                session.wait(min(0.1, max(0.0, deadline - time.monotonic())))
        finally:
            session.stop()
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    print(json.dumps(model.document(), indent=1, ensure_ascii=False) if args.json else summary(model))
    return 0


def choose_python() -> int:
    """The TUI's list of this user's Python processes; the pid picked, or 0."""
    from conctui.engine.watch.listing import python_processes
    from conctui.watch_app import ChooseApp  # Textual is imported only for the TUI

    rows = python_processes()
    if not rows:
        raise UsageError("watch: no Python process of this user to watch (start one, or conctui watch -- CMD)")
    chosen = ChooseApp(rows).run()
    return chosen if isinstance(chosen, int) else 0


def list_pythons() -> int:
    from conctui.engine.watch.listing import python_processes

    print(json.dumps([row._asdict() for row in python_processes()], indent=1, ensure_ascii=False))
    return 0


def replay_watch(path: str) -> tuple[dict, str | None] | None:
    """A watch recording's document and where it stopped, or None for a recording of runs."""
    from conctui.engine.recording import Reader
    from conctui.engine.watch.events import WatchStarted

    reader = Reader(path)
    model = WatchModel()
    for event in reader:
        if model.started is None and not isinstance(event, WatchStarted):
            reader.close()
            return None
        model.fold([event])
    return model.document(), reader.note

