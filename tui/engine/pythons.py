"""The Pythons on this machine a user can pick for the runner: found cheaply, probed on demand.

`find_pythons()` only looks at file names (python3.X and python3.Xt on PATH, pyenv's
versions, conctui's own free-threaded build, any given on the command line): no process
starts, so a picker can list them at once. `probe(path)` starts the runner there and asks
what it is (version, free-threaded, sub-interpreters); call it from a worker thread.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
import sysconfig
from dataclasses import dataclass, replace
from pathlib import Path

from conctui.engine.events import PythonInfo
from conctui.engine.runner_process import MIN_PYTHON, check_python, describe

NAME = re.compile(r"^python(\d+)\.(\d+)(t?)$")
VERSION_DIR = re.compile(r"^(\d+)\.(\d+)(?:\.\d+)?(t?)")
FREETHREADED_BUILD = Path(os.environ.get("CONCTUI_FT_PREFIX", "~/.cache/conctui/python3.13t")).expanduser()


@dataclass(frozen=True)
class FoundPython:
    """A candidate interpreter, as far as its path tells (a probe tells the rest)."""

    path: str
    version: tuple[int, int] | None  # None: the name does not say
    free_threaded: bool  # from the name (python3.13t, a 3.13t pyenv version)
    source: str  # "current", "PATH", "pyenv", "conctui build", "command line"
    python_gil: str | None = None  # a free-threaded build is listed twice: PYTHON_GIL "0" (off) and "1" (on)
    also: tuple[str, ...] = ()  # other paths to the same version (see `by_version`)

    @property
    def label(self) -> str:
        gil = {"0": " GIL off", "1": " GIL on"}.get(self.python_gil or "", "")
        if self.version is None:
            return self.path + gil
        return "%d.%d%s%s" % (*self.version, "t" if self.free_threaded else "", gil)

    @property
    def choice(self) -> str:
        """One string naming the binary and its GIL switch: a picker's id (see `parse_choice`)."""
        return self.path if self.python_gil is None else f"PYTHON_GIL={self.python_gil} {self.path}"

    @property
    def unavailable(self) -> str | None:
        """Why the runner cannot use it, when its name alone shows that (below the floor)."""
        if self.version is not None and self.version < MIN_PYTHON:
            return "Python %d.%d is below conctui's floor of %d.%d" % (*self.version, *MIN_PYTHON)
        return None


def minor_of(version: str) -> tuple[int, ...]:
    """(3, 10) of a version string, "3.10.13" or "3.10"."""
    return tuple(int(part) for part in version.split(".")[:2] if part.isdigit())


def parse_choice(choice: str) -> tuple[str, str | None]:
    """(path, PYTHON_GIL or None) from a FoundPython.choice."""
    if choice.startswith("PYTHON_GIL=") and " " in choice:
        switch, path = choice.split(" ", 1)
        return path, switch.split("=", 1)[1]
    return choice, None


def _pyenv_root() -> Path:
    return Path(os.environ.get("PYENV_ROOT") or "~/.pyenv").expanduser()


def _on_path() -> list[FoundPython]:
    found = []
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        try:
            names = sorted(os.listdir(folder or "."))
        except OSError:
            continue
        for name in names:
            match = NAME.match(name)
            path = os.path.join(folder, name)
            if match and os.access(path, os.X_OK):
                found.append(FoundPython(path, (int(match[1]), int(match[2])), bool(match[3]), "PATH"))
    return found


def _pyenv() -> list[FoundPython]:
    found = []
    versions = _pyenv_root() / "versions"
    for folder in sorted(versions.glob("*")) if versions.is_dir() else []:
        match = VERSION_DIR.match(folder.name)
        binary = next((b for b in (folder / "bin" / "python3", folder / "bin" / "python") if b.exists()), None)
        if binary is not None:
            version = (int(match[1]), int(match[2])) if match else None
            found.append(FoundPython(str(binary), version, bool(match and match[3]), "pyenv"))
    return found


def _given(path: str, source: str) -> FoundPython:
    match = NAME.match(os.path.basename(path))
    version = (int(match[1]), int(match[2])) if match else None
    return FoundPython(path, version, bool(match and match[3]), source)


def find_pythons(extra: list[str] | tuple[str, ...] = ()) -> list[FoundPython]:
    """Every Python found, each real file once, in the order: current, given, PATH, pyenv, build."""
    current = FoundPython(sys.executable, sys.version_info[:2],
                          bool(sysconfig.get_config_var("Py_GIL_DISABLED")), "current")
    candidates = [current, *(_given(p, "command line") for p in extra), *_on_path(), *_pyenv()]
    build = FREETHREADED_BUILD / "bin" / "python3.13t"
    if build.exists():
        candidates.append(FoundPython(str(build), (3, 13), True, "conctui build"))
    seen: set[str] = set()
    found = []
    for candidate in candidates:
        real = os.path.realpath(candidate.path)
        if real not in seen:
            seen.add(real)
            # the same binary with the GIL off and on: a compare then holds everything else equal
            found += ([replace(candidate, python_gil="0"), replace(candidate, python_gil="1")]
                      if candidate.free_threaded else [candidate])
    return found


# which of one version's paths a picker offers: the one running, then one the user named, then
# pyenv's own binary (a PATH entry is often a pyenv shim or a system copy)
_PREFERRED = ["current", "command line", "pyenv", "conctui build", "PATH"]


def by_version(found: list[FoundPython]) -> list[FoundPython]:
    """One entry per version (and GIL switch), its preferred path chosen and the rest kept as
    `also`; sorted by version, those whose name says nothing next, those below the floor last."""
    groups: dict[object, list[FoundPython]] = {}
    for candidate in found:
        key = candidate.path if candidate.version is None else (candidate.version, candidate.free_threaded,
                                                                candidate.python_gil)
        groups.setdefault(key, []).append(candidate)
    entries = []
    for members in groups.values():
        members.sort(key=lambda m: _PREFERRED.index(m.source) if m.source in _PREFERRED else len(_PREFERRED))
        entries.append(replace(members[0], also=tuple(m.path for m in members[1:])))
    return sorted(entries, key=lambda e: (e.unavailable is not None, e.version is None, e.version or (0, 0),
                                          e.free_threaded, e.python_gil or ""))


def probe(path: str) -> PythonInfo:
    """The runner's PythonInfo under `path` (starts a process: call it off the UI thread).

    Raises UsageError with one line when `path` is not a Python conctui can use."""
    check_python(path)
    return describe(path, None).python


def checked_python(path: str) -> str:
    """`path` (or a name on PATH) as an absolute path, once it is known to run the runner; else UsageError."""
    found = shutil.which(path) if os.sep not in path else path
    check_python(found or path)
    return os.path.abspath(found or path)
