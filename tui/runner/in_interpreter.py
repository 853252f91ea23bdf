"""What runs inside one sub-interpreter: one worker, exactly as a child process runs one.

Nothing crosses from the runner but text (the code string) and file descriptors. The
worker's own Outbox (with a flusher that is not a daemon thread: sub-interpreters refuse
those) writes the usual framed JSON batches to its record pipe with os.write, so nothing
here needs a module that refuses sub-interpreters. Each call's arguments and return value
are pickled through two more pipes (crossing.py). The runner cancels by closing the write
end of the `cancel_fd` pipe: the flusher then reads b"" and cancels the worker (Outbox.cancel).
"""
from __future__ import annotations

import json
import os

from .crossing import PickledEnd
from .wire import FdConnection
from .work import worker_main


def _closed(fd: int) -> bool:
    """True once the runner closed the other end of the cancel pipe."""
    try:
        return os.read(fd, 1) == b""
    except BlockingIOError:
        return False  # still open: carry on


def main(record_fd: int, cancel_fd: int, index: int, t0: float, ref_json: str, values: tuple) -> None:
    """`values`: (fd to read arguments from, fd to write return values to, size limit)."""
    transport = PickledEnd(FdConnection(values[0], values[1]), values[2])
    worker_main(FdConnection(-1, record_fd).send_bytes, t0, index, json.loads(ref_json), transport,
                whole_process=False, daemon=False, cancelled=lambda: _closed(cancel_fd))
