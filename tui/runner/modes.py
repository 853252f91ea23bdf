"""The in-process modes: sequential, threads and asyncio, each run inside the runner.

Every mode is a class with `run()` (blocks until all workers ended) and `cancel()` (asks
them to stop: Cancelled is raised in each worker thread at its next bytecode, or at its next
report() where asynchronous exceptions are not available; a thread stuck in a C call past the
grace is ended with the runner process itself, since Python cannot kill a thread).
"""
from __future__ import annotations

import threading
from typing import Any

from .channel import CapturedOutput, Outbox
from .crossing import ByReference
from .loader import Workload
from .request import RunRequest
from .work import arun_worker, run_worker


class ModeError(Exception):
    """A mode could not run (a cluster that does not answer, one lost mid-run): its message is the reason."""


class Mode:
    """Base: what every mode is handed and how it is stopped.

    `request`: the app's, read only; `tracer`: conctui's pid where it samples the workers' GIL.
    setup() and teardown() run outside the timed run() (a cluster's start-up and shutdown
    are its own costs, reported apart from the run's wall time); teardown() always runs."""

    def __init__(self, outbox: Outbox, workload: Workload, request: RunRequest, captured: CapturedOutput,
                 tracer: int | None = None) -> None:
        self.outbox = outbox
        self.workload = workload
        self.request = request
        self.worker_count = request.worker_count
        self.captured = captured
        self.tracer = tracer
        self.ref = dict(request.ref)  # where workers load the workload: the runner sets its params before setup()
        self.arguments: dict[str, Any] = {}  # each call's arguments, built by the runner (the parent)
        self.kept: dict[int, Any] = {}  # each worker's latest return value, back in the parent

    # how this mode carries arguments and return values (crossing.py), and where workers keep globals
    crossing = ByReference.how
    own_memory = False

    def by_reference(self, index: int) -> ByReference:
        return ByReference(self.arguments, self.workload.calls, self.kept, index)

    def setup(self) -> None:
        pass

    def run(self) -> None:
        raise NotImplementedError

    def teardown(self) -> None:
        pass

    def cancel(self) -> None:
        self.outbox.cancel()


class Sequential(Mode):
    """One worker after the other on one thread: the baseline every speedup is against."""

    def run(self) -> None:
        for index in range(self.worker_count):
            if self.outbox.stop.is_set():
                break  # the rest never start: the runner's last sweep says so
            run_worker(self.outbox, self.workload, index, self.captured, self.by_reference(index))


class Threads(Mode):
    """One OS thread per worker, all in the runner process, sharing its GIL (if it has one)."""

    def run(self) -> None:
        threads: list[threading.Thread] = [
            threading.Thread(target=run_worker, name="worker-%d" % index, daemon=True,
                             args=(self.outbox, self.workload, index, self.captured, self.by_reference(index)))
            for index in range(self.worker_count)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()


class Asyncio(Mode):
    """One task per worker on one event loop in one thread: concurrency without parallelism."""

    def run(self) -> None:
        import asyncio

        async def main() -> None:
            tasks = [asyncio.ensure_future(arun_worker(self.outbox, self.workload, index, self.captured,
                                                       self.by_reference(index)))
                     for index in range(self.worker_count)]
            while not self.outbox.stop.is_set() and not all(task.done() for task in tasks):
                await asyncio.wait(tasks, timeout=0.05)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        asyncio.run(main())
