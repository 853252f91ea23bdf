"""How a worker's arguments and return value cross between the runner and the worker, measured.

The runner (the parent) builds each call's arguments (`--param` values, a built-in's payload)
and keeps each worker's latest return value, as an executor would:
- sequential, threads, asyncio: `ByReference`: the worker gets the runner's own objects and
  its return value is kept as is; nothing is copied, so 0 bytes and 0 s.
- processes, interpreters: pickled (pickle.DEFAULT_PROTOCOL, as multiprocessing.Pool and
  ProcessPoolExecutor do) and sent as one message through a pipe, each way, each call:
  `serve` on the runner's side, `PickledEnd` on the worker's. Only the runner and its own
  children (or sub-interpreters) pickle and unpickle: nothing pickled is ever written to a file
  or sent past the runner; the app gets sizes and seconds only.

Seconds of a crossing = pickling + moving (see `moving`; CLOCK_MONOTONIC is one clock for
every process of a machine) + unpickling, measured apart from the work. A value whose
pickle would pass `limit` bytes is refused with the reason while it is being pickled (the
pickle is never built whole), so a huge value fails its worker, not the machine's memory.
"""
from __future__ import annotations

import json
import os
import pickle
import struct
import threading
import time
from typing import Any

from .wire import FdConnection

HEADER = struct.Struct("!I")  # length of the JSON header that starts every message


class CannotCross(Exception):
    """A value that cannot cross: unpicklable, or over the limit. Its message is the reason."""


def no_crossings() -> dict[str, Any]:
    """A worker's IPC figures before any call crossed (also a worker that never loaded its workload)."""
    return {"calls": 0, "in_bytes": 0, "in_s": 0.0, "out_bytes": 0, "out_s": 0.0}


class _Capped:
    """A file for pickle.Pickler that refuses to grow past the limit, so the pickle of a value
    over it is never built whole."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.parts: list[bytes] = []

    def write(self, data: Any) -> int:
        size = memoryview(data).nbytes
        self.size += size
        if self.size > self.limit:
            raise CannotCross("its pickle passes the %s limit for values crossing between processes (--ipc-limit)"
                          % mib(self.limit))
        self.parts.append(bytes(data))  # a bytes payload is kept as is, not copied
        return size


def mib(size: int) -> str:
    return "%g MiB" % round(size / 1048576, 3)


def dumps(value: Any, limit: int) -> bytes:
    """Pickle as Pool does, or raise CannotCross with the reason (the pickler's own words)."""
    out = _Capped(limit)
    try:
        pickle.Pickler(out, pickle.DEFAULT_PROTOCOL).dump(value)
    except CannotCross:
        raise
    except Exception as exc:  # PicklingError, TypeError: cannot pickle '_thread.lock' object, ...
        raise CannotCross("%s: %s" % (type(exc).__name__, exc)) from None
    return b"".join(out.parts)


def moving(sent_at: float, ready: float, got: float) -> float:
    """Seconds the bytes were on their way: from the later of the send's start and the
    receiver starting to wait (a child still starting up is not the pipe's cost) to the end
    of the receive."""
    return max(0.0, got - max(sent_at, ready))


def _message(header: dict[str, Any], body: bytes = b"") -> bytes:
    head = json.dumps(header).encode()
    return HEADER.pack(len(head)) + head + body


def _split(data: bytes) -> tuple:
    (size,) = HEADER.unpack_from(data)
    header = json.loads(data[HEADER.size:HEADER.size + size])
    return header, memoryview(data)[HEADER.size + size:]


class ByReference:
    """Sequential, threads, asyncio: the worker shares the runner's objects, both ways."""

    how = "by reference: the worker gets the parent's own objects, nothing is copied"

    def __init__(self, arguments: dict[str, Any], calls: int, kept: dict[int, Any], index: int) -> None:
        self.arguments, self.left, self.kept, self.index = arguments, calls, kept, index
        self.figures = no_crossings()

    def receive(self) -> dict[str, Any] | None:
        if self.left <= 0:
            return None
        self.left -= 1
        self.figures["calls"] += 1
        return self.arguments

    def send(self, value: Any) -> None:
        self.kept[self.index] = value

    def failed(self) -> None:
        pass


class PickledEnd:
    """The worker's end: unpickles each call's arguments, pickles its return value back."""

    def __init__(self, conn: Any, limit: int) -> None:
        self.conn, self.limit = conn, limit
        self.figures = no_crossings()

    def receive(self) -> dict[str, Any] | None:
        """The next call's arguments; None once the runner says the calls are over."""
        ready = time.monotonic()
        data = self.conn.recv_bytes()
        got = time.monotonic()
        header, body = _split(data)
        if header.get("back_s") is not None:  # the runner's measure of our previous return value
            self.figures["out_s"] += header["back_s"]
        if header["kind"] == "refused":
            raise CannotCross("its arguments cannot be sent: %s" % header["error"])
        if header["kind"] == "end":
            return None
        began = time.monotonic()
        arguments = pickle.loads(body)
        done = time.monotonic()
        self.figures["calls"] += 1
        self.figures["in_bytes"] += len(body)
        self.figures["in_s"] += header["dumps_s"] + moving(header["sent_at"], ready, got) + (done - began)
        return arguments

    def send(self, value: Any) -> None:
        began = time.monotonic()
        try:
            body = dumps(value, self.limit)
        except CannotCross as exc:
            raise CannotCross("cannot send its return value to the parent: %s" % exc) from None
        header = {"kind": "result", "dumps_s": time.monotonic() - began, "sent_at": time.monotonic()}
        self.figures["out_bytes"] += len(body)
        self.conn.send_bytes(_message(header, body))

    def failed(self) -> None:
        """The call raised or its value was refused: the runner stops sending calls."""
        try:
            self.conn.send_bytes(_message({"kind": "failed"}))
        except (OSError, ValueError):
            pass  # the runner is gone or gave up on us


def serve(conn: Any, arguments: dict[str, Any], calls: int, limit: int, kept: dict[int, Any], index: int) -> None:
    """The runner's end for one worker: each call's arguments out, its return value back.

    Ends when the calls are done, the worker failed, or its pipe closed (it died, or the
    run was cancelled); a worker that died is reported by its mode, not here."""
    back = None
    try:
        for _ in range(calls):
            began = time.monotonic()
            try:
                body = dumps(arguments, limit)
            except CannotCross as exc:
                conn.send_bytes(_message({"kind": "refused", "error": str(exc), "back_s": back}))
                return
            header = {"kind": "call", "dumps_s": time.monotonic() - began, "sent_at": time.monotonic(),
                      "back_s": back}
            conn.send_bytes(_message(header, body))
            del body
            ready = time.monotonic()
            data = conn.recv_bytes(limit + 65536)
            got = time.monotonic()
            reply, value = _split(data)
            if reply["kind"] != "result":
                return
            began = time.monotonic()
            kept[index] = pickle.loads(value)
            del value, data
            back = reply["dumps_s"] + moving(reply["sent_at"], ready, got) + (time.monotonic() - began)
        conn.send_bytes(_message({"kind": "end", "back_s": back}))
    except (EOFError, OSError):
        return


def carrier_mb_s(kind: str, size: int = 32 * 1024 * 1024) -> float:
    """The physical limit of the carrier on this machine: MB/s of raw bytes, no pickling,
    from one thread to another through an OS pipe (`pipe`) or a Unix socket pair
    (`socketpair`, what multiprocessing.Pipe() is on Linux)."""
    if kind == "socketpair":
        import socket  # here only: a sub-interpreter imports this module too

        left, right = socket.socketpair()
        write, read, close = left.sendall, right.recv_into, (left.close, right.close)
    else:
        read_fd, write_fd = os.pipe()
        write = FdConnection(read_fd, write_fd)._write
        read = lambda view: os.readv(read_fd, [view])  # noqa: E731
        close = (lambda: os.close(read_fd), lambda: os.close(write_fd))
    chunk = bytes(1024 * 1024)

    def writer() -> None:
        for _ in range(size // len(chunk)):
            write(memoryview(chunk))

    sink = memoryview(bytearray(len(chunk)))
    began = time.monotonic()
    thread = threading.Thread(target=writer, name="conctui-carrier-probe", daemon=True)
    thread.start()
    got = 0
    while got < size:
        got += read(sink)
    thread.join()
    elapsed = time.monotonic() - began
    for end in close:
        end()
    return round(size / 1e6 / elapsed, 1)
