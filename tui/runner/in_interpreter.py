"""What runs inside one sub-interpreter: load the workload by path, call it once, report.

Nothing crosses from the runner but text (the code string) and two file descriptors:
records go out through an OS pipe written with os.write, one text line each, so nothing
here needs a module that refuses sub-interpreters:
`p FRACTION` (or `p -`), `o JSON-STRING` (a printed line), `f JSON-OBJECT` (how it ended).
The runner cancels by closing the write end of the `cancel_fd` pipe: a read then gives b"".
"""
from __future__ import annotations

import io
import json
import os
import sys
import time
from typing import Any

from .channel import MAX_LINE_CHARS, Cancelled
from .crossing import FdConnection, PickledEnd, Refused
from .loader import load
from .memory import changes, snapshot
from .work import call_rounds, crossing_figures, describe_exception

REPORT_EVERY_S = 0.02


class Pipe:
    """The worker's end of its record pipe."""

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def send(self, kind: str, payload: str) -> None:
        data = ("%s %s\n" % (kind, payload)).encode()
        while data:
            data = data[os.write(self.fd, data):]


class Reporter:
    """report(fraction): keeps the latest value, sends it at most every REPORT_EVERY_S,
    and raises Cancelled once the runner closed the cancel pipe."""

    def __init__(self, pipe: Pipe, cancel_fd: int) -> None:
        self.pipe = pipe
        self.cancel_fd = cancel_fd
        self.sent_at = 0.0
        self.latest: Any = None
        self.pending = False

    def __call__(self, fraction: float | None = None) -> None:
        self.latest, self.pending = fraction, True
        now = time.monotonic()
        if now - self.sent_at >= REPORT_EVERY_S:
            self.sent_at = now
            self.flush()
            try:
                if os.read(self.cancel_fd, 1) == b"":
                    raise Cancelled()
            except BlockingIOError:
                pass  # still open: carry on

    def flush(self) -> None:
        if self.pending:
            self.pending = False
            self.pipe.send("p", "-" if self.latest is None else repr(float(self.latest)))


class Lines(io.TextIOBase):
    """This sub-interpreter's sys.stdout and sys.stderr: each printed line becomes an `o` record."""

    def __init__(self, pipe: Pipe) -> None:
        self.pipe = pipe
        self.partial = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        *lines, self.partial = (self.partial + text).split("\n")
        for line in lines:
            self.pipe.send("o", json.dumps(line[:MAX_LINE_CHARS]))
        return len(text)

    def finish(self) -> None:
        if self.partial:
            self.write("\n")


def main(record_fd: int, cancel_fd: int, index: int, ref_json: str, values: tuple) -> None:
    """One worker's life inside its sub-interpreter; always ends with an `f` record.

    `values`: (fd to read arguments from, fd to write return values to, size limit): each
    call's arguments and return value are pickled through those pipes (crossing.py)."""
    pipe = Pipe(record_fd)
    lines = Lines(pipe)
    sys.stdout = sys.stderr = lines
    report = Reporter(pipe, cancel_fd)
    transport = PickledEnd(FdConnection(values[0], values[1]), values[2])
    start, cpu0 = time.monotonic(), time.thread_time()
    status, error, memory = "done", None, None
    try:
        workload = load(json.loads(ref_json))
        before = snapshot(workload.module)
        try:
            call_rounds(workload, index, report, transport)
        finally:
            memory = changes(before, snapshot(workload.module))
    except Cancelled:
        status = "cancelled"
    except Refused as exc:
        status, error = "failed", str(exc)
    except BaseException as exc:  # an import refused here, os.fork, a daemon thread: the worker's failure
        status, error = "failed", describe_exception(exc)
    lines.finish()
    report.flush()
    pipe.send("f", json.dumps({"status": status, "error": error, "wall_s": round(time.monotonic() - start, 6),
                               "cpu_s": round(time.thread_time() - cpu0, 6),
                               "ipc": crossing_figures(transport.figures), "memory": memory}))
