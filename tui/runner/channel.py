"""Worker side of the event channel: a cheap report(), batched flushes, captured prints.

The one wire of every mode: events are built from the declaration in schema.py (checked as
they are made) and sent as one JSON list per flush through `send_bytes` (never pickle, so
any two Python versions understand each other): the runner's own pipe to the app, a child
process's or a sub-interpreter's pipe to the runner (relayed unparsed, see relay.py), or a
Dask worker's `log_event`. The same Outbox and CapturedOutput run in every one of them.
"""
from __future__ import annotations

import codecs
import contextvars
import functools
import io
import json
import math
import sys
import threading
import time
from array import array
from collections.abc import Callable
from typing import Any

from .gil_constants import free_threaded_build
from .schema import Event, Output, Progress, WorkerFinished, WorkerStarted, dispatch, encode

FLUSH_S = 0.02
MAX_LINES_PER_WORKER = 10_000
SENT_AT_ONCE = 100  # a worker's first lines skip the timer (~30 us each): they survive an os._exit
MAX_LINE_CHARS = 1_000
# How a batch says a worker started or ended, found in relayed bytes without parsing them: a
# quote inside a JSON string is always escaped (\"), so these bytes only ever match the key
# itself, as json.dumps writes it with its default separators (flush() below).
STARTED_MARK = b'"type": "worker_started"'
FINISHED_MARK = b'"type": "worker_finished"'

current_worker: contextvars.ContextVar = contextvars.ContextVar("conctui_worker", default=None)


class Cancelled(BaseException):
    """Raised in a worker's thread once the run is cancelled (an asynchronous exception, or
    its next report() where those are not available).

    A BaseException, so a workload's `except Exception` does not swallow it."""


@functools.cache
def _async_raiser() -> Callable[[int, Any], int] | None:
    """CPython's PyThreadState_SetAsyncExc: raise an exception in another thread at its next
    bytecode (None clears a pending one). None where there is no such call (no ctypes, PyPy).
    Looked up once, by the first Outbox that may cancel this way: a worker process, which never
    does, is spared importing ctypes (~2 ms)."""
    try:
        import ctypes

        call = ctypes.pythonapi.PyThreadState_SetAsyncExc
    except (ImportError, AttributeError):
        return None
    call.argtypes = (ctypes.c_ulong, ctypes.c_void_p)  # a pointer, so None passes NULL (clear), not Py_None

    def raise_in(ident: int, exc: Any) -> int:
        return call(ident, None if exc is None else id(exc))  # CPython: id() is the address; exc lives on

    return raise_in


# a GIL makes array.append and `del cells[:n]` atomic against each other; without one, each
# worker stores into a single fixed cell (no resize) instead
GROWING_CELLS = not free_threaded_build()


class StopFlag:
    """Like threading.Event's set()/is_set(), but report() reads `.up`, a plain attribute: the
    method call of Event.is_set() was half of report()'s cost (bench/reporter.py)."""

    __slots__ = ("up",)

    def __init__(self) -> None:
        self.up = False

    def set(self) -> None:
        self.up = True

    def is_set(self) -> bool:
        return self.up


class Outbox:
    """Collects events from any thread and sends them as one JSON batch per flush.

    report() is a C method with no Python frame: the `append` of the worker's own
    `array('d')`, which refuses a non-number in the worker's own line. Counted by valgrind
    (bench/reporter.py), it costs a tight loop about what a no-op Python call does (a C call
    cannot cost less than the call itself); the Python function it replaces, with its stop
    flag and float(), cost twice that; `partial(array.__setitem__, 0)` costs more still (the
    partial and the slot wrapper). The flusher takes each array's last value on its timer and
    empties it, so an array holds at most one flush interval of reports and the pipe carries
    at most one progress event per worker per flush. Free-threaded builds (no GIL to make
    append and delete atomic) store into a fixed one-value array instead. Cancellation comes
    by another path: an asynchronous exception in each worker thread inside its workload
    (`cancel`); child processes are ended by their runner.
    """

    def __init__(self, send_bytes: Callable[[bytes], None], t0: float, daemon: bool = True,
                 cancelled: Callable[[], bool] | None = None, killed: bool = False) -> None:
        """`t0`: the session's start on the monotonic clock, so every process stamps the same time;
        `daemon=False` where daemon threads are refused (sub-interpreters); `cancelled`, asked at
        each flush, sets the stop flag once it says True (a sub-interpreter's cancel pipe);
        `killed`: its runner ends this process instead of cancelling it (a worker process), so
        nothing here raises in a thread or polls the stop flag."""
        self._send_bytes = send_bytes
        self._cancelled = cancelled
        self.t0 = t0
        self.stop = StopFlag()
        self._raise_in = None if killed else _async_raiser()
        self._polls = not killed and self._raise_in is None  # report() checks the stop flag
        self._lock = threading.Lock()
        self._sending = threading.Lock()  # one batch on the wire at a time, so batches keep their order
        self._events: list[Event] = []
        self._cells: dict[int, array] = {}  # each worker's reports since the last flush
        self._sent: dict[int, float] = {}  # each worker's last fraction on the wire
        self._inside: dict[int, int] = {}  # worker -> thread ident, while it runs its workload
        self._lines: dict[int, int] = {}
        self._dropped: dict[int, int] = {}
        self.started: set = set()  # workers whose start was reported
        self.finished: set = set()  # workers whose end was reported: the others went silent
        self.changed_names: set = set()  # globals some worker saw change in its own memory
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._flush_loop, name="conctui-flush", daemon=daemon)

    def start(self) -> Outbox:
        self._thread.start()
        return self

    def now(self) -> float:
        return round(time.monotonic() - self.t0, 6)

    def emit(self, kind: type, /, **fields: Any) -> None:
        """Build one event of class `kind` stamped now (checked: a wrong field fails here) and queue it."""
        if kind is WorkerFinished:
            index = fields["index"]
            with self._lock:
                fields["dropped"] = self._dropped.get(index, 0)  # lines past the cap, never sent
        self.queue(kind(t=self.now(), **fields))

    def queue(self, event: Event) -> None:
        """Queue an event already built (and stamped), by this process or relayed from another."""
        with self._lock:
            dispatch(self, event)
            self._events.append(event)

    def handle_worker_started(self, event: WorkerStarted) -> None:
        self.started.add(event.index)

    def handle_worker_finished(self, event: WorkerFinished) -> None:
        self.finished.add(event.index)
        self.changed_names.update(event.memory or ())
        # progress reported before the finish must reach the app before it
        self._events.extend(self._changed_progress([event.index]))

    def silent(self, index: int, status: str, error: str, exitcode: int | None = None,
               wall_s: float | None = None, cpu_s: float | None = None) -> None:
        """The one place a worker that went silent (its pipe closed, its task or thread never
        reported an end) is said to have ended, with why; nothing if it did report its end."""
        if index not in self.finished:
            self.emit(WorkerFinished, index=index, status=status, error=error, exitcode=exitcode,
                      wall_s=wall_s, cpu_s=cpu_s)

    def relay(self, index: int, batch: bytes) -> None:
        """Pass on, unparsed, a batch that worker `index`'s own Outbox made in another process or
        interpreter (its events are already checked and on the session's clock). What this
        Outbox holds goes first: the run's start must reach the app before its workers do."""
        with self._sending:
            self._send(self._take())
            self._send_bytes(batch)
        with self._lock:
            if STARTED_MARK in batch:
                self.started.add(index)
            if FINISHED_MARK in batch:  # its last batch: the one parse of a relayed worker
                self.finished.add(index)
                for data in json.loads(batch):
                    if data["type"] == "worker_finished":
                        self.changed_names.update(data.get("memory") or ())

    def emit_now(self, kind: type, /, **fields: Any) -> None:
        """Emit and send at once, for what a worker that dies right after must not take with it."""
        self.emit(kind, **fields)
        try:
            self.flush()
        except (OSError, ValueError):
            pass  # the reader is gone: the worker must not fail for it

    def reporter(self, index: int) -> Callable[[float], None]:
        """The worker's report(fraction). The array refuses a non-number at the call, so
        report("half") fails in the worker that made the mistake, not later in the flusher
        (where it would stop the stream for everyone)."""
        cells = self._cells.setdefault(index, array("d") if GROWING_CELLS else array("d", [math.nan]))
        store = cells.append if GROWING_CELLS else functools.partial(cells.__setitem__, 0)
        if not self._polls:
            return store
        stop = self.stop

        def report(fraction: float) -> None:  # no asynchronous exceptions here: stop at a report
            if stop.up:
                raise Cancelled()
            store(fraction)

        return report

    def enter(self, index: int) -> None:
        """The calling thread runs worker `index`'s workload until `leave`: `cancel` may raise
        Cancelled in it anywhere in between."""
        with self._lock:
            if self.stop.up:
                raise Cancelled()
            self._inside[index] = threading.get_ident()

    def leave(self, index: int) -> None:
        """The workload returned (or raised). A Cancelled fired at it but not yet raised is
        dropped here, so it cannot land in the code that reports how the worker ended; one
        raised before this line reaches the caller as the worker's cancellation."""
        with self._lock:
            if self._inside.pop(index, None) is None and self._raise_in is not None:
                self._raise_in(threading.get_ident(), None)

    def cancel(self) -> None:
        """Stop every worker: the flag for modes that poll it, and Cancelled raised in every
        worker thread of this process now inside its workload (at its next bytecode: a thread
        blocked in a C call, such as sleep, raises when that call returns)."""
        with self._lock:
            self.stop.set()
            if self._raise_in is not None:
                for ident in self._inside.values():
                    self._raise_in(ident, Cancelled)
                self._inside.clear()

    def output(self, index: int, line: str) -> None:
        """One printed line of a worker. The first SENT_AT_ONCE are sent at once, so the last
        words before an os._exit or a segfault are not lost with the batch; later ones are
        batched, so a flood is not slowed; past the cap lines are counted, not sent."""
        with self._lock:
            count = self._lines.get(index, 0)
            if count >= MAX_LINES_PER_WORKER:
                self._dropped[index] = self._dropped.get(index, 0) + 1
                return
            self._lines[index] = count + 1
        if count < SENT_AT_ONCE:
            self.emit_now(Output, index=index, line=line[:MAX_LINE_CHARS])
        else:
            self.emit(Output, index=index, line=line[:MAX_LINE_CHARS])

    def _changed_progress(self, indices: Any) -> list[Progress]:
        """A progress event for each of these workers whose reported fraction changed since
        the last one sent (a value stored meanwhile goes at the next flush). Under the lock."""
        events = []
        for index in indices:
            fraction = _take_latest(self._cells.get(index))
            if fraction == fraction and fraction != self._sent.get(index):  # NaN: nothing new
                self._sent[index] = fraction
                events.append(Progress(self.now(), index, min(1.0, max(0.0, fraction))))
        return events

    def _take(self) -> list[Event]:
        with self._lock:
            batch, self._events = self._events, []
            batch.extend(self._changed_progress(list(self._cells)))
        return batch

    def _send(self, batch: list[Event]) -> None:
        if batch:
            self._send_bytes(json.dumps([encode(event) for event in batch]).encode())

    def flush(self) -> None:
        with self._sending:
            self._send(self._take())

    def _flush_loop(self) -> None:
        while not self._closed.wait(FLUSH_S):
            if self._cancelled is not None and not self.stop.up and self._cancelled():
                self.cancel()
            try:
                self.flush()
            except (OSError, ValueError):
                return  # the reader is gone; the process is being torn down

    def close(self) -> None:
        self._closed.set()
        if self._thread.ident is not None and self._thread is not threading.current_thread():
            self._thread.join(1.0)  # a non-daemon flusher must end before its interpreter does
        self.flush()


def _take_latest(cells: array | None) -> float:
    """The last value reported into `cells` (NaN if none), emptying a growing array up to it:
    a value appended meanwhile stays for the next flush."""
    if cells is None or not cells:
        return math.nan
    if not GROWING_CELLS:
        return cells[0]
    count = len(cells)
    latest = cells[count - 1]
    del cells[:count]
    return latest


def _redrawn(text: str) -> str:
    """What a terminal shows of text redrawn with carriage returns (a progress bar): the part
    after the last CR that is not its final character (a final CR means "redraw next")."""
    return text[text.rfind("\r", 0, len(text) - 1) + 1:]


def _shown_line(line: str) -> str:
    return _redrawn(line.rstrip("\r"))  # a CRLF line ending is not a redraw


class CapturedOutput(io.TextIOBase):
    """Stands in for sys.stdout/stderr: lines printed by a worker become output events.

    The worker is found from a context variable, so it works for threads and asyncio tasks
    alike; text printed outside any worker goes to the real stream (a file, never a tty).
    The unfinished line kept per worker is bounded (redrawn with CRs, cut at MAX_LINE_CHARS),
    so a progress bar written a million times costs the worker no more than a print.
    """

    def __init__(self, outbox: Outbox, fallback: Any) -> None:
        self._outbox = outbox
        self._fallback = fallback
        self._partial: dict[int, str] = {}
        self._decoders: dict[int, codecs.IncrementalDecoder] = {}  # per worker: a UTF-8 character may span writes
        self._lock = threading.Lock()
        self.buffer = CapturedBytes(self)  # sys.stdout.buffer.write(b"...") works as on a real stdout

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        index = current_worker.get()
        if index is None:
            return self._fallback.write(text)
        with self._lock:
            pending = self._partial.pop(index, "") + text
            *lines, rest = pending.split("\n")
            rest = _redrawn(rest)[:MAX_LINE_CHARS + 1]
            if rest:
                self._partial[index] = rest
        for line in lines:
            self._outbox.output(index, _shown_line(line))
        return len(text)

    def write_bytes(self, data: bytes) -> int:
        """Bytes a worker wrote to the binary buffer, decoded as the untrusted-text boundary
        decodes bytes (UTF-8; a byte that is not UTF-8 kept as a lone surrogate, which the
        panes show as `\\xNN`), then the same line discipline as text."""
        index = current_worker.get()
        if index is None:
            fallback = getattr(self._fallback, "buffer", None)
            if fallback is not None:
                return fallback.write(data)
            self._fallback.write(bytes(data).decode("utf-8", "backslashreplace"))
            return len(data)
        with self._lock:
            decoder = self._decoders.get(index)
            if decoder is None:
                decoder = self._decoders[index] = codecs.getincrementaldecoder("utf-8")("surrogateescape")
            text = decoder.decode(bytes(data))
        self.write(text)
        return len(data)

    def finish(self, index: int) -> None:
        """Send what a worker printed without a final newline (and bytes of a character it never finished)."""
        with self._lock:
            decoder = self._decoders.pop(index, None)
            tail = decoder.decode(b"", final=True) if decoder is not None else ""
            rest = _shown_line(self._partial.pop(index, "") + tail)
        if rest:
            self._outbox.output(index, rest)

    def flush(self) -> None:
        self._fallback.flush()


class CapturedBytes(io.BufferedIOBase):
    """The `.buffer` of a CapturedOutput (or of Dask's router to one): what a worker writes
    here joins its printed lines."""

    def __init__(self, text: Any) -> None:  # a text stream with write_bytes()
        self._text = text

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:  # bytes, bytearray or memoryview, as a real buffer takes
        return self._text.write_bytes(data)

    def flush(self) -> None:
        self._text.flush()


def capture_prints(outbox: Outbox) -> CapturedOutput:
    """One stream for both: a worker's stdout and stderr lines interleave as printed."""
    out = CapturedOutput(outbox, sys.__stderr__)
    sys.stdout = sys.stderr = out
    return out
