"""`conctui watch`: its grammar, the `--` that starts a command, and the headless command.

`conctui watch PID|-- CMD [ARGS...]` watches a program: with --json it prints one document
when the duration ends or the target exits (exit 0); bad targets get one line and exit 2.
A recording of a watch replays through `conctui replay` (`replay_watch` here)."""
from __future__ import annotations

import argparse
import json
import signal
import threading
import time

from conctui.cli.sessions import SIGNALS
from conctui.engine.recording import Recorder
from conctui.engine.spec import UsageError
from conctui.engine.untrusted import visible
from conctui.engine.watch.model import WatchModel
from conctui.engine.watch.target import BadTarget
from conctui.engine.watch.text import summary

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
    from conctui.engine.watch.session import WatchSession

    if not 0 < args.refresh <= 60:
        raise UsageError(f"--refresh must be above 0 and at most 60 Hz, got {args.refresh}")
    if args.duration is not None and not 0 < args.duration <= 1e6:
        raise UsageError(f"--duration must be above 0 seconds, got {args.duration}")
    try:
        pid, argv = parse_target(args)
    except BadTarget as exc:
        raise UsageError(f"watch: {exc}") from None
    if pid is None and argv is None:
        return list_pythons(args.json)
    if not args.json:
        pass  # the TUI takes over here once it exists; until then the text summary below
    model = WatchModel()
    recorder = Recorder.open(args.record) if args.record else None  # refused before anything starts
    stop = threading.Event()
    previous = {number: signal.signal(number, lambda *_: stop.set()) for number in SIGNALS}
    try:
        try:
            session = WatchSession([model.fold, *([recorder] if recorder else [])], pid=pid, argv=argv,
                                   refresh_hz=args.refresh)
        except BadTarget as exc:
            raise UsageError(f"watch: {exc}") from None
        try:
            deadline = session.t0 + (DURATION_S if args.duration is None else args.duration)
            while not stop.is_set() and not session.ended() and time.monotonic() < deadline:
                session.wait(min(0.1, max(0.0, deadline - time.monotonic())))
        finally:
            session.stop()
    finally:
        if recorder is not None:
            recorder.stop()
        for number, handler in previous.items():
            signal.signal(number, handler)
    print(json.dumps(model.document(), indent=1, ensure_ascii=False) if args.json else summary(model))
    return 0


def list_pythons(as_json: bool) -> int:
    from conctui.engine.watch.listing import python_processes

    rows = python_processes()
    if as_json:
        print(json.dumps([row._asdict() for row in rows], indent=1))
    else:
        for row in rows:
            print(f"{row.pid:>7}  {row.cpu:6.1%}  {row.threads:>4}  {visible(' '.join(row.argv))[:120]}")
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
