"""For the benches that are the terminal themselves (latency.py; ssh_bytes.py --ssh, whose
program is an ssh client): a program in an 80x24 pseudo-terminal this process owns, every byte
it writes timestamped as it is read.

tmux (bench/_common.Tmux) re-renders what a program writes before anyone can read it, so its
time and bytes are not the program's; here the benchmark is the terminal: a reader thread
drains the pty's master continuously (a full pty would block the program's writes) and notes
the wall clock of every chunk, and `screens` replays the chunks through pyte to say what an
80x24 terminal showed after each one.
"""
from __future__ import annotations

import fcntl
import os
import re
import struct
import subprocess
import termios
import threading
import time
from collections.abc import Iterator

import pyte

CHUNK = 65536


class PtyTerminal:
    """`command` running on a pty of `size`; `chunks` holds (wall time, bytes) as read."""

    def __init__(self, command: list[str], size: tuple[int, int] = (80, 24)) -> None:
        self.size = size
        self.chunks: list[tuple[float, bytes]] = []
        self.received = 0  # bytes read so far
        self.grew = threading.Condition()  # notified after each chunk, and when the reader ends
        self.ended = False  # the reader read its last chunk
        master, slave = os.openpty()
        columns, lines = size
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(lines)}
        self.process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env=env,
                                        start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.reader = threading.Thread(target=self._read, name="pty-reader", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, CHUNK)
            except OSError:  # EIO: the program closed the terminal's last writer
                data = b""
            with self.grew:
                if data:
                    self.chunks.append((time.time(), data))
                    self.received += len(data)
                self.ended = not data
                self.grew.notify_all()
            if not data:
                return

    def wait_for(self, pattern: str, timeout: float = 30.0) -> None:
        """Block until the screen shows `pattern` (checked after each chunk read)."""
        screen = pyte.Screen(*self.size)
        stream = pyte.ByteStream(screen)
        fed, deadline = 0, time.monotonic() + timeout
        while True:
            with self.grew:
                while fed == len(self.chunks) and not self.ended and time.monotonic() < deadline:
                    self.grew.wait(deadline - time.monotonic())
                new = self.chunks[fed:]
            for _, data in new:
                stream.feed(data)
            fed += len(new)
            if re.search(pattern, "\n".join(screen.display)):
                return
            if not new:
                raise RuntimeError(f"{pattern!r} never showed on the terminal:\n" + "\n".join(screen.display))

    def output(self) -> bytes:
        """Everything read so far, as one string of bytes."""
        return b"".join(data for _, data in list(self.chunks))

    def send(self, keys: bytes) -> None:
        os.write(self.master, keys)

    def close(self, quit_keys: bytes = b"q", timeout: float = 10.0) -> int:
        """Ask the program to quit with `quit_keys`; terminate, then kill, if it does not; reap it."""
        if self.process.poll() is None:
            self.send(quit_keys)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.reader.join(timeout)
        os.close(self.master)
        return self.process.returncode

    def screens(self) -> Iterator[tuple[float, list[str]]]:
        """After each chunk read: its time and the lines an 80x24 terminal then showed."""
        screen = pyte.Screen(*self.size)
        stream = pyte.ByteStream(screen)
        for t, data in list(self.chunks):
            stream.feed(data)
            yield t, screen.display

    def last_screen(self) -> str:
        """What the terminal shows after every chunk read so far: for error messages."""
        screen = pyte.Screen(*self.size)
        pyte.ByteStream(screen).feed(b"".join(data for _, data in list(self.chunks)))
        return "\n".join(screen.display)
