"""The app's terminal driver: Textual's own, made to notice a terminal that has gone away.

Runs in the conctui process: the writes on Textual's writer thread. When a terminal goes away
(tmux killed, ssh dropped) the kernel sends SIGHUP to its foreground process group, and the
app quits on it (app.py: `quit_on_signal`, which reaps every child first). Where no SIGHUP
comes (conctui is not in that group, or the terminal is not its controlling one), Textual's
writer thread dies on its first failed write, and 30 writes later the UI thread blocks in the
writer's queue for ever, its children never reaped (reproduced: a watch whose pty closed
stayed alive, blocked in `WriterThread.write`). Here a failed write is dropped instead, and the
process sends itself SIGHUP once: a lost terminal ends the app as a hangup does.
"""
from __future__ import annotations

import os
import signal
import threading
from typing import IO

from conctui.sgr import RESET
from textual.driver import Driver
from textual.drivers.linux_driver import LinuxDriver


class TerminalFile:
    """The terminal's output as Textual's writer thread uses it (write, flush, fileno, isatty);
    the first write or flush that fails calls `lost`, and every later one is dropped."""

    def __init__(self, file: IO[str], lost: threading.Event) -> None:
        self.file = file
        self.lost = lost

    def write(self, text: str) -> None:
        if not self.lost.is_set():
            self._guard(self.file.write, text)

    def flush(self) -> None:
        if not self.lost.is_set():
            self._guard(self.file.flush)

    def _guard(self, call: object, *args: str) -> None:
        try:
            call(*args)  # type: ignore[operator]
        except (OSError, ValueError):  # EIO once the pty's other end has closed; ValueError: file closed
            self.lost.set()
            os.kill(os.getpid(), signal.SIGHUP)

    def fileno(self) -> int:
        return self.file.fileno()

    def isatty(self) -> bool:
        return self.file.isatty()


class TerminalDriver(LinuxDriver):
    """LinuxDriver, writing through a TerminalFile."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.terminal_lost = threading.Event()
        self._file = TerminalFile(self._file, self.terminal_lost)

    def stop_application_mode(self) -> None:
        """The shell gets the terminal back with its colours reset: the app's last update may
        have left a style set (sgr.py)."""
        self.write(RESET)
        super().stop_application_mode()


def terminal_driver(default: type[Driver]) -> type[Driver]:
    """TerminalDriver where Textual would use its LinuxDriver; any other driver (Windows, one
    named by TEXTUAL_DRIVER) as it is."""
    return TerminalDriver if default is LinuxDriver else default
