"""What to run: a workload reference, its parameters and the run's choices, checked early.

Everything a user types is checked here and refused with one line (UsageError), before any
process starts; what can only be checked by importing the user's code is checked by the
runner (`describe`), under the interpreter that will run it.
"""
from __future__ import annotations

import importlib
import json
import os
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import ModuleType
from typing import Any

from conctui.runner.request import RunRequest
from conctui.workloads import BUILTINS, KINDS

MAX_WORKERS = 1024

START_METHODS = ("spawn", "forkserver")
SCHEDULER_SCHEMES = ("tcp", "tls", "ws", "wss")


class UsageError(Exception):
    """A user mistake: printed as one line, exit code 2."""


def builtin_module(name: str) -> ModuleType:
    return importlib.import_module(f"conctui.workloads.{BUILTINS[name]}")


@dataclass(frozen=True)
class WorkloadRef:
    """A workload as the user named it, resolved to where it is loaded from."""

    text: str
    func: str
    path: str | None = None
    module: str | None = None
    builtin: bool = False
    cwd: str = ""

    @property
    def name(self) -> str:
        return self.text if self.builtin else self.func

    def payload(self, params: dict) -> dict:
        """The runner's description of it: plain data, never a pickled function."""
        return {"path": self.path, "module": self.module, "func": self.func,
                "builtin": self.builtin, "cwd": self.cwd, "params": params}


def parse_workload(text: str) -> WorkloadRef:
    if text in BUILTINS:
        return WorkloadRef(text, "run", path=builtin_module(text).__file__, builtin=True)
    where, _, func = text.rpartition(":")
    if not where or not all(part.isidentifier() for part in func.split(".")):  # FUNCTION, Class.method, obj.attr
        raise UsageError(
            f"unknown workload {text!r}: use one of {', '.join(BUILTINS)}, "
            "or FILE.py:FUNCTION, or package.module:FUNCTION"
        )
    if where.endswith(".py") or os.sep in where or os.path.exists(where):
        path = Path(where).expanduser().resolve()
        if not path.is_file():
            raise UsageError(f"no such file: {where}")
        return WorkloadRef(text, func, path=str(path))
    if not all(part.isidentifier() for part in where.split(".")):
        raise UsageError(f"{where!r} is neither a file nor a module name")
    return WorkloadRef(text, func, module=where, cwd=os.getcwd())


# a built-in parameter's type, as a user reads it in `--param seconds=soon`'s error
VALUE_KINDS = {int: "an integer", float: "a number", str: "text", bool: "true or false"}


def _convert(workload: str, name: str, value: str, default: Any) -> Any:
    try:
        if isinstance(default, bool):
            if value.lower() not in ("true", "false", "1", "0", "yes", "no"):
                raise ValueError
            return value.lower() in ("true", "1", "yes")
        converted = type(default)(value)
    except ValueError:
        wanted = VALUE_KINDS.get(type(default), "a value")
        raise UsageError(f"{workload}: {name} wants {wanted}, got {value!r}") from None
    if isinstance(converted, (int, float)) and not converted > 0:
        raise UsageError(f"{workload}: {name} must be more than 0, got {value!r}")
    return converted


def parse_params(ref: WorkloadRef, pairs: list[str]) -> dict:
    """`NAME=VALUE` pairs: typed by a built-in's defaults; JSON literals or text for user code."""
    defaults = dict(builtin_module(ref.text).PARAMS) if ref.builtin else {}
    params = dict(defaults)
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.isidentifier():
            raise UsageError(f"--param wants NAME=VALUE, got {pair!r}")
        if ref.builtin:
            if name not in defaults:
                raise UsageError(f"{ref.text} has no parameter {name!r}: it takes {', '.join(defaults)}")
            params[name] = _convert(ref.text, name, value, defaults[name])
        else:
            try:
                params[name] = json.loads(value)
            except ValueError:
                params[name] = value
    return params


def parse_workers(value: int) -> int:
    if not 1 <= value <= MAX_WORKERS:
        raise UsageError(f"workers must be between 1 and {MAX_WORKERS}, got {value}")
    return value


@dataclass(frozen=True)
class RunSpec:
    """One run: which workload, how, with how many workers, under which Python."""

    workload: WorkloadRef
    mode: str = "threads"
    worker_count: int = 3
    params: dict = field(default_factory=dict)
    python: str = sys.executable
    start_method: str = "spawn"
    switch_interval_ms: float | None = None
    scheduler: str | None = None  # dask: an existing cluster's scheduler; None starts a LocalCluster
    connect_timeout: float = 10.0
    sample_gil: bool = False  # conctui samples the workers' GIL from outside: the runner readies for it
    ipc_limit_mb: float = 256.0  # the largest pickled value that may cross between processes
    python_gil: str | None = None  # "1" / "0": PYTHON_GIL for the runner (a free-threaded build, GIL on / off)

    def with_mode(self, mode: str) -> RunSpec:
        return replace(self, mode=mode)

    def request(self, run: int, session_t0: float) -> RunRequest:
        """The runner's request for this run, the `run`-th of the session that began at `session_t0`."""
        return RunRequest(run, session_t0, self.mode, self.workload.name, self.params,
                          self.workload.payload(self.params), self.worker_count, int(self.ipc_limit_mb * 1024 * 1024),
                          self.start_method, self.switch_interval_ms, self.scheduler, self.connect_timeout,
                          self.sample_gil)


def parse_scheduler(address: str | None, timeout: float) -> str | None:
    """`tcp://HOST:PORT` (scheme optional, `tcp` assumed), checked before anything starts."""
    if not 0 < timeout <= 3600:
        raise UsageError(f"--connect-timeout must be between 0 and 3600 s, got {timeout:g}")
    if not address:
        return None
    if "://" not in address:
        address = "tcp://" + address
    scheme, _, hostport = address.partition("://")
    host, _, port = hostport.rpartition(":")
    if scheme not in SCHEDULER_SCHEMES or not host.strip("[]") or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--scheduler wants tcp://HOST:PORT, got {address!r}")
    return address


def kind_label(kind: str) -> str:
    return KINDS.get(kind, kind)
