"""A worker process: loads the workload itself (nothing is pickled but plain data) and runs one worker."""
from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
from typing import Any

from .channel import Outbox, capture_prints
from .crossing import PickledEnd
from .gil import prepare_sampling
from .loader import LoadError, load
from .schema import WorkerFinished
from .work import run_worker

ORPHAN_EXIT = 70


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
    outbox = Outbox(conn.send_bytes, payload["t0"]).start()
    captured = capture_prints(outbox)
    try:
        workload = load(payload["ref"])
    except LoadError as exc:
        outbox.emit(WorkerFinished, index=index, status="failed", error=str(exc), wall_s=0.0, cpu_s=0.0)
    else:
        if payload.get("tracer"):  # this worker's own GIL is sampled too
            prepare_sampling(payload["tracer"])
        run_worker(outbox, workload, index, captured, PickledEnd(values, payload["limit"]),
                   whole_process=True, own_memory=True)
    outbox.close()
    conn.close()
    values.close()
