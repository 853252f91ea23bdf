"""The app's side of a runner process: start it, read its events, cancel it, reap it.

The runner is started by file path under the chosen Python, in a session of its own (so a
terminal's Ctrl+C reaches only the app, which then cancels cleanly), with a duplex
multiprocessing pipe as its only channel. Its stdout and stderr go to a temporary file:
nothing a worker writes, even with os.write(1, ...), can reach the screen.
"""
from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import IO

from conctui import runner
from conctui.engine.events import (
    Event,
    EventError,
    PythonInfo,
    RunFinished,
    RunStarted,
    WorkerFinished,
    WorkerStarted,
    decode,
    dispatch,
)
from conctui.engine.spec import RunSpec, UsageError, WorkloadRef
from conctui.engine.untrusted import from_bytes
from conctui.runner.describe import answer_describe
from conctui.runner.exits import exit_reason
from conctui.runner.request import DescribeRequest, RunnerInfo, to_bytes

BOOT = Path(runner.__file__).with_name("boot.py")
MIN_PYTHON = (3, 9)
KILL_AFTER_S = 1.5
WAIT_SLICE_S = 0.1  # the longest a signal waits for the main thread to run its handler
Sink = Callable[[list[Event]], None]  # a consumer of the stream, given each batch in order


def check_python(python: str) -> None:
    """Refuse a path that is not a Python we can run the runner under, in one line."""
    probe = "import sys; sys.stdout.write('%d.%d' % sys.version_info[:2])"
    try:
        done = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=20)
    except FileNotFoundError:
        raise UsageError(f"no such interpreter: {python}") from None
    except PermissionError:
        raise UsageError(f"not executable: {python}") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise UsageError(f"cannot run {python}: {exc}") from None
    try:
        version = tuple(int(part) for part in done.stdout.split("."))
    except ValueError:
        version = ()
    if done.returncode != 0 or len(version) != 2:
        said = (done.stderr.strip().splitlines() or [""])[-1][:200]
        why = exit_reason(done.returncode) if done.returncode else "it ran but did not tell its version"
        raise UsageError(f"{python} is not a working Python interpreter ({why}{': ' + said if said else ''})")
    if version < MIN_PYTHON:
        floor = ".".join(map(str, MIN_PYTHON))
        raise UsageError(f"{python} is Python {version[0]}.{version[1]}: conctui needs {floor} or newer")


def _environment(python_gil: str | None) -> dict[str, str] | None:
    """The runner's environment: ours, with PYTHON_GIL set when the choice names the GIL's state
    (a free-threaded build listed twice: the same binary with the GIL on and off)."""
    return None if python_gil is None else {**os.environ, "PYTHON_GIL": python_gil}


def _start(python: str, python_gil: str | None = None) -> tuple[subprocess.Popen, Connection, IO[bytes]]:
    ours, theirs = multiprocessing.Pipe(duplex=True)
    log = tempfile.TemporaryFile(prefix="conctui-runner-")
    try:
        process = subprocess.Popen(
            [python, str(BOOT), str(theirs.fileno())], pass_fds=[theirs.fileno()],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True,
            env=_environment(python_gil),
        )
    except OSError as exc:
        raise UsageError(f"cannot start {python}: {exc}") from None
    finally:
        theirs.close()
    return process, ours, log


def _tail(log: IO[bytes], lines: int = 3) -> str:
    log.seek(0)
    text = from_bytes(log.read()[-4000:]).strip().splitlines()  # a byte that is not UTF-8 is shown, not lost
    return " | ".join(text[-lines:])


def describe(python: str, ref: WorkloadRef | None, params: dict | None = None,
             scheduler: str | None = None, connect_timeout: float = 10.0, python_gil: str | None = None) -> RunnerInfo:
    """Ask a runner under `python` what it is, whether it can load `ref`, and (given a Dask
    scheduler) whether that scheduler answers: all user mistakes, said before any run.

    A built-in under this very interpreter is described here, without starting a process
    (bench/startup.py): its modules are the runner's own stdlib code. User code is only
    ever imported in a runner."""
    request = DescribeRequest(ref.payload(params or {}) if ref else None, scheduler, connect_timeout)
    if python == sys.executable and (ref is None or ref.builtin) and not scheduler and python_gil is None:
        return _answer(answer_describe(request))
    return _answer(_ask_runner(python, request, python_gil))


_FOOTPRINTS: dict[tuple[str, str, str], int | None] = {}


def child_footprint(spec: RunSpec) -> int | None:
    """Bytes a worker child of `spec` costs: the peak size of a runner that loaded its workload
    under its Python (measured once per Python, workload and parameters); None where the OS does not say."""
    key = (spec.python, spec.workload.text, json.dumps(spec.params, sort_keys=True, default=str))
    if key not in _FOOTPRINTS:
        request = DescribeRequest(spec.workload.payload(spec.params), None, spec.connect_timeout)
        _FOOTPRINTS[key] = _answer(_ask_runner(spec.python, request, spec.python_gil)).peak_rss_bytes
    return _FOOTPRINTS[key]


def _ask_runner(python: str, request: DescribeRequest, python_gil: str | None = None) -> RunnerInfo:
    """Start a runner under `python` (with PYTHON_GIL if given), send it one request and return its one reply."""
    process, conn, log = _start(python, python_gil)
    replied = False
    with log:
        try:
            conn.send_bytes(to_bytes(request))
            if not conn.poll(60):
                raise UsageError(f"{python}: the runner did not answer within 60 s")
            reply = conn.recv_bytes()
            replied = True
        except (EOFError, OSError):
            process.wait()
            raise UsageError(f"{python}: the runner {exit_reason(process.returncode)}: {_tail(log)}") from None
        finally:
            conn.close()
            # answered, it ends on its own; not (a signal came while it loaded the workload,
            # which reads no command meanwhile), it is killed now rather than in 1.5 s
            _reap(process, KILL_AFTER_S if replied else 0)
    try:
        return RunnerInfo.from_json("runner info", json.loads(reply))
    except (EventError, ValueError) as exc:
        raise UsageError(f"the runner described itself wrongly: {exc}") from None


def _answer(info: RunnerInfo) -> RunnerInfo:
    """The runner's description, or its error (the user's mistake) as one line."""
    if info.error is not None:
        raise UsageError(info.error)
    return info


def _reap(process: subprocess.Popen, timeout: float = KILL_AFTER_S) -> None:
    """Wait for the runner (killed past the timeout), then kill what is left of its process
    group: a worker's own children (`subprocess.run(["curl", ...])`) outlive a terminated worker."""
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)  # the group is the runner's session: nothing else
    except (ProcessLookupError, PermissionError):
        pass  # nothing was left
    process.wait()


class RunnerProcess:
    """One run in one runner process. Events reach `sink` in batches from a reader thread.

    Start it from a thread that outlives the run (the main thread): on Linux the runner
    asks the kernel to kill it when the thread that started it ends.
    """

    def __init__(self, spec: RunSpec, run_id: int, session_t0: float, sink: Sink,
                 on_worker: Callable[[WorkerStarted], None] | None = None) -> None:
        self.spec = spec
        self.run_id = run_id
        self.session_t0 = session_t0
        self.sink = sink
        self.on_worker = on_worker
        self.done = threading.Event()
        self.pid: int | None = None
        self.process: subprocess.Popen | None = None
        self._run_t: float | None = None  # when the runner said run_started
        self._started: set[int] = set()
        self._finished: set[int] = set()
        self._seen_end = False
        self._lock = threading.RLock()  # re-entrant: a signal handler may cancel from inside start()
        self._conn: Connection | None = None
        self._cancel: str | None = None  # the reason of a cancel asked for; sent once the runner is spoken to
        self._cancel_sent = False

    def start(self, before_reading: Callable[[int], None] = lambda pid: None) -> None:
        """Start the runner and its reader; `before_reading(pid)` runs before any event can arrive.
        A runner that cannot be started or spoken to is reaped and said in one line (UsageError)."""
        self.process, conn, self._log = _start(self.spec.python, self.spec.python_gil)
        self.pid = self.process.pid
        try:
            try:
                conn.send_bytes(to_bytes(self.spec.request(self.run_id, self.session_t0)))
            except OSError as exc:
                raise UsageError(f"cannot talk to the runner under {self.spec.python}: {exc}") from None
            with self._lock:
                self._conn = conn  # from here on a cancel goes to the runner at once
                pending = self._cancel
            if pending:
                self.cancel(pending)  # asked for while the runner was starting: its workers may already run
            before_reading(self.pid)
            threading.Thread(target=self._read, name="conctui-reader", daemon=True).start()
        except BaseException:  # no reader will reap it: do it here, and end as a run that never started
            conn.close()
            self._log.close()
            _reap(self.process, 0)
            self.done.set()
            raise

    def cancel(self, reason: str = "cancelled") -> None:
        """Ask the runner to stop; it is killed (with its children) if it has not within 1.5 s.
        Asked for before the runner was spoken to, it is sent as soon as it is; asked twice, once."""
        with self._lock:
            self._cancel = self._cancel or reason
            if self._conn is None or self._cancel_sent:
                return
            self._cancel_sent = True
            conn = self._conn
        try:
            conn.send_bytes(json.dumps({"cmd": "cancel", "reason": self._cancel}).encode())
        except (OSError, ValueError):
            pass
        threading.Thread(target=_reap, args=(self.process,), daemon=True).start()

    def kill(self) -> None:
        if self.process is not None:  # None: not started yet, nothing to kill
            _reap(self.process, 0)

    def wait(self, timeout: float | None = None) -> bool:
        """Until the runner is reaped, or `timeout`. In slices: the kernel may hand a Ctrl+C or a
        SIGTERM to any of conctui's threads, and then an untimed wait in the main thread is never
        woken to run the handler that cancels the run (seen under load: `conctui run` hung)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.done.wait(WAIT_SLICE_S if deadline is None else
                                 max(0.0, min(WAIT_SLICE_S, deadline - time.monotonic()))):
            if deadline is not None and time.monotonic() >= deadline:
                return False
        return True

    def _now(self) -> float:
        return time.monotonic() - self.session_t0

    def _convert(self, raw: dict) -> Event:
        """Decode one event (already on the session's clock: the request gave the runner its t0)."""
        event = decode(raw)
        dispatch(self, event)
        return event

    def handle_run_started(self, event: RunStarted) -> None:
        self._run_t = event.t

    def handle_worker_started(self, event: WorkerStarted) -> None:
        self._started.add(event.index)
        if self.on_worker:
            self.on_worker(event)

    def handle_worker_finished(self, event: WorkerFinished) -> None:
        self._finished.add(event.index)

    def handle_run_finished(self, event: RunFinished) -> None:
        self._seen_end = True

    def _read(self) -> None:
        try:
            while True:
                try:
                    data = self._conn.recv_bytes()
                except (EOFError, OSError):
                    break
                try:
                    self.sink([self._convert(raw) for raw in json.loads(data)])
                except (EventError, ValueError) as exc:
                    self._crash(f"runner sent a bad event: {exc}")
                    self.kill()
                    return
            _reap(self.process, 5)
            if not self._seen_end and self._cancel_sent and self.process.returncode == -signal.SIGKILL:
                # killed by the cancel's reaper: it had not stopped (a runner still loading reads no command)
                self._crash(f"did not stop within {KILL_AFTER_S:g} s of the cancel: the runner was killed",
                            self._cancel)
            elif not self._seen_end:
                detail = _tail(self._log)
                why = f"the runner process {exit_reason(self.process.returncode)}"
                self._crash(f"{why} (os._exit or a crash in any worker ends the whole process)"
                            f"{': ' + detail if detail else ''}")
        finally:
            self._conn.close()
            self._log.close()
            self.done.set()

    def _crash(self, reason: str, status: str = "crashed") -> None:
        """The runner died mid-run (os._exit in a thread, a segfault, a kill), or was killed after a
        cancel (`status` is then the cancel's: cancelled or timeout): say so for every worker."""
        now = self._now()
        events: list[Event] = []
        if self._run_t is None:
            spec = self.spec
            events.append(RunStarted(now, self.run_id, spec.mode, spec.workload.name, spec.params, spec.worker_count,
                                     PythonInfo(executable=spec.python), spec.start_method, self.pid or 0))
        worker_status = "crashed" if status == "crashed" else "cancelled"
        events += [WorkerFinished(now, index, worker_status, reason) for index in range(self.spec.worker_count)
                   if index not in self._finished]
        events.append(RunFinished(now, status, now - self._run_t if self._run_t is not None else 0.0, reason))
        self._seen_end = True
        self.sink(events)
