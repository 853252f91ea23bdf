"""The catalogue of modes: name, key, label, and whether one can run a given workload here.

A mode that cannot run is offered greyed out with its reason, never hidden: the reason is
itself a lesson (a plain function under asyncio would only be threads in disguise).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def _always(python: dict, workload: dict) -> str | None:
    return None


def _asyncio(python: dict, workload: dict) -> str | None:
    if workload.get("has_async"):
        return None
    return (f"{workload.get('name', 'this workload')} is a plain function: asyncio would only run it "
            "in threads (asyncio.to_thread), which is the threads mode; give an async def")


def _processes(python: dict, workload: dict) -> str | None:
    methods = python.get("start_methods", [])
    if "spawn" in methods or "forkserver" in methods:
        return None
    return "neither spawn nor forkserver is available on this platform"


def _dask(python: dict, workload: dict) -> str | None:
    if python.get("dask"):
        return None
    return (f"distributed cannot be imported by {python.get('executable', 'this Python')}: "
            'pip install "conctui[dask]"')


def _interpreters(python: dict, workload: dict) -> str | None:
    support = python.get("interpreters") or {}
    if support.get("api"):
        return None
    return support.get("reason") or f"Python {python.get('version', '?')} did not say whether it has sub-interpreters"


def _interpreters_experimental(python: dict) -> str | None:
    if (python.get("interpreters") or {}).get("experimental"):
        return f"experimental: Python {python.get('version', '?')}'s private _interpreters module"
    return None


@dataclass(frozen=True)
class ModeInfo:
    name: str
    key: str
    label: str
    check: Callable[[dict, dict], str | None]
    warn: Callable[[dict], str | None] = lambda python: None

    def unavailable(self, python: dict, workload: dict) -> str | None:
        """None when the mode can run this workload under this Python, else the reason."""
        return self.check(python, workload)

    def caveat(self, python: dict) -> str | None:
        """A word to show beside the mode where it runs on ground that may shift, else None."""
        return self.warn(python)


MODES = {
    "sequential": ModeInfo("sequential", "s", "seq", _always),
    "threads": ModeInfo("threads", "t", "threads", _always),
    "processes": ModeInfo("processes", "p", "procs", _processes),
    "asyncio": ModeInfo("asyncio", "a", "async", _asyncio),
    "interpreters": ModeInfo("interpreters", "i", "interp", _interpreters, _interpreters_experimental),
    "dask": ModeInfo("dask", "d", "dask", _dask),
}
