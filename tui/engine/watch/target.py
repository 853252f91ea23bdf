"""Which process to watch, and which Python it runs: read from /proc and the files it maps.

Runs in conctui's process. Nothing here reads the target's memory or signals it: a Python
is known by the file it maps that exports `_PyRuntime` (its executable, or libpython), and
that file, read from disk, gives the version (`Py_Version`, 3.11+, else the version string
in its read-only data) and where the runtime state lies in the target. That range holds the
main interpreter's GIL under CPython 3.9 to 3.13, so a thread asleep in a futex whose word
lies in it is waiting for the GIL (measured here on 3.9.18, 3.10.13, 3.11.7, 3.12.1 and
3.13.0: the waiters' words were inside, a Lock's outside), and the GIL a free-threaded 3.13t
re-enables (3.13.5t with PYTHON_GIL=1). Whether it did is read from the target's command line
and environment (`gil_switch`), as it started: an extension module that re-enables the GIL
when imported is not seen.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace

from conctui.engine.untrusted import visible
from conctui.engine.watch.elf import read_elf

RUNTIME = "_PyRuntime"
VERSION = "Py_Version"
FREE_THREADED = "_Py_MergeZeroLocalRefcount"  # exported only by free-threaded builds (3.13.5t checked)
WANTED = frozenset({RUNTIME, VERSION, FREE_THREADED})
# PY_VERSION's literal: linkers merge it into the tail of a longer string ("Python-3.10.13")
VERSION_TEXT = re.compile(rb"(?<![\d.])(3\.\d{1,2}\.\d{1,2}(?:(?:a|b|rc)\d+)?\+?)\x00")
_BUILDS: dict[tuple[str, int, int], PythonBuild | None] = {}  # (path, inode, mtime) -> what it is


class BadTarget(Exception):
    """A target conctui cannot watch: the message is the one line the user sees (exit 2)."""


@dataclass(frozen=True)
class PythonBuild:
    """One Python as mapped by one process: what the header, the GIL columns and the states need."""

    path: str  # the file exporting _PyRuntime: the executable or libpython
    version: str  # "3.11.7", or "3.11" where only the file name says it
    free_threaded: bool
    runtime: tuple[int, int]  # [first, last) address of _PyRuntime in the target
    gil_on: str | None = None  # a free-threaded build's GIL switched on at its start: by what (`PYTHON_GIL=1`)

    @property
    def no_gil(self) -> bool:
        """A free-threaded build that started with its GIL off: no GIL to hold or wait for."""
        return self.free_threaded and self.gil_on is None

    @property
    def label(self) -> str:
        switched = f" ({self.gil_on})" if self.gil_on else ""
        return f"CPython {self.version}{'t' if self.free_threaded else ''}{switched}"


def _gil_option(argv: list[bytes]) -> bytes | None:
    """The value of `-X gil=V` among the interpreter's own options (before the script, -c or -m)."""
    value = None
    args = iter(argv[1:])
    for arg in args:
        if arg == b"-X":
            arg = b"-X" + next(args, b"")
        elif arg == b"-W":  # its value is the next argument
            next(args, None)
            continue
        if arg.startswith(b"-Xgil="):
            value = arg[len(b"-Xgil="):]
        elif not arg.startswith(b"-") or arg == b"-" or arg.startswith((b"-c", b"-m")):
            break  # the script, or -c / -m: what follows is the program's own
    return value


def gil_switch(pid: int) -> str | None:
    """What switched a free-threaded process's GIL on as it started (`-X gil=1`, `PYTHON_GIL=1`),
    from /proc's cmdline and environ, not from its memory; None: it started with the GIL off
    (or they may not be read). The option wins over the variable, as in CPython."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as file:
            argv = file.read().split(b"\0")
        with open(f"/proc/{pid}/environ", "rb") as file:
            environ = file.read().split(b"\0")
    except OSError:
        return None
    option = _gil_option(argv)
    if option is not None:
        return "-X gil=1" if option == b"1" else None
    return "PYTHON_GIL=1" if b"PYTHON_GIL=1" in environ else None


def _version(path: str, data_offset: int | None) -> str:
    """The version from Py_Version's bytes on disk, else the first version string in the file
    that agrees with its name (python3.10...), else what the name says."""
    named = re.search(r"python(3\.\d+)", os.path.basename(path))
    try:
        with open(path, "rb") as file:
            if data_offset is not None:
                file.seek(data_offset)
                word = int.from_bytes(file.read(4), "little")
                if word >> 24 == 3:
                    return f"3.{word >> 16 & 0xFF}.{word >> 8 & 0xFF}"
            for found in VERSION_TEXT.finditer(file.read(64 << 20)):
                text = found[1].decode()
                if named is None or text.startswith(named[1] + "."):
                    return text
    except OSError:
        pass
    return named[1] if named else "?"


def _build_of(path: str, base: int) -> PythonBuild | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    key = (path, stat.st_ino, int(stat.st_mtime))
    if key not in _BUILDS:
        elf = read_elf(path, WANTED)
        if elf is None or RUNTIME not in elf.symbols:
            _BUILDS[key] = None
        else:
            version_at = elf.symbols[VERSION].offset if VERSION in elf.symbols else None
            runtime = elf.symbols[RUNTIME]
            _BUILDS[key] = PythonBuild(path, _version(path, version_at),
                                       FREE_THREADED in elf.symbols, (runtime.value - elf.first_load, runtime.size))
    found = _BUILDS[key]
    if found is None:
        return None
    offset, size = found.runtime
    return PythonBuild(found.path, found.version, found.free_threaded, (base + offset, base + offset + size))


def _switched(build: PythonBuild, pid: int) -> PythonBuild:
    return replace(build, gil_on=gil_switch(pid)) if build.free_threaded else build


def python_of(pid: int) -> PythonBuild | None:
    """The Python process `pid` runs, from the files it maps; None: not Python or gone.
    PermissionError where its maps may not be read (another user's process)."""
    try:
        with open(f"/proc/{pid}/maps") as maps:
            lines = maps.read().splitlines()
    except PermissionError:
        raise
    except OSError:
        return None
    seen: set[str] = set()
    for line in lines:
        parts = line.split(None, 5)
        if len(parts) < 6 or parts[2].strip("0") or not parts[5].startswith("/"):
            continue  # only each file's first mapping, at file offset 0: where it was loaded
        path = parts[5]
        if path in seen or not ("python" in os.path.basename(path) or not seen):
            continue  # the executable (the first file) and anything named python*: libpython
        seen.add(path)
        found = _build_of(path, int(parts[0].split("-")[0], 16))
        if found is not None:
            return _switched(found, pid)
    return None


def looks_like_python(pid: int) -> bool:
    """For a process whose maps may not be read: whether its executable's name says Python."""
    try:
        import psutil

        return "python" in psutil.Process(pid).name().lower()
    except Exception:  # noqa: BLE001 - psutil.Error or gone: not a Python we can show
        return False


def check_target(pid: int) -> PythonBuild | None:
    """The target's Python (None: its maps are refused, but its name says Python), or BadTarget."""
    import psutil

    if pid == os.getpid():
        raise BadTarget(f"pid {pid} is conctui itself: watch another program")
    try:
        process = psutil.Process(pid)
        status = process.status()
        name = visible(process.name())  # a process's name is untrusted text
    except psutil.NoSuchProcess:
        raise BadTarget(f"no process with pid {pid}") from None
    except psutil.Error as exc:
        raise BadTarget(f"pid {pid} cannot be read: {type(exc).__name__}") from None
    if status == psutil.STATUS_ZOMBIE:
        raise BadTarget(f"pid {pid} is a zombie: it has ended and its parent has not reaped it")
    try:
        build = python_of(pid)
    except PermissionError:
        if looks_like_python(pid):
            return None
        raise BadTarget(f"pid {pid} ({name}) may not be read by this user, and its name does not say Python") from None
    if build is None:
        raise BadTarget(f"pid {pid} ({name}) is not Python: conctui watches CPython 3.9 to 3.13 programs")
    return build
