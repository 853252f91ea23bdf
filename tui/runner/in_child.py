"""Runs in a worker process (processes mode): one worker, its workload loaded here (nothing is
pickled but plain data), its events sent to the runner through its own pipe.

What a worker process imports is its start-up cost, which the lesson "processes pay for
start-up" must not inflate: this module imports only what a worker uses, and a forkserver
imports it once, before it forks any worker (`context`)."""
from __future__ import annotations

import multiprocessing
import os
import sys
import threading
from typing import Any

from .crossing import PickledEnd
from .exits import ORPHAN_EXIT
from .gil import prepare_sampling
from .wire import FdConnection
from .work import worker_main

PRELOAD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "preload")  # _conctui_preload.py alone


def context(method: str) -> Any:
    """The multiprocessing context of a start method; under forkserver every worker is forked
    with this module (and the runner's modules it imports) already imported, as a preload.
    That needs the package named in the forkserver first: by boot.py as its `__main__`, which
    CPython runs there only since gh-126631's fix (September 2025, the 3.13 branch and newer),
    or by preload/_conctui_preload.py, found on any Python (`_start_forkserver`)."""
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload(["__main__", "_conctui_preload", __name__])
        _start_forkserver()
    return context


def _start_forkserver() -> None:
    """Start the forkserver now, with PRELOAD where it looks for its preload: first on its
    PYTHONPATH (before 3.13.5 it ignores the path it is handed) and last on the path it is handed
    (a copy of the runner's sys.path, taken as it starts, which it uses from 3.13.5 on). The
    runner's own environment and path are put back at once; the preload takes the folder off
    both in the forkserver. The runner has threads by now, but none reads the environment
    (os.environ's writes hold the GIL, glibc's its lock)."""
    from multiprocessing import forkserver, resource_tracker

    resource_tracker.ensure_running()  # first: the tracker, a process of its own, gets the environment unchanged
    given = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = PRELOAD if given is None else PRELOAD + os.pathsep + given
    sys.path.append(PRELOAD)
    try:
        forkserver.ensure_running()
    finally:
        sys.path.remove(PRELOAD)
        if given is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = given


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
