"""The interpreters mode: each worker in its own sub-interpreter, with its own GIL, on its own OS thread.

Python 3.14: `concurrent.interpreters`; 3.13: the private `_interpreters` (experimental).
Only text crosses into a sub-interpreter: the code string names the workload, and the
worker loads it there itself (see in_interpreter.py). Each worker writes the usual JSON
batches to its own OS pipe; the Relay passes them on, as it does a child process's. Whatever a sub-interpreter
cannot do (import `_curses`, `readline` or psutil; fork; start daemon threads) ends that
worker as failed with Python's own message, while the others carry on.
"""
from __future__ import annotations

import json
import os
import sys
import threading
from collections.abc import Callable
from typing import Any

from .crossing import serve
from .modes import Mode
from .relay import Relay
from .wire import FdConnection
from .work import exception_text

BOOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "boot.py")
CODE = (
    "import runpy\n"
    "runpy.run_path(%r, run_name='_conctui_boot')\n"  # registers the runner package in this interpreter
    "from _conctui_runner.in_interpreter import main\n"
    "main(%d, %d, %d, %r, %r, %r)\n"
)


def _runner() -> Callable[[str], str | None]:
    """A function that runs code in a fresh isolated sub-interpreter and returns its error text."""
    if sys.version_info >= (3, 14):
        from concurrent import interpreters

        def run(code: str) -> str | None:
            interp = interpreters.create()
            try:
                interp.exec(code)
            except interpreters.ExecutionFailed as exc:
                excinfo = getattr(exc, "excinfo", None)
                return getattr(excinfo, "formatted", None) or str(exc)
            finally:
                interp.close()
            return None
    else:
        import _interpreters

        def run(code: str) -> str | None:
            interp = _interpreters.create("isolated")
            try:
                excinfo = _interpreters.exec(interp, code)
            finally:
                _interpreters.destroy(interp)
            return excinfo.formatted if excinfo is not None else None

    return run


class Interpreters(Mode):
    """One OS thread per worker, each hosting one sub-interpreter; the Relay passes their batches on,
    and one courier thread per worker carries its arguments and return values."""

    # no object is shared between interpreters: 3.13's _interpreters copies a few immutable types,
    # 3.14's queues and InterpreterPoolExecutor pickle the rest; conctui pickles, through two OS pipes
    crossing = "copied: pickled through OS pipes (sub-interpreters share no objects)"
    own_memory = True
    carrier = "pipe"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._cancel_read, self._cancel_write = os.pipe()
        os.set_blocking(self._cancel_read, False)  # each worker's flusher polls it
        self._cancel_lock = threading.Lock()
        self._errors: dict[int, str | None] = {}

    def run(self) -> None:
        run_code = _runner()
        ref_json = json.dumps(self.ref)
        limit = self.request.ipc_limit
        relay = Relay(self.outbox)
        threads = []
        for index in range(self.worker_count):
            read_fd, write_fd = os.pipe()
            relay.add(FdConnection(read_fd, -1), index)
            args_read, args_write = os.pipe()
            result_read, result_write = os.pipe()
            code = CODE % (BOOT, write_fd, self._cancel_read, index, self.outbox.t0, ref_json,
                           (args_read, result_write, limit))
            threads.append(threading.Thread(target=self._host, name="interp-%d" % index, daemon=True,
                                            args=(run_code, code, index, [write_fd, args_read, result_write])))
            threads.append(threading.Thread(target=self._courier, name="courier-%d" % index, daemon=True,
                                            args=(result_read, args_write, limit, index)))
        for thread in threads:
            thread.start()
        try:
            relay.run(self._ended)
        finally:
            for thread in threads:
                thread.join()
            self._close_cancel()
            os.close(self._cancel_read)

    def _courier(self, read_fd: int, write_fd: int, limit: int, index: int) -> None:
        try:
            serve(FdConnection(read_fd, write_fd), self.arguments, self.workload.calls, limit, self.kept, index)
        finally:
            os.close(read_fd)
            os.close(write_fd)

    def _host(self, run_code: Callable[[str], str | None], code: str, index: int, fds: list[int]) -> None:
        """Run one worker's sub-interpreter; then close its ends of the pipes (the record pipe
        last: the relay takes its end of file as the worker's end)."""
        error = None
        try:
            error = run_code(code)
        except BaseException as exc:  # creating the sub-interpreter failed: this worker's failure
            error = exception_text(exc)
        finally:
            self._errors[index] = error  # before the close: the relay reads it on end of file
            for fd in reversed(fds):
                os.close(fd)

    def _ended(self, index: int) -> tuple[str, str, int | None]:
        """Its pipe closed: had the worker not said how it ended, it failed before or around its call."""
        error = (self._errors.get(index) or "ended without a result").strip().splitlines()[-1]
        return "failed", "sub-interpreter: %s" % error, None

    def _close_cancel(self) -> None:
        with self._cancel_lock:
            if self._cancel_write >= 0:
                os.close(self._cancel_write)
                self._cancel_write = -1

    def cancel(self) -> None:
        super().cancel()
        self._close_cancel()  # every worker's next report() reads end of file and stops
