"""Runs in a worker process (processes mode): one worker, its workload loaded here (nothing is
pickled but plain data), its events sent to the runner through its own pipe.

What a worker process imports is its start-up cost, which the lesson "processes pay for
start-up" must not inflate: this module imports only what a worker uses, and a forkserver
imports it once, before it forks any worker (`context`)."""
from __future__ import annotations

import multiprocessing
import os
import threading
from typing import Any

from .crossing import PickledEnd
from .exits import ORPHAN_EXIT
from .gil import prepare_sampling
from .wire import FdConnection
from .work import worker_main


def context(method: str) -> Any:
    """The multiprocessing context of a start method; under forkserver every worker is forked
    with this module (and the runner's modules it imports) already imported, as a preload.
    That needs the forkserver to run boot.py first (`__main__`), which CPython does only since
    gh-126631's fix (September 2025, the 3.13 branch and newer); before it the forkserver skips
    both, silently, and each worker imports the runner itself, as under spawn."""
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["__main__", __name__])  # __main__: boot.py, which names the package
    return context


def _exit_with_parent() -> None:
    """Exit as soon as the runner is gone, however it died (SIGKILL included)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        os.read(parent.sentinel, 1)  # returns once the runner's end of it closes (nothing is ever written)
        os._exit(ORPHAN_EXIT)

    threading.Thread(target=watch, name="conctui-parent-watch", daemon=True).start()


def main(payload: dict[str, Any], index: int, conn: FdConnection, values: FdConnection) -> None:
    """A worker process's life: `conn` carries its events, `values` its calls' values (wire.ChildEnd)."""
    _exit_with_parent()
    tracer = payload.get("tracer")  # this worker's own GIL is sampled too
    worker_main(conn.send_bytes, payload["t0"], index, payload["ref"], PickledEnd(values, payload["limit"]),
                whole_process=True, before=(lambda: prepare_sampling(tracer, payload.get("gil"))) if tracer else None,
                killed=True)  # the runner ends this process: no asynchronous exceptions, no ctypes
    conn.close()
    values.close()
