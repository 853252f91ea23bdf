"""`conctui watch`: the headless command (the TUI's is in watch_app.py). Moves into the cli package."""
from __future__ import annotations

import argparse
import json
import signal
import sys
import threading

from conctui.engine.untrusted import visible
from conctui.engine.watch.model import WatchModel
from conctui.engine.watch.target import BadTarget


def add_watch_parser(commands: argparse._SubParsersAction) -> None:
    watch = commands.add_parser("watch", help="watch a running Python program, or start one: threads, processes, GIL",
                                description="watch PID, or watch -- CMD [ARGS...]; no target lists Python processes")
    watch.add_argument("target", nargs="?", help="pid of a running Python program (or -- CMD [ARGS...] last)")
    watch.add_argument("--json", action="store_true", help="headless: print one JSON document at the end")
    watch.add_argument("--duration", type=float, default=None, help="seconds to watch headless (default 10)")
    watch.add_argument("--record", metavar="FILE", help="record the watch (replay and export play it)")
    watch.add_argument("--refresh", type=float, default=1.0, metavar="HZ", help="figures a second (default 1)")


def split_command(argv: list[str]) -> tuple[list[str], list[str] | None]:
    """`watch [OPTIONS] -- CMD ARGS`: (what argparse reads, CMD ARGS), or (argv, None) without `--`.
    The command's own options (`--json` of the program) must never reach conctui's parser."""
    if "--" not in argv:
        return argv, None
    at = argv.index("--")
    return argv[:at], argv[at + 1:]


def parse_target(args: argparse.Namespace) -> tuple[int | None, list[str] | None]:
    """(pid, None), (None, argv) or (None, None); BadTarget for what cannot be either."""
    command = getattr(args, "command", None)
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

    if args.refresh <= 0 or args.refresh > 60:
        print("conctui watch: --refresh must be between 0 and 60 Hz", file=sys.stderr)
        return 2
    try:
        pid, argv = parse_target(args)
        if pid is None and argv is None:
            return list_pythons(args.json)
        model = WatchModel()
        sinks = [model.fold]
        recorder = None
        if args.record:
            from conctui.engine.recording import Recorder

            recorder = Recorder.open(args.record)
            sinks.append(recorder)
        stop = threading.Event()
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(number, lambda *_: stop.set())
        session = WatchSession(sinks, pid=pid, argv=argv, refresh_hz=args.refresh)
    except BadTarget as exc:
        print(f"conctui watch: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - UsageError of --record and the like: one line
        if type(exc).__name__ != "UsageError":
            raise
        print(f"conctui watch: {exc}", file=sys.stderr)
        return 2
    try:
        duration = 10.0 if args.duration is None else args.duration
        deadline = session.t0 + duration
        import time

        while not stop.is_set() and not session.ended() and time.monotonic() < deadline:
            session.wait(min(0.1, max(0.0, deadline - time.monotonic())))
    finally:
        session.stop()
        if recorder is not None:
            recorder.stop()
    if args.json:
        print(json.dumps(model.document(), indent=1, ensure_ascii=False))
    else:
        from conctui.engine.watch.text import summary

        print(summary(model))
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


def run(argv: list[str]) -> int:
    """`conctui watch ...` on its own parser (until the cli package takes the subcommand)."""
    before, command = split_command(argv)
    parser = argparse.ArgumentParser(prog="conctui")
    add_watch_parser(parser.add_subparsers(dest="subcommand"))
    args = parser.parse_args(["watch", *before])
    args.command = command
    return cmd_watch(args)


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
