"""Runs in a worker process (processes mode): one worker, its workload loaded here (nothing is
pickled but plain data), its events sent to the runner through its own pipe."""
from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
from typing import Any

from .crossing import PickledEnd
from .exits import ORPHAN_EXIT
from .gil import prepare_sampling
from .work import worker_main


def _exit_with_parent() -> None:
    """Exit as soon as the runner is gone, however it died (SIGKILL included)."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(ORPHAN_EXIT)

    threading.Thread(target=watch, name="conctui-parent-watch", daemon=True).start()


def main(payload: dict[str, Any], index: int, conn: Any, values: Any) -> None:
    _exit_with_parent()
    tracer = payload.get("tracer")  # this worker's own GIL is sampled too
    worker_main(conn.send_bytes, payload["t0"], index, payload["ref"], PickledEnd(values, payload["limit"]),
                whole_process=True, before=(lambda: prepare_sampling(tracer, payload.get("gil"))) if tracer else None)
    conn.close()
    values.close()
