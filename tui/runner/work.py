"""One worker's life, the same in every mode: started, called, finished with a reason.

CPU seconds come from the OS clock of the thread (or, in a child process, of the whole
process, start-up included: processes pay for it), never from sampling.
"""
from __future__ import annotations

import os
import threading
import time
import types
from collections.abc import Callable, Generator
from typing import Any

from .channel import Cancelled, CapturedOutput, Outbox, capture_prints, current_worker
from .crossing import CannotCross
from .gil import RunQueue, measured_holder, measured_range, watch_reenabling
from .loader import LoadError, Workload, load
from .memory import changes, snapshot
from .schema import WorkerFinished, WorkerStarted

HERE = os.path.dirname(os.path.abspath(__file__))


def exception_text(exc: BaseException) -> str:
    """`ValueError: boom (tasks.py:12)`: the error and the last line of the user's code."""
    if isinstance(exc, SystemExit):
        return "called sys.exit(%r)" % (exc.code,)
    import traceback  # on a failure only: ~1 ms of imports every worker process would pay

    text = "%s: %s" % (type(exc).__name__, exc) if str(exc) else type(exc).__name__
    # the runner's own frames (report() refusing a bad value) are never where the mistake is
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if os.path.dirname(f.filename) != HERE]
    if frames:
        last = frames[-1]
        text += " (%s:%s)" % (os.path.basename(last.filename), last.lineno)
    return text


def _started(outbox: Outbox, index: int) -> None:
    # sent at once: a worker that crashes at its first line is still known by its pid
    holder, tstate = measured_holder()
    outbox.emit_now(WorkerStarted, index=index, pid=os.getpid(), tid=threading.get_native_id(),
                    gil_futex=measured_range(), gil_holder=holder, tstate=tstate, ident=threading.get_ident())


def _finished(outbox: Outbox, index: int, status: str, error: Any, wall_s: float, cpu_s: float,
              runq_s: Any = None, **extra: Any) -> None:
    outbox.emit(
        WorkerFinished, index=index, status=status, error=error,
        wall_s=round(wall_s, 6), cpu_s=round(cpu_s, 6),
        runq_s=None if runq_s is None else round(runq_s, 6), **extra,
    )


def crossing_figures(figures: dict[str, Any]) -> dict[str, Any]:
    return {name: round(value, 6) if isinstance(value, float) else value for name, value in figures.items()}


def call_rounds(workload: Workload, index: int, report: Any, transport: Any) -> None:
    """Call the function once per set of arguments the transport brings, and send each return
    value back; the framework reports progress when it calls more than once."""
    calls = workload.calls
    done = 0
    try:
        arguments = transport.receive()
        while arguments is not None:
            transport.send(workload.call(index, report, arguments))
            done += 1
            if calls > 1:
                report(done / calls)
            arguments = transport.receive()
    except Cancelled:
        raise
    except BaseException:
        transport.failed()
        raise


def run_worker(outbox: Outbox, workload: Workload, index: int, captured: CapturedOutput, transport: Any,
               whole_process: bool = False, own_memory: bool = False) -> None:
    """Call the workload for one worker in this thread and report how it ended: with the
    crossing's figures, and (where the worker has memory of its own) its view of the globals."""
    token = current_worker.set(index)
    _started(outbox, index)
    before = snapshot(workload.module) if own_memory else None
    start = time.monotonic()
    cpu0 = 0.0 if whole_process else time.thread_time()
    queue = RunQueue()  # how long this thread waits for a free core: not sleeping, not computing
    queued0 = queue.waited()
    status, error = "done", None
    try:
        outbox.enter(index)
        try:
            call_rounds(workload, index, outbox.reporter(index), transport)
        finally:
            outbox.leave(index)
    except Cancelled:
        status = "cancelled"
    except CannotCross as exc:  # its arguments or return value could not cross: the reason says why
        status, error = "failed", str(exc)
    except BaseException as exc:  # the worker's failure is data, not our crash
        status, error = "failed", exception_text(exc)
    finally:
        captured.finish(index)
        current_worker.reset(token)
        cpu = time.process_time() if whole_process else time.thread_time() - cpu0
        wall = time.monotonic() - start
        queued = queue.waited() - queued0 if queue.fd is not None else None
        queue.close()
        memory = changes(before, snapshot(workload.module)) if before is not None else None
        _finished(outbox, index, status, error, wall, cpu, queued, ipc=crossing_figures(transport.figures),
                  memory=memory)


def worker_main(send_bytes: Callable[[bytes], None], t0: float, index: int, ref: dict[str, Any], transport: Any,
                whole_process: bool, before: Callable[[], None] | None = None, **outbox_options: Any) -> None:
    """One worker with a process or interpreter of its own (a child, a sub-interpreter): load the
    workload there, run it, and send everything through an Outbox of its own to the runner."""
    outbox = Outbox(send_bytes, t0, **outbox_options).start()
    captured = capture_prints(outbox)
    watch_reenabling(outbox, lambda: True)  # its own GIL: an import here turns it on during the run
    try:
        workload = load(ref)
    except LoadError as exc:
        outbox.emit(WorkerFinished, index=index, status="failed", error=str(exc), wall_s=0.0, cpu_s=0.0)
    else:
        if before is not None:
            before()
        run_worker(outbox, workload, index, captured, transport, whole_process=whole_process, own_memory=True)
    outbox.close()


@types.coroutine
def _timed(coro: Any, cpu: list[float]) -> Generator[Any, Any, Any]:
    """Drive a coroutine step by step, adding the thread CPU of each step to cpu[0].

    Tasks share one thread, so this is the only way to tell their CPU apart."""
    send, error = None, None
    while True:
        began = time.thread_time()
        try:
            yielded = coro.send(send) if error is None else coro.throw(error)
        except StopIteration as stop:
            cpu[0] += time.thread_time() - began
            return stop.value
        cpu[0] += time.thread_time() - began
        try:
            send, error = (yield yielded), None
        except BaseException as exc:  # cancellation and errors go into the coroutine
            send, error = None, exc


async def arun_worker(outbox: Outbox, workload: Workload, index: int, captured: CapturedOutput,
                      transport: Any) -> None:
    """The asyncio twin of run_worker: one task of the shared loop, called once."""
    import asyncio

    current_worker.set(index)  # a task runs in a copy of the context: this stays local to it
    _started(outbox, index)
    start, cpu = time.monotonic(), [0.0]
    status, error = "done", None
    try:
        report = outbox.reporter(index)
        transport.send(await _timed(workload.coroutine(index, report, transport.receive()), cpu))
    except (Cancelled, asyncio.CancelledError):
        status = "cancelled"
    except BaseException as exc:
        status, error = "failed", exception_text(exc)
    finally:
        captured.finish(index)
        _finished(outbox, index, status, error, time.monotonic() - start, cpu[0],
                  ipc=crossing_figures(transport.figures), memory=None)
