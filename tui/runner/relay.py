"""Runs in the runner: passes on the batches of workers that live in other processes or interpreters.

Each child process (processes mode) and each sub-interpreter (interpreters mode) runs its
worker with its own Outbox, which writes framed JSON batches to a pipe of its own (a
multiprocessing Connection; a sub-interpreter, which has no multiprocessing, an FdConnection
that writes the same frames). One
Relay reads them all and passes each batch on to the app unparsed (it is already checked
and on the session's clock). A pipe that closes before its worker said how it ended is a
worker that went silent: the mode says why, and Outbox.silent reports it.
"""
from __future__ import annotations

import multiprocessing.connection
from collections.abc import Callable
from multiprocessing.connection import Connection

from .channel import Outbox
from .wire import FdConnection

Why = Callable[[int], "tuple[str, str, int | None]"]  # index -> (status, error, exit code)


class Relay:
    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox
        self.pipes: dict[Connection | FdConnection, int] = {}

    def add(self, reader: Connection | FdConnection, index: int) -> None:
        self.pipes[reader] = index

    def run(self, ended: Why) -> None:
        """Relay until every pipe closed. `ended(index)`, called as each closes (a mode joins its
        process there), says how the worker ended, in case it did not say so itself."""
        while self.pipes:
            for reader in multiprocessing.connection.wait(list(self.pipes)):
                index = self.pipes[reader]
                try:
                    batch = reader.recv_bytes()
                except (EOFError, OSError):
                    del self.pipes[reader]
                    reader.close()
                    status, error, exitcode = ended(index)
                    self.outbox.silent(index, status, error, exitcode)
                    continue
                self.outbox.relay(index, batch)
