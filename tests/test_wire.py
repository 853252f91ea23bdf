"""One frame format on every pipe: a sub-interpreter's FdConnection and a child's
multiprocessing Connection read each other's frames, whatever their size."""
from __future__ import annotations

import os
import threading
from multiprocessing.connection import Connection

import pytest
from conctui.runner.wire import FdConnection

# empty, small, at the one-write boundary, and split into header and body
SIZES = [0, 1, 65535, 65536, 3 * 1024 * 1024]


def _payload(size: int) -> bytes:
    return bytes(range(256)) * (size // 256) + bytes(size % 256)


def _through(write, read, data: bytes) -> bytes:
    """`write(data)` in a thread (a big frame fills the pipe before anyone reads), `read()` here."""
    writer = threading.Thread(target=write, args=(data,))
    writer.start()
    try:
        return read()
    finally:
        writer.join()


@pytest.mark.process
@pytest.mark.parametrize("size", SIZES)
def test_multiprocessing_reads_what_an_fd_connection_writes(size: int) -> None:
    read_fd, write_fd = os.pipe()
    reader, writer = Connection(read_fd, writable=False), FdConnection(-1, write_fd)
    try:
        assert _through(writer.send_bytes, reader.recv_bytes, _payload(size)) == _payload(size)
    finally:
        reader.close()
        writer.close()


@pytest.mark.process
@pytest.mark.parametrize("size", SIZES)
def test_an_fd_connection_reads_what_multiprocessing_writes(size: int) -> None:
    read_fd, write_fd = os.pipe()
    reader, writer = FdConnection(read_fd, -1), Connection(write_fd, readable=False)
    try:
        assert _through(writer.send_bytes, reader.recv_bytes, _payload(size)) == _payload(size)
    finally:
        reader.close()
        writer.close()


def test_a_frame_over_the_limit_is_refused_before_it_is_read() -> None:
    read_fd, write_fd = os.pipe()
    reader, writer = FdConnection(read_fd, -1), FdConnection(-1, write_fd)
    try:
        writer.send_bytes(b"x" * 100)
        with pytest.raises(OSError, match="100 bytes is over the 10 limit"):
            reader.recv_bytes(10)
    finally:
        reader.close()
        writer.close()


def test_a_closed_writer_ends_the_reader_with_eof() -> None:
    read_fd, write_fd = os.pipe()
    reader = FdConnection(read_fd, -1)
    os.close(write_fd)
    try:
        with pytest.raises(EOFError):
            reader.recv_bytes()
    finally:
        reader.close()
