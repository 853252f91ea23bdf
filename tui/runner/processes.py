"""The processes mode: one child process per worker, started with spawn or forkserver.

Never fork: the runner has threads (the flusher, the control loop), and forking a process
with threads can deadlock the child. Each child has its own pipe back to the runner, read by
the Relay, which passes its batches on and notices a child that dies without finishing.
"""
from __future__ import annotations

import threading
import time
from typing import Any

from . import in_child
from .crossing import serve
from .exits import exit_reason
from .gil import relocatable
from .modes import Mode
from .relay import Relay
from .wire import ChildEnd

TERMINATE_GRACE_S = 0.5


class Processes(Mode):
    """Children are started, relayed until every pipe closes, then joined.

    Each child has two pipes: events (JSON batches, relayed to the app) and values (each
    call's pickled arguments out and return value back, served by one courier thread here)."""

    crossing = "pickled through a pipe (a Unix socket pair), as multiprocessing.Pool and ProcessPoolExecutor do"
    own_memory = True
    carrier = "socketpair"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.processes: list[Any] = []
        self.couriers: list[threading.Thread] = []
        # one thread at a time waits on the children: a cancel's terminate (the runner's main
        # thread) and the relay's reaping (the mode thread) would both waitpid the same child, and
        # the one the kernel refuses would read it "still running" for good
        self._reaping = threading.Lock()

    def run(self) -> None:
        context = in_child.context(self.request.start_method)
        limit = self.request.ipc_limit
        payload = {"ref": self.ref, "t0": self.outbox.t0, "tracer": self.tracer,
                   "limit": limit, "gil": relocatable()}  # the runner's GIL words, found once for every child
        # every courier is started before any child: a thread's start waits for a free core, which
        # the children that started first take (~2 ms a thread on 2 busy cores); each waits for its child
        ends: list[tuple[Any, Any, Any, threading.Event]] = []
        relay = Relay(self.outbox)
        try:
            for index in range(self.worker_count):
                ends.append(self._ends(context, limit, index))
            for index, (reader, writer, their_values, launched) in enumerate(ends):
                if self.outbox.stop.is_set():
                    break
                process = context.Process(target=in_child.main, name="conctui-worker-%d" % index,
                                          args=(payload, index, ChildEnd(writer), ChildEnd(their_values)))
                with self._reaping:  # Process.start() polls the children started before: not while we wait on one
                    process.start()
                    self.processes.append(process)
                writer.close()  # the child has its own copies
                their_values.close()
                launched.set()
                relay.add(reader, index)
        except BaseException:
            self._terminate()  # a start that failed (too many open files, say): those started end with it
            raise
        finally:
            for reader, writer, their_values, launched in ends[len(self.processes):]:  # never started:
                for end in (reader, writer, their_values):  # its courier ends without a call
                    end.close()
                launched.set()
        if self.outbox.stop.is_set():
            self._terminate()  # a cancel that raced with the starts above
        relay.run(self._ended)  # children never started are ended by the runner's last sweep
        for courier in self.couriers:
            courier.join()

    def _ends(self, context: Any, limit: int, index: int) -> tuple[Any, Any, Any, threading.Event]:
        """A worker's two pipes, and its courier started on the runner's end of the values pipe."""
        reader, writer = context.Pipe(duplex=False)
        values, their_values = context.Pipe(duplex=True)
        launched = threading.Event()
        courier = threading.Thread(target=self._courier, name="conctui-courier-%d" % index, daemon=True,
                                   args=(values, limit, index, launched))
        courier.start()
        self.couriers.append(courier)
        return reader, writer, their_values, launched

    def _courier(self, values: Any, limit: int, index: int, launched: threading.Event) -> None:
        launched.wait()  # its child started, or never will
        try:
            if index < len(self.processes):
                serve(values, self.arguments, self.workload.calls, limit, self.kept, index)
        finally:
            values.close()

    def _ended(self, index: int) -> tuple[str, str, int | None]:
        """Its pipe closed: reap the child; had it died unsaid, this is how."""
        process = self.processes[index]
        with self._reaping:
            process.join(5)
            code = process.exitcode
        status = "cancelled" if self.outbox.stop.is_set() else "crashed"
        return status, exit_reason(code), code

    def cancel(self) -> None:
        super().cancel()
        self._terminate()

    def _terminate(self) -> None:
        with self._reaping:
            started = list(self.processes)  # one the mode thread starts after this: its re-check of the cancel ends it
            for process in started:
                if process.is_alive():
                    process.terminate()
            deadline = time.monotonic() + TERMINATE_GRACE_S
            for process in started:
                process.join(max(0.0, deadline - time.monotonic()))
                if process.is_alive():
                    process.kill()

