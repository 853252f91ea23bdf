"""Headless sessions: runs one after another on one Session, and the signals that end them.

Ctrl+C, SIGTERM and SIGHUP cancel the live run and reap it (the caller exits 128 + signal);
outside a run they unwind the command, so whatever it started is reaped on the way out.
"""
from __future__ import annotations

import argparse
import signal
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from conctui.cli.progress import LiveProgress
from conctui.engine.events import Event
from conctui.engine.figures import run_figures
from conctui.engine.recording import Recorder
from conctui.engine.session import Fold, Session
from conctui.engine.spec import RunSpec
from conctui.engine.untrusted import visible

EXIT_FAILED, EXIT_TIMEOUT = 1, 124
SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(Exception):
    """Ctrl+C, SIGTERM or SIGHUP outside a live run (say, while the workload loads)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def interrupt(signum: int, frame: Any) -> None:
    raise Interrupted(signum)


@contextmanager
def on_signals(handler: Callable[[int, Any], None]) -> Iterator[None]:
    previous = {sig: signal.signal(sig, handler) for sig in SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextmanager
def _signals_cancel(session: Session) -> Iterator[list[int]]:
    """Ctrl+C, SIGTERM and SIGHUP cancel the live run; the caller exits 128 + signal."""
    caught: list[int] = []

    def handler(signum: int, frame: Any) -> None:
        caught.append(signum)
        session.stop()

    with on_signals(handler):
        yield caught


def run_all(specs: list[RunSpec], timeout: float | None, recorder: Recorder | None = None,
            after_each: Callable[[list[dict]], None] | None = None,
            opening: Callable[[float], list[Event]] | None = None,
            progress: str | None = None) -> tuple[list[dict], int | None]:
    """Run specs one after another; stop early on a signal. Returns figures and the signal;
    `after_each` is given the figures so far after every run; `opening` makes the events that
    open the stream (a sweep's plan), given the session's clock; `progress`, the command whose
    live line stderr shows where it is a terminal."""
    fold = Fold()
    live = LiveProgress.wanted(progress, fold.state, len(specs)) if progress else None
    sinks = [fold, *([live] if live else []), *([recorder] if recorder else [])]
    session = Session(sinks).start_sampling()
    if opening:
        session.emit(opening(time.monotonic() - session.t0))
    with _signals_cancel(session) as caught:
        try:
            for spec in specs:
                session.run(spec, timeout)  # returns at once once a signal stopped the session
                if caught:
                    break
                if after_each:
                    after_each([run_figures(run) for run in fold.state.runs])
        finally:
            session.close()
            if live:
                live.close()
            if recorder:
                recorder.stop()
    if recorder and recorder.error:
        print(f"conctui: {visible(recorder.error)}", file=sys.stderr)
    return [run_figures(run) for run in fold.state.runs], (caught[0] if caught else None)


def recorder_for(args: argparse.Namespace) -> Recorder | None:
    """Open --record's file now: an unwritable path fails before any worker runs."""
    return Recorder.open(args.record) if args.record else None


def exit_code(runs: list[dict], caught: int | None) -> int:
    if caught is not None:
        return 128 + caught
    if any(r["status"] == "timeout" for r in runs):
        return EXIT_TIMEOUT
    return EXIT_FAILED if any(r["status"] != "done" for r in runs) else 0

