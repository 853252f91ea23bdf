"""The frame format every pipe of conctui carries: multiprocessing.Connection's own.

The runner's pipe to the app, a child process's pipes and a sub-interpreter's OS pipes all
carry the same frames (a length, then the bytes), so one side may be a multiprocessing
Connection and the other an FdConnection. What goes in a frame: a JSON batch of events
(channel.py), a JSON request (schema.py's requests), or a crossing's header and pickle (crossing.py).
"""
from __future__ import annotations

import os
import struct
from typing import Any


class FdConnection:
    """send_bytes / recv_bytes over two OS pipe ends, in multiprocessing.Connection's own
    framing (so every mode's pipe carries one frame format): what a sub-interpreter can use
    without importing multiprocessing."""

    SHORT = struct.Struct("!i")  # a frame's length, as multiprocessing writes it
    LONG = struct.Struct("!Q")  # after a SHORT of -1: the length of a frame over 2 GiB

    def __init__(self, read_fd: int, write_fd: int) -> None:
        self.read_fd, self.write_fd = read_fd, write_fd

    def fileno(self) -> int:
        """The reading end, for multiprocessing.connection.wait (the runner's Relay)."""
        return self.read_fd

    def close(self) -> None:
        """Close the ends this connection was given (-1 stands for an end it does not have; a socket
        is both ends at once)."""
        for fd in {self.read_fd, self.write_fd}:
            if fd >= 0:
                os.close(fd)
        self.read_fd = self.write_fd = -1

    def send_bytes(self, data: bytes) -> None:
        size = len(data)
        header = self.SHORT.pack(size) if size <= 0x7FFFFFFF else self.SHORT.pack(-1) + self.LONG.pack(size)
        if size < 65536:  # one write: a small frame is never split between writers
            self._write(memoryview(header + data))
        else:
            self._write(memoryview(header))
            self._write(memoryview(data))

    def _write(self, view: memoryview) -> None:
        while view:
            view = view[os.write(self.write_fd, view):]

    def recv_bytes(self, maxlength: int | None = None) -> bytes:
        (size,) = self.SHORT.unpack(self._read(self.SHORT.size))
        if size == -1:
            (size,) = self.LONG.unpack(self._read(self.LONG.size))
        if maxlength is not None and size > maxlength:
            raise OSError("message of %d bytes is over the %d limit" % (size, maxlength))
        return self._read(size)

    def _read(self, size: int) -> bytes:
        data = bytearray(size)
        view, got = memoryview(data), 0
        while got < size:
            count = os.readv(self.read_fd, [view[got:]])
            if count == 0:
                raise EOFError("the other end closed its pipe")
            got += count
        return bytes(data)


class ChildEnd:
    """One end of a multiprocessing pipe, handed to a worker process as it starts (a Process's
    argument), that arrives there as an FdConnection on the same descriptor: the child then never
    imports multiprocessing.connection, which a Connection's unpickling would (with tempfile,
    shutil, lzma...: ~13 M instructions of every worker's start-up). Same frames, same syscalls."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        from multiprocessing.reduction import DupFd  # in the parent, while it starts the child

        return _arrived, (DupFd(self.conn.fileno()), self.conn.readable, self.conn.writable)


def _arrived(handed: Any, readable: bool, writable: bool) -> FdConnection:
    """In the child: the descriptor the start method passed, as a connection."""
    fd = handed.detach()
    return FdConnection(fd if readable else -1, fd if writable else -1)
