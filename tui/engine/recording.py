"""Recordings: a session's event stream as JSON Lines, written as it happens and read back warily.

Line 1 is a header (format name, version, machine, creation time, `t0`); every other line is
one event in `events.encode` form, `t` in seconds since the session started, in the order
the session's sinks received them, which is the order the live fold applied them. So
folding a recording ends in the state the live run ended in.

A recording is data, never code: JSON only, and every line passes `events.decode` plus the
checks below, so a hostile or broken file gets one line (RecordingError) and costs bounded
memory and time: lines are read with a length cap and reading stops at the first bad one.

Recording can start mid-session (the TUI's R key). The file must then stand alone, so the
Recorder always watches the stream, keeps the live run's essentials (its RunStarted, each
worker's start, latest progress and end, the latest sample of each host, and the output
lines the panes and figures keep) and writes them first, with their original times; `t0`
in the header says when recording began, and a player applies the earlier events at once.
Runs that ended before recording began are not carried: a recording holds what was
recorded plus what the live run needs to make sense.
"""
from __future__ import annotations

import json
import multiprocessing
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from conctui.engine.events import (
    MAX_T,
    Event,
    EventError,
    Output,
    Progress,
    RunFinished,
    RunStarted,
    Sample,
    WorkerFinished,
    WorkerStarted,
    decode,
    dispatch,
    encode,
)
from conctui.engine.spec import UsageError
from conctui.engine.state import JSON_LINES, LOG_LINES
from conctui.engine.text import seconds
from conctui.engine.untrusted import from_bytes
from conctui.runner.info import python_info

FORMAT = "conctui-recording"
VERSION = 2  # 2: the GIL probe's share is probe_wait (events.RENAMED reads version 1)
MAX_LINE = 1 << 20  # bytes: the biggest real line (a sample of 4096 cores) is ~40 KB
MAX_SKEW_S = 5.0  # runner batches and samples come from different threads: t may step back a little
MAX_WORKER_SLOTS = 250_000  # summed over runs: a 150-byte line must not cost the fold gigabytes
MAX_MESSAGE = 300  # characters of an error message


class RecordingError(Exception):
    """A file that is not a recording we can replay: said in one line, exit code 2.

    The message may quote the file, so it is cut short and its control characters escaped:
    a hostile file must not break the line or send escape sequences to the terminal."""

    def __init__(self, message: str) -> None:
        text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message[:MAX_MESSAGE])
        super().__init__(text + ("..." if len(message) > MAX_MESSAGE else ""))


def machine() -> dict[str, Any]:
    """The recording machine: this interpreter's facts plus the platform's default start method."""
    return {**python_info().as_dict(), "default_start_method": multiprocessing.get_all_start_methods()[0]}


def header(t0: float) -> dict[str, Any]:
    return {"format": FORMAT, "version": VERSION, "t0": t0, "machine": machine(),
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}


def _line(data: dict[str, Any]) -> bytes:
    return (json.dumps(data, separators=(",", ":"), allow_nan=False) + "\n").encode()


class Prelude:
    """What the live run needs to stand alone in a recording begun mid-run, in arrival order."""

    def __init__(self) -> None:
        self._seq = 0
        self.t = 0.0  # latest event time seen
        self._samples: dict[str, tuple[int, Event]] = {}  # the latest of each host
        self._forget_run()

    def _forget_run(self) -> None:
        self._latest: dict[tuple, tuple[int, Event]] = {}  # the run's start; each worker's latest of a kind
        self._first_lines: dict[int, list[tuple[int, Event]]] = {}  # what the figures keep
        self._last_lines: deque[tuple[int, Event]] = deque(maxlen=LOG_LINES)  # what the log shows

    def see(self, event: Event) -> None:
        self._seq += 1
        self.t = max(self.t, event.t)
        self._item = (self._seq, event)
        if not dispatch(self, event):  # any other: the latest of its kind (per worker) is kept
            self._latest[(type(event).__name__, getattr(event, "index", None))] = self._item

    def handle_run_started(self, event: RunStarted) -> None:
        self._forget_run()  # a new run starts afresh
        self._latest[("run",)] = self._item

    def handle_run_finished(self, event: RunFinished) -> None:
        self._forget_run()  # a finished run is not carried

    def handle_sample(self, event: Sample) -> None:
        self._samples[event.host] = self._item

    def handle_output(self, event: Output) -> None:
        kept = self._first_lines.setdefault(event.index, [])
        if len(kept) < JSON_LINES:
            kept.append(self._item)
        self._last_lines.append(self._item)

    def prelude(self) -> list[Event]:
        items = dict(self._latest.values())
        items.update(self._samples.values())
        items.update(self._last_lines)
        for kept in self._first_lines.values():
            items.update(kept)
        return [items[seq] for seq in sorted(items)]


class Recorder:
    """A Session sink that writes the stream to a file while recording is on.

    Attach it for the whole session (it must see the live run to record from mid-run);
    `start` and `stop` may be called from any thread, between batches.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live = Prelude()
        self._file: IO[bytes] | None = None
        self.path: Path | None = None
        self.error: str | None = None  # why recording stopped by itself (a full disk)

    @classmethod
    def open(cls, path: str | Path) -> Recorder:
        """A recorder already recording to `path`: refused (UsageError) before anything runs."""
        recorder = cls()
        recorder.start(path)
        return recorder

    @property
    def recording(self) -> bool:
        return self._file is not None

    def start(self, path: str | Path) -> None:
        path = Path(path)
        with self._lock:
            if self._file is not None:
                raise UsageError(f"already recording to {self.path}")
            try:
                handle = open(path, "wb")  # noqa: SIM115 - kept open until stop()
            except OSError as exc:
                raise UsageError(f"cannot record to {path}: {exc.strerror or exc}") from None
            self._file, self.path, self.error = handle, path, None
            self._write([header(self._live.t)], self._live.prelude())
            if self._file is None:
                raise UsageError(self.error)

    def stop(self) -> None:
        with self._lock:
            self._close()

    def __call__(self, events: list[Event]) -> None:
        with self._lock:
            for event in events:
                self._live.see(event)
            if self._file is not None:
                self._write([], events)

    def _write(self, dicts: list[dict[str, Any]], events: list[Event]) -> None:
        """One write and flush per batch: a SIGKILLed run leaves every batch before it whole."""
        try:
            self._file.write(b"".join(_line(d) for d in dicts + [encode(e) for e in events]))
            self._file.flush()
        except (OSError, ValueError) as exc:
            self.error = f"recording to {self.path} stopped: {getattr(exc, 'strerror', None) or exc}"
            self._close()

    def _close(self) -> None:
        if self._file is not None:
            try:
                self._file.close()
            except OSError as exc:
                self.error = self.error or f"recording to {self.path} stopped: {exc.strerror or exc}"
            self._file = None


# ---- reading ------------------------------------------------------------------------------------

def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not a number")


def _parse(raw: bytes, where: str) -> Any:
    try:
        # a byte that is not UTF-8 inside a string is kept as a lone surrogate: the panes show it as \xNN
        return json.loads(from_bytes(raw), parse_constant=_no_constants)
    except (ValueError, RecursionError) as exc:
        raise RecordingError(f"{where} is not JSON: {str(exc).splitlines()[0][:120]}") from None


def _check_header(data: Any, path: str) -> dict[str, Any]:
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise RecordingError(f"{path} is not a conctui recording (line 1 should name {FORMAT!r})")
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise RecordingError(f"{path}: bad recording version {version!r}")
    if version > VERSION:
        raise RecordingError(f"{path} is recording format version {version}; this conctui reads "
                             f"version {VERSION}: upgrade conctui to replay it")
    t0 = data.get("t0", 0.0)
    if isinstance(t0, bool) or not isinstance(t0, (int, float)) or not 0 <= t0 <= MAX_T:
        raise RecordingError(f"{path}: header t0 {t0!r} is not a time")
    if not isinstance(data.get("machine"), dict):
        raise RecordingError(f"{path}: the header has no machine description")
    return {**data, "t0": float(t0)}


class Structure:
    """The checks one event cannot make alone: time order, worker events inside a run, sane facts."""

    def __init__(self) -> None:
        self.latest = 0.0
        self.worker_count: int | None = None  # the live run's, None between runs
        self.run_line = 0
        self.slots = 0
        self.where, self.line_no = "", 0  # the line being checked

    def check(self, event: Event, path: str, line_no: int) -> None:
        self.where, self.line_no = f"{path} line {line_no}", line_no
        if event.t < self.latest - MAX_SKEW_S:
            raise RecordingError(f"{self.where}: time {seconds(event.t, 3)} goes back from {seconds(self.latest, 3)}")
        self.latest = max(self.latest, event.t)
        dispatch(self, event)

    def handle_run_started(self, event: RunStarted) -> None:
        self.slots += event.workers
        if self.slots > MAX_WORKER_SLOTS:
            raise RecordingError(f"{self.where}: more than {MAX_WORKER_SLOTS} workers in all")
        self.worker_count, self.run_line = event.workers, self.line_no

    def handle_run_finished(self, event: RunFinished) -> None:
        if self.worker_count is None:
            raise RecordingError(f"{self.where}: a run ends that never started")
        self.worker_count = None

    def _worker_event(self, event: WorkerStarted | Progress | Output | WorkerFinished) -> None:
        if self.worker_count is None:
            raise RecordingError(f"{self.where}: a worker event outside any run")
        if event.index >= self.worker_count:
            raise RecordingError(f"{self.where}: worker {event.index} of a run of {self.worker_count}")

    handle_worker_started = handle_progress = handle_output = handle_worker_finished = _worker_event


class Reader:
    """Iterate a recording's events lazily (bounded memory); the header is read on creation.

    After iteration `note` says where an incomplete recording stopped (None if it ended
    between runs). A bad line raises RecordingError, except a last line cut short by a
    killed recorder (no newline, not JSON), which ends the replay with a note instead.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.note: str | None = None
        self.lines = 1
        try:
            self._file = open(path, "rb")  # noqa: SIM115 - closed by iteration or close()
        except OSError as exc:
            raise RecordingError(f"cannot read {path}: {exc.strerror or exc}") from None
        try:
            self.header = _check_header(self._next_line(), path)
        except BaseException:
            self._file.close()
            raise

    def close(self) -> None:
        self._file.close()

    def _next_line(self) -> Any:
        """The next line as JSON, or None at the end, or RecordingError / a note."""
        raw = self._file.readline(MAX_LINE + 1)
        where = f"{self.path} line {self.lines}"
        if not raw:
            if self.lines == 1:
                raise RecordingError(f"{self.path} is empty: not a conctui recording")
            return None
        if len(raw) > MAX_LINE:
            raise RecordingError(f"{where} is over 1 MiB: not a conctui recording")
        try:
            return _parse(raw, where)
        except RecordingError:
            if raw.endswith(b"\n") or self.lines == 1:
                raise
            self.note = (f"{where} is cut short (the recording was interrupted): "
                         f"replayed lines 1-{self.lines - 1}")
            return None

    def __iter__(self) -> Iterator[Event]:
        structure = Structure()
        with self._file:
            while True:
                self.lines += 1
                data = self._next_line()
                if data is None:
                    break
                try:
                    event = decode(data)
                except EventError as exc:
                    raise RecordingError(f"{self.path} line {self.lines}: {exc}") from None
                structure.check(event, self.path, self.lines)
                yield event
        if structure.worker_count is not None and self.note is None:
            self.note = (f"{self.path}: the recording ends at line {self.lines - 1} inside the run "
                         f"started at line {structure.run_line}")


@dataclass
class Recording:
    """A whole recording in memory, for the player (the TUI replay and exports)."""

    path: str
    header: dict[str, Any]
    events: list[Event]
    note: str | None

    @property
    def t0(self) -> float:
        return self.header["t0"]


def read_recording(path: str | Path) -> Recording:
    reader = Reader(str(path))
    events = list(reader)
    return Recording(str(path), reader.header, events, reader.note)
