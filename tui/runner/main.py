"""The runner's main loop: take one request from the app, run it, obey cancel, die with the app.

Protocol on the duplex pipe given as a file descriptor: the app sends one request (request.py:
a DescribeRequest, answered with a RunnerInfo, or a RunRequest), later perhaps
`{"cmd": "cancel"}`; the runner sends JSON batches of events. End of file from the app means
the app is gone: stop everything and exit. The request is read, never changed.
"""
from __future__ import annotations

import contextlib
import json
import os
import sys
import threading
import time
from multiprocessing.connection import Connection, wait
from typing import Any

from .channel import Outbox, capture_prints
from .crossing import carrier_mb_s
from .describe import answer_describe
from .gil import GilMeter, prepare_sampling, watch_reenabling
from .info import python_info
from .interpreters import Interpreters
from .loader import LoadError, Workload, load
from .memory import snapshot, views
from .modes import Asyncio, Mode, ModeError, Sequential, Threads
from .processes import Processes
from .request import DescribeRequest, RunRequest, request_from, to_bytes
from .run_events import RunFinished, RunStarted
from .schema import Memory


def _dask(*args: Any) -> Mode:
    """Imported on use: the runner stays stdlib-only unless a run asks for Dask."""
    from .dask_mode import Dask

    return Dask(*args)


MODE_CLASSES = {"sequential": Sequential, "interpreters": Interpreters,
         "threads": Threads, "asyncio": Asyncio, "processes": Processes, "dask": _dask}
CANCEL_GRACE_S = 1.0


class Link:
    """The runner's end of the pipe, shared by the flusher and the relay."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._lock = threading.Lock()

    def send(self, data: bytes) -> None:
        with self._lock:
            self.conn.send_bytes(data)


def _die_with_parent() -> None:
    """Linux: have the kernel kill the runner if the app dies, even when the GIL is wedged."""
    try:
        import ctypes
        import signal

        parent = os.getppid()
        ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
        if os.getppid() != parent:
            os._exit(1)
    except (OSError, AttributeError, ImportError):
        pass  # elsewhere the end-of-file watch below still applies


def _run(link: Link, request: RunRequest) -> None:
    outbox = Outbox(link.send, request.t0).start()
    captured = capture_prints(outbox)
    if request.switch_interval_ms:
        sys.setswitchinterval(request.switch_interval_ms / 1000.0)
    outbox.emit(RunStarted, run=request.run, mode=request.mode, workload=request.workload, params=request.params,
                workers=request.worker_count, python=python_info(), start_method=request.start_method,
                pid=os.getpid(),
                options={"switch_interval_ms": request.switch_interval_ms, "scheduler": request.scheduler})
    result: dict[str, Any] = {"status": "done"}
    watch_reenabling(outbox, lambda: "start" in result)  # from the workload's own imports on
    try:
        workload = load(dict(request.ref))  # the loader's own copy: the request stays as the app sent it
    except LoadError as exc:
        outbox.emit(RunFinished, status="error", error=str(exc), wall_s=0.0)
        outbox.close()
        return
    tracer = os.getppid() if request.sample_gil else None  # conctui samples this process's threads from outside
    if tracer is not None:
        prepare_sampling(tracer)
    mode = MODE_CLASSES[request.mode](outbox, workload, request, captured, tracer)
    before = snapshot(workload.module)  # the parent's view, before any worker runs

    def body() -> None:
        context = workload.context(dict(workload.params)) if workload.context else contextlib.nullcontext({})
        try:
            with context as shared:
                workload.params.update(shared)
                # workers elsewhere load the same, with the shape read here (loader.load)
                mode.ref = dict(request.ref, params=workload.params, shape=workload.shape)
                mode.arguments = workload.arguments()  # built here, in the parent, as an executor's caller would
                try:
                    mode.setup()
                    result["start"] = time.monotonic()
                    mode.run()
                    result["wall_s"] = time.monotonic() - result["start"]
                finally:
                    mode.teardown()
        except ModeError as exc:
            result["error"] = str(exc)
        except BaseException as exc:  # a broken built-in context is reported, not raised
            from .work import exception_text

            result["error"] = exception_text(exc)

    # written once the body ends, so the loop below wakes for it at once; left open, as a body that
    # outlives a cancel's grace still writes to it (the runner then ends with os._exit)
    ended_r, ended_w = os.pipe()

    def run_body() -> None:
        try:
            body()
        finally:
            os.write(ended_w, b"x")

    meter = GilMeter(outbox).start(request.mode)  # its idle baseline is measured first, while nothing runs
    thread = threading.Thread(target=run_body, name="conctui-mode", daemon=True)
    thread.start()
    while ended_r not in wait([link.conn, ended_r]):
        try:
            command = json.loads(link.conn.recv_bytes())
        except (EOFError, OSError):
            mode.cancel()  # the app is gone: nobody to report to
            os._exit(1)
        if command.get("cmd") == "cancel":
            result["status"] = command.get("reason", "cancelled")
            mode.cancel()
            thread.join(CANCEL_GRACE_S)
            break
    meter.stop()
    _end_silent(outbox, request.worker_count)
    _memory(outbox, mode, workload, before)
    mode.kept.clear()  # the return values reached the parent; only their sizes and times go on
    status = "error" if "error" in result else result["status"]
    # a cancelled run's wall is still the workers' span: from the first launched to now
    wall = result.get("wall_s", time.monotonic() - result["start"] if "start" in result else 0.0)
    outbox.emit(RunFinished, status=status, error=result.get("error"), wall_s=round(wall, 6),
                launched_t=round(result["start"] - outbox.t0, 6) if "start" in result else None)
    outbox.close()


def _end_silent(outbox: Outbox, worker_count: int) -> None:
    """The run is over: a worker that never said how it ended is ended now, with why."""
    for index in range(worker_count):
        if index not in outbox.started:
            why = "cancelled before it started" if outbox.stop.is_set() else "never started: the run ended first"
            outbox.silent(index, "cancelled", why, wall_s=0.0, cpu_s=0.0)
        else:  # a thread that ignored the stop: it ends with us
            outbox.silent(index, "cancelled", "did not stop (a thread cannot be killed): ended with the runner")


def _memory(outbox: Outbox, mode: Mode, workload: Workload, before: dict[str, Any]) -> None:
    """The parent's view of the globals that changed here or in any worker, and how values crossed."""
    carrier = getattr(mode, "carrier", None)
    measure = carrier is not None and workload.make_payload is not None
    expected = {name: int(workload.params[param]) for name, param in (workload.expected or {}).items()
                if isinstance(workload.params.get(param), int)}
    outbox.emit(Memory, shared=not mode.own_memory, crossing=mode.crossing,
                parent=views(before, snapshot(workload.module), outbox.changed_names), expected=expected,
                carrier=carrier, carrier_mb_s=carrier_mb_s(carrier) if measure else None)


def main(argv: Any) -> int:
    conn = Connection(int(argv[0]))
    link = Link(conn)
    _die_with_parent()  # describing imports user code too, which may take its time
    request = request_from(conn.recv_bytes())
    if isinstance(request, DescribeRequest):
        link.send(to_bytes(answer_describe(request)))
    else:
        _run(link, request)
    conn.close()
    sys.__stderr__.flush()
    os._exit(0)  # worker threads that ignored the stop must not keep the process alive
